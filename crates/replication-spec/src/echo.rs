//! How messages echo names and keys the user wrote: whole when short, else a prefix and the
//! length, so a 1 KiB object key or a 100,000-character name cannot flood a terminal or a CI log.

use std::borrow::Cow;

/// Names and keys up to this many characters are echoed whole.
const MAX_CHARS: usize = 64;

/// Characters of a longer name that a message keeps.
const KEPT_CHARS: usize = 60;

/// `name` as messages echo it: whole up to 64 characters, else its first 60 and `…(N bytes)`
/// (*inferred*: the bound is ours; S3 does not echo keys in its errors).
///
/// ```
/// use replication_spec::shorten;
/// assert_eq!(shorten("reports/q1.csv"), "reports/q1.csv");
/// let key = "k".repeat(1024);
/// assert_eq!(shorten(&key), format!("{}…(1024 bytes)", "k".repeat(60)));
/// ```
#[must_use]
pub fn shorten(name: &str) -> Cow<'_, str> {
    if name.char_indices().nth(MAX_CHARS).is_none() {
        return Cow::Borrowed(name);
    }
    let cut = name
        .char_indices()
        .nth(KEPT_CHARS)
        .map_or(name.len(), |(i, _)| i);
    Cow::Owned(format!("{}…({} bytes)", &name[..cut], name.len()))
}

#[cfg(test)]
mod tests {
    use super::shorten;

    #[test]
    fn long_names_keep_a_prefix_on_a_character_boundary_and_say_their_length() {
        assert_eq!(shorten(&"a".repeat(64)), "a".repeat(64));
        assert_eq!(
            shorten(&"a".repeat(65)),
            format!("{}…(65 bytes)", "a".repeat(60))
        );
        // Multi-byte characters: the cut falls between characters, the length counts bytes.
        let key = "é".repeat(100);
        assert_eq!(shorten(&key), format!("{}…(200 bytes)", "é".repeat(60)));
    }
}
