//! A bucket's objects: the versions of each key, in key order, and for each key a slot number
//! that never changes, so a queued replication task reaches its source versions without a
//! search through every key of the bucket (the replication path does this twice per object).

use std::collections::BTreeMap;
use std::collections::btree_map::Entry;

use crate::world::Version;

/// Where a key's versions live in [`Objects`]; valid for the bucket that gave it, for as long
/// as the world exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ObjectSlot(usize);

/// The versions of a bucket's keys.
///
/// A key keeps its slot while it exists; a removed key's slot stays allocated and empty, and a
/// key created again gets a new slot, so a slot never leads to another key's versions.
#[derive(Debug, Default)]
pub(crate) struct Objects {
    index: BTreeMap<String, usize>,
    slots: Vec<Vec<Version>>,
}

impl Objects {
    /// The versions of `key`, oldest first.
    pub(crate) fn get(&self, key: &str) -> Option<&Vec<Version>> {
        self.index.get(key).map(|&i| &self.slots[i])
    }

    /// The versions of `key`, to change.
    pub(crate) fn get_mut(&mut self, key: &str) -> Option<&mut Vec<Version>> {
        self.index.get(key).map(|&i| &mut self.slots[i])
    }

    /// The slot of `key`, if it exists.
    pub(crate) fn slot(&self, key: &str) -> Option<ObjectSlot> {
        self.index.get(key).copied().map(ObjectSlot)
    }

    /// The versions in `slot` (none once its key was removed).
    pub(crate) fn at(&self, slot: ObjectSlot) -> &[Version] {
        self.slots.get(slot.0).map_or(&[], Vec::as_slice)
    }

    /// The versions in `slot`, to change (`None` only for a slot of another bucket).
    pub(crate) fn at_mut(&mut self, slot: ObjectSlot) -> Option<&mut Vec<Version>> {
        self.slots.get_mut(slot.0)
    }

    /// The versions of `key`, created empty if the key is new, and its slot.
    pub(crate) fn versions_or_default(&mut self, key: &str) -> (ObjectSlot, &mut Vec<Version>) {
        // One search of the index: replicas and uploads mostly bring new keys.
        let i = match self.index.entry(key.to_owned()) {
            Entry::Occupied(e) => *e.get(),
            Entry::Vacant(e) => {
                self.slots.push(Vec::new());
                *e.insert(self.slots.len() - 1)
            }
        };
        (ObjectSlot(i), &mut self.slots[i])
    }

    /// Removes `key` and all its versions.
    pub(crate) fn remove(&mut self, key: &str) -> Option<Vec<Version>> {
        let i = self.index.remove(key)?;
        Some(std::mem::take(&mut self.slots[i]))
    }

    /// Every key with its versions, in key order.
    pub(crate) fn iter(&self) -> Iter<'_> {
        Iter {
            index: self.index.iter(),
            slots: &self.slots,
        }
    }

    /// Every key's versions, in key order.
    pub(crate) fn values(&self) -> impl Iterator<Item = &Vec<Version>> {
        self.index.values().map(|&i| &self.slots[i])
    }
}

/// Every key of [`Objects`] with its versions, in key order.
#[derive(Debug)]
pub(crate) struct Iter<'a> {
    index: std::collections::btree_map::Iter<'a, String, usize>,
    slots: &'a [Vec<Version>],
}

impl<'a> Iterator for Iter<'a> {
    type Item = (&'a String, &'a Vec<Version>);

    fn next(&mut self) -> Option<Self::Item> {
        self.index.next().map(|(k, &i)| (k, &self.slots[i]))
    }
}

impl<'a> IntoIterator for &'a Objects {
    type Item = (&'a String, &'a Vec<Version>);
    type IntoIter = Iter<'a>;

    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::world::Body;

    fn version(id: &str) -> Version {
        Version {
            id: id.into(),
            created_at: 0,
            body: Body::DeleteMarker,
            destinations: BTreeMap::new(),
            replica_of: None,
            not_eligible: Vec::new(),
        }
    }

    #[test]
    fn keys_iterate_in_order_and_slots_stay_with_their_key() {
        let mut objects = Objects::default();
        for key in ["b", "a", "c"] {
            objects.versions_or_default(key).1.push(version("v1"));
        }
        let (slot_a, _) = objects.versions_or_default("a");
        objects.versions_or_default("a").1.push(version("v2"));
        let keys: Vec<&str> = objects.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["a", "b", "c"]);
        assert_eq!(objects.slot("a"), Some(slot_a));
        let ids: Vec<&str> = objects.at(slot_a).iter().map(|v| &*v.id).collect();
        assert_eq!(ids, ["v1", "v2"]);
        assert_eq!(objects.get("b").map(Vec::len), Some(1));
        assert!(objects.get("z").is_none() && objects.slot("z").is_none());
    }

    #[test]
    fn a_removed_key_empties_its_slot_and_comes_back_in_a_new_one() {
        let mut objects = Objects::default();
        let (old, versions) = objects.versions_or_default("k");
        versions.push(version("null"));
        assert_eq!(objects.remove("k").map(|v| v.len()), Some(1));
        assert!(objects.at(old).is_empty(), "the old slot leads nowhere");
        assert!(objects.get("k").is_none());
        let (new, versions) = objects.versions_or_default("k");
        versions.push(version("null"));
        assert_ne!(old, new);
        assert!(objects.at(old).is_empty());
        assert_eq!(objects.at(new).len(), 1);
        assert_eq!(objects.values().count(), 1);
    }
}
