//! Object bodies in bounded memory: what the store keeps of an object's ciphertext, and the
//! encryption operations S3 performs on it.
//!
//! A `put` of `5 GiB` must replicate with real encryption (every byte encrypted under the source
//! data key, decrypted, and encrypted again under the replica's) in far less memory than the
//! object, and the model does no file I/O. Two facts make that possible:
//!
//! - A body given by size is a deterministic generator of (object key, size) ([`GeneratedBody`]),
//!   so its plaintext can be produced again at any time, in any amount, without being stored.
//! - A chunk's ciphertext is a pure function of the data key, the sealed object's header and the
//!   plaintext, so what authenticates it (the header and one 16-byte tag per chunk) is all the
//!   store must keep ([`replication_crypto::DetachedObject`]).
//!
//! So [`Ciphertext`] is either [`Ciphertext::Held`], the sealed bytes themselves (every object up
//! to [`HELD_LIMIT`], and every text body), or [`Ciphertext::Detached`], header and tags per
//! layer. Reading a detached object recomputes its ciphertext chunk by chunk from the generator
//! under the data key S3 has just unwrapped, and opens it against the stored tags: a wrong key,
//! a wrong encryption context or an edited tag fails AES-GCM authentication exactly as stored
//! bytes would. Replication streams the source through `reseal_stream` into a new detached
//! object, and verification opens the replica the same way, so memory is a few chunks per
//! thread whatever the object size.
//!
//! The two forms are observably the same: reports never show ciphertext, only
//! [`Outcome::stored_ciphertext`](crate::Outcome::stored_ciphertext) (a tamper-testing hook)
//! has nothing to return for a detached object.

use std::io::{self, Read};
use std::sync::Arc;

use replication_crypto::{
    ChunkConfig, CryptoError, DetachedObject, DetachedWriter, Key256, KeySource, ObjectOpener,
    SealedObject, reseal_stream,
};

/// Objects up to this size keep their sealed bytes; larger ones keep header and tags only.
/// 16 MiB keeps a few concurrent attempts well within a small machine's memory, and keeps every
/// shipped scenario's objects byte-for-byte inspectable.
pub(crate) const HELD_LIMIT: u64 = 16 << 20;

/// What the store keeps of an object's ciphertext; see the [module docs](self).
#[derive(Debug, Clone)]
pub(crate) enum Ciphertext {
    /// The sealed bytes (DSSE-KMS: the outer layer, whose plaintext is the sealed inner layer).
    Held(SealedObject),
    /// The header and tags of each layer, and the generator of the plaintext.
    Detached(Arc<Detached>),
}

/// A detached object: its plaintext's generator and each layer's header and tags.
#[derive(Debug)]
pub(crate) struct Detached {
    body: GeneratedBody,
    layers: Layers,
}

#[derive(Debug)]
enum Layers {
    One(DetachedObject),
    /// DSSE-KMS: the outer layer seals the inner layer's sealed bytes.
    Two {
        outer: DetachedObject,
        inner: DetachedObject,
    },
}

/// The data keys of an object, one per layer of encryption.
#[derive(Debug, Clone, Copy)]
pub(crate) enum LayerKeys<'k> {
    /// SSE-S3, SSE-KMS and SSE-C: one layer.
    One(&'k Key256),
    /// DSSE-KMS: two independent layers ([U-KMSREPL]).
    Two {
        outer: &'k Key256,
        inner: &'k Key256,
    },
}

/// The plaintext of an upload.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Upload<'a> {
    /// A body given as text in the scenario.
    Text(&'a [u8]),
    /// A body given by size.
    Generated(&'a GeneratedBody),
}

impl Upload<'_> {
    pub(crate) fn len(&self) -> u64 {
        match self {
            Upload::Text(bytes) => bytes.len() as u64,
            Upload::Generated(body) => body.len,
        }
    }
}

impl Ciphertext {
    /// Seals an upload under `keys`, bound to `aad`: held up to [`HELD_LIMIT`], detached above.
    pub(crate) fn seal(
        upload: Upload<'_>,
        keys: LayerKeys<'_>,
        aad: &[u8],
        rng: &mut KeySource,
    ) -> Result<Ciphertext, CryptoError> {
        let body = match upload {
            Upload::Generated(body) if body.len > HELD_LIMIT => body,
            Upload::Generated(body) => return seal_held(&body.to_vec(), keys, aad, rng),
            Upload::Text(bytes) => return seal_held(bytes, keys, aad, rng),
        };
        let config = ChunkConfig::default();
        let layers = match keys {
            LayerKeys::One(key) => Layers::One(DetachedObject::seal(
                key,
                aad,
                body.reader(),
                body.len,
                &config,
                rng,
            )?),
            LayerKeys::Two { outer, inner } => {
                let inner_object =
                    DetachedObject::seal(inner, aad, body.reader(), body.len, &config, rng)?;
                let inner_sealed = inner_object.sealed_reader(inner, aad, body.reader())?;
                let inner_len = inner_object.header().sealed_len()?;
                let outer_object =
                    DetachedObject::seal(outer, aad, inner_sealed, inner_len, &config, rng)?;
                Layers::Two {
                    outer: outer_object,
                    inner: inner_object,
                }
            }
        };
        Ok(Ciphertext::Detached(Arc::new(Detached {
            body: body.clone(),
            layers,
        })))
    }

    /// Opens the whole object as GetObject returns it; nothing is returned unless every chunk
    /// of every layer authenticates.
    pub(crate) fn open(&self, keys: LayerKeys<'_>, aad: &[u8]) -> Result<Vec<u8>, CryptoError> {
        match self {
            Ciphertext::Held(sealed) => match keys {
                LayerKeys::One(key) => replication_crypto::open_object(key, aad, sealed),
                LayerKeys::Two { outer, inner } => {
                    let inner_sealed = open_outer(outer, aad, sealed)?;
                    replication_crypto::open_object(inner, aad, &inner_sealed)
                }
            },
            Ciphertext::Detached(detached) => {
                let mut plaintext = Vec::new();
                detached
                    .plaintext(keys, aad)?
                    .read_to_end(&mut plaintext)
                    .map_err(CryptoError::from_io)?;
                Ok(plaintext)
            }
        }
    }

    /// Authenticates and decrypts every chunk without keeping the plaintext; returns its
    /// length. `scratch` holds one chunk of a held object and is reused across calls.
    pub(crate) fn verify(
        &self,
        keys: LayerKeys<'_>,
        aad: &[u8],
        scratch: &mut Vec<u8>,
    ) -> Result<u64, CryptoError> {
        match self {
            Ciphertext::Held(sealed) => match keys {
                LayerKeys::One(key) => replication_crypto::verify_object(key, aad, sealed, scratch),
                LayerKeys::Two { outer, inner } => {
                    let inner_sealed = open_outer(outer, aad, sealed)?;
                    replication_crypto::verify_object(inner, aad, &inner_sealed, scratch)
                }
            },
            Ciphertext::Detached(detached) => {
                io::copy(&mut detached.plaintext(keys, aad)?, &mut io::sink())
                    .map_err(CryptoError::from_io)
            }
        }
    }

    /// Re-encrypts from (`src`, `src_aad`) to (`dst`, `dst_aad`), layer by layer, chunk by
    /// chunk: what replication does. The replica keeps the source's form.
    pub(crate) fn reseal(
        &self,
        src: LayerKeys<'_>,
        src_aad: &[u8],
        dst: LayerKeys<'_>,
        dst_aad: &[u8],
        rng: &mut KeySource,
    ) -> Result<Ciphertext, CryptoError> {
        match self {
            Ciphertext::Held(sealed) => reseal_held(sealed, src, src_aad, dst, dst_aad, rng),
            Ciphertext::Detached(detached) => detached.reseal(src, src_aad, dst, dst_aad, rng),
        }
    }

    /// The sealed bytes, where the store keeps them.
    pub(crate) fn held(&self) -> Option<&SealedObject> {
        match self {
            Ciphertext::Held(sealed) => Some(sealed),
            Ciphertext::Detached(_) => None,
        }
    }
}

fn seal_held(
    plaintext: &[u8],
    keys: LayerKeys<'_>,
    aad: &[u8],
    rng: &mut KeySource,
) -> Result<Ciphertext, CryptoError> {
    let sealed = match keys {
        LayerKeys::One(key) => replication_crypto::seal_object(key, aad, plaintext, rng)?,
        LayerKeys::Two { outer, inner } => {
            let inner_sealed = replication_crypto::seal_object(inner, aad, plaintext, rng)?;
            replication_crypto::seal_object(outer, aad, inner_sealed.as_bytes(), rng)?
        }
    };
    Ok(Ciphertext::Held(sealed))
}

fn reseal_held(
    sealed: &SealedObject,
    src: LayerKeys<'_>,
    src_aad: &[u8],
    dst: LayerKeys<'_>,
    dst_aad: &[u8],
    rng: &mut KeySource,
) -> Result<Ciphertext, CryptoError> {
    let resealed = match (src, dst) {
        (LayerKeys::One(src), LayerKeys::One(dst)) => {
            replication_crypto::reseal_object(src, src_aad, sealed, dst, dst_aad, rng)?
        }
        (
            LayerKeys::Two { outer, inner },
            LayerKeys::Two {
                outer: new_outer,
                inner: new_inner,
            },
        ) => {
            let inner_sealed = open_outer(outer, src_aad, sealed)?;
            let new_inner_sealed = replication_crypto::reseal_object(
                inner,
                src_aad,
                &inner_sealed,
                new_inner,
                dst_aad,
                rng,
            )?;
            replication_crypto::seal_object(new_outer, dst_aad, new_inner_sealed.as_bytes(), rng)?
        }
        _ => return Err(layer_mismatch()),
    };
    Ok(Ciphertext::Held(resealed))
}

/// The inner sealed object of a held DSSE-KMS object: its outer layer opened with `outer`.
fn open_outer(
    outer: &Key256,
    aad: &[u8],
    sealed: &SealedObject,
) -> Result<SealedObject, CryptoError> {
    let inner_bytes = replication_crypto::open_object(outer, aad, sealed)?;
    SealedObject::from_bytes(inner_bytes)
}

/// Source and replica encryption always have as many layers (DSSE-KMS replicates as DSSE-KMS);
/// anything else is a bug of the model, reported rather than half-done.
fn layer_mismatch() -> CryptoError {
    CryptoError::Io(io::Error::other(
        "re-encryption between encryptions with different numbers of layers",
    ))
}

impl Detached {
    /// The verified plaintext: the ciphertext recomputed under `keys` and opened against the
    /// stored tags, one chunk (per layer) in memory.
    fn plaintext<'a>(
        &'a self,
        keys: LayerKeys<'_>,
        aad: &[u8],
    ) -> Result<Box<dyn Read + 'a>, CryptoError> {
        Ok(match (&self.layers, keys) {
            (Layers::One(object), LayerKeys::One(key)) => Box::new(ObjectOpener::new(
                object.sealed_reader(key, aad, self.body.reader())?,
                key,
                aad,
            )?),
            (
                Layers::Two { outer, inner },
                LayerKeys::Two {
                    outer: outer_key,
                    inner: inner_key,
                },
            ) => {
                let inner_sealed = inner.sealed_reader(inner_key, aad, self.body.reader())?;
                let outer_sealed = outer.sealed_reader(outer_key, aad, inner_sealed)?;
                let inner_opened = ObjectOpener::new(outer_sealed, outer_key, aad)?;
                Box::new(ObjectOpener::new(inner_opened, inner_key, aad)?)
            }
            _ => return Err(layer_mismatch()),
        })
    }

    fn reseal(
        &self,
        src: LayerKeys<'_>,
        src_aad: &[u8],
        dst: LayerKeys<'_>,
        dst_aad: &[u8],
        rng: &mut KeySource,
    ) -> Result<Ciphertext, CryptoError> {
        let layers = match (&self.layers, src, dst) {
            (Layers::One(object), LayerKeys::One(src), LayerKeys::One(dst)) => {
                let source = object.sealed_reader(src, src_aad, self.body.reader())?;
                Layers::One(reseal_detached(source, src, src_aad, dst, dst_aad, rng)?)
            }
            (
                Layers::Two { outer, inner },
                LayerKeys::Two {
                    outer: outer_key,
                    inner: inner_key,
                },
                LayerKeys::Two {
                    outer: new_outer,
                    inner: new_inner,
                },
            ) => {
                // Open the outer layer, re-encrypt the inner one, then seal a new outer layer
                // over the new inner one's bytes, as the held form does.
                let inner_sealed = inner.sealed_reader(inner_key, src_aad, self.body.reader())?;
                let outer_sealed = outer.sealed_reader(outer_key, src_aad, inner_sealed)?;
                let inner_bytes = ObjectOpener::new(outer_sealed, outer_key, src_aad)?;
                let replica_inner =
                    reseal_detached(inner_bytes, inner_key, src_aad, new_inner, dst_aad, rng)?;
                let replica_inner_sealed =
                    replica_inner.sealed_reader(new_inner, dst_aad, self.body.reader())?;
                let len = replica_inner.header().sealed_len()?;
                let replica_outer = DetachedObject::seal(
                    new_outer,
                    dst_aad,
                    replica_inner_sealed,
                    len,
                    &ChunkConfig::default(),
                    rng,
                )?;
                Layers::Two {
                    outer: replica_outer,
                    inner: replica_inner,
                }
            }
            _ => return Err(layer_mismatch()),
        };
        Ok(Ciphertext::Detached(Arc::new(Detached {
            body: self.body.clone(),
            layers,
        })))
    }
}

/// Streams a sealed object through `reseal_stream` into a new detached object.
fn reseal_detached(
    source: impl Read,
    src: &Key256,
    src_aad: &[u8],
    dst: &Key256,
    dst_aad: &[u8],
    rng: &mut KeySource,
) -> Result<DetachedObject, CryptoError> {
    let mut writer = DetachedWriter::new();
    reseal_stream(source, &mut writer, src, src_aad, dst, dst_aad, rng)?;
    writer.finish()
}

/// The body of `put ... = <size>`: bytes that depend only on the object key and the size, so a
/// replica's plaintext is its source's, and any part can be produced again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct GeneratedBody {
    seed: u64,
    len: u64,
}

impl GeneratedBody {
    pub(crate) fn new(object_key: &str, len: u64) -> GeneratedBody {
        let seed = object_key.bytes().fold(0x9e37_79b9_7f4a_7c15_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
        GeneratedBody { seed, len }
    }

    /// The whole body in memory (held objects only: at most [`HELD_LIMIT`] bytes are asked for).
    pub(crate) fn to_vec(&self) -> Vec<u8> {
        let mut out = vec![0u8; usize::try_from(self.len).unwrap_or(0)];
        self.reader().fill(&mut out);
        out
    }

    /// The body from its first byte.
    pub(crate) fn reader(&self) -> BodyReader {
        BodyReader {
            state: self.seed,
            remaining: self.len,
            word: [0; 8],
            word_pos: 8,
        }
    }
}

/// Reads a [`GeneratedBody`]: an xorshift64 stream, eight bytes per step.
#[derive(Debug)]
pub(crate) struct BodyReader {
    state: u64,
    remaining: u64,
    /// The current word and how much of it has been handed out.
    word: [u8; 8],
    word_pos: usize,
}

impl BodyReader {
    fn next_word(&mut self) -> [u8; 8] {
        self.state ^= self.state << 13;
        self.state ^= self.state >> 7;
        self.state ^= self.state << 17;
        self.state.to_le_bytes()
    }

    /// Fills `buf` with the next bytes of the stream (the caller bounds it by `remaining`).
    fn fill(&mut self, buf: &mut [u8]) {
        let rest = &self.word[self.word_pos..];
        let carried = rest.len().min(buf.len());
        buf[..carried].copy_from_slice(&rest[..carried]);
        self.word_pos += carried;
        let mut words = buf[carried..].chunks_exact_mut(8);
        for out in &mut words {
            out.copy_from_slice(&self.next_word());
        }
        let tail = words.into_remainder();
        if !tail.is_empty() {
            self.word = self.next_word();
            tail.copy_from_slice(&self.word[..tail.len()]);
            self.word_pos = tail.len();
        }
    }
}

impl Read for BodyReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = usize::try_from(self.remaining).map_or(buf.len(), |r| r.min(buf.len()));
        self.fill(&mut buf[..n]);
        self.remaining -= n as u64;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use replication_crypto::{CryptoError, KeySource};

    use super::{Ciphertext, GeneratedBody, HELD_LIMIT, LayerKeys, Upload};

    #[test]
    fn the_reader_gives_the_same_bytes_whatever_the_read_sizes() {
        let body = GeneratedBody::new("logs/a.bin", 1001);
        let whole = body.to_vec();
        for step in [1, 3, 7, 8, 9, 64, 1001, 4096] {
            let mut reader = body.reader();
            let mut got = Vec::new();
            let mut buf = vec![0u8; step];
            loop {
                let n = reader.read(&mut buf).expect("reading memory cannot fail");
                if n == 0 {
                    break;
                }
                got.extend_from_slice(&buf[..n]);
            }
            assert_eq!(got, whole, "reads of {step} bytes");
        }
    }

    /// Both forms, both layer counts: a replica opens to its source's bytes under its own keys
    /// only, and the forms agree.
    #[test]
    fn held_and_detached_objects_reseal_and_open_alike() -> Result<(), CryptoError> {
        let mut rng = KeySource::new();
        let k: Vec<_> = (0..4).map(|_| rng.key()).collect::<Result<_, _>>()?;
        let big = GeneratedBody::new("big", HELD_LIMIT + 1000);
        let small = GeneratedBody::new("small", 1000);
        for body in [&small, &big] {
            for (src, dst) in [
                (LayerKeys::One(&k[0]), LayerKeys::One(&k[1])),
                (
                    LayerKeys::Two {
                        outer: &k[0],
                        inner: &k[1],
                    },
                    LayerKeys::Two {
                        outer: &k[2],
                        inner: &k[3],
                    },
                ),
            ] {
                let sealed = Ciphertext::seal(Upload::Generated(body), src, b"src", &mut rng)?;
                assert_eq!(sealed.held().is_some(), body.len <= HELD_LIMIT);
                let replica = sealed.reseal(src, b"src", dst, b"dst", &mut rng)?;
                let mut scratch = Vec::new();
                assert_eq!(replica.verify(dst, b"dst", &mut scratch)?, body.len);
                assert!(replica.verify(src, b"dst", &mut scratch).is_err());
                assert!(replica.verify(dst, b"src", &mut scratch).is_err());
                if body.len <= HELD_LIMIT {
                    assert_eq!(replica.open(dst, b"dst")?, body.to_vec());
                }
            }
        }
        Ok(())
    }
}
