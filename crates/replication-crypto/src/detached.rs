//! Sealed objects whose chunk bodies are not kept: the header and each chunk's tag.
//!
//! A simulator that shows a 5 GiB object replicating, in bounded memory and without files,
//! cannot keep 5 GiB of ciphertext, but it can keep what authenticates it. A chunk's ciphertext
//! is a pure function of the key, the header (salt, nonce prefix) and the plaintext, so where the
//! plaintext can be produced again (the simulator's bodies come from a deterministic generator),
//! so can the ciphertext:
//!
//! - [`DetachedWriter`] takes a sealed object as it is written (by [`ObjectSealer`] or
//!   [`reseal_stream`]) and keeps its header and tags, 16 bytes per chunk;
//! - [`DetachedObject::sealed_reader`] gives the sealed bytes back: each chunk's ciphertext
//!   recomputed from the plaintext under the key it is given, next to the tag stored when the
//!   object was sealed.
//!
//! Opening those bytes ([`ObjectOpener`], [`reseal_stream`]) is a real AES-GCM decryption checked
//! against the stored tags: the wrong key, the wrong AAD (encryption context), another plaintext
//! or an edited header fails authentication, exactly as stored bytes would.
//!
//! Recomputing reuses the object's nonces. That is harmless for the plaintext the object was
//! sealed from (the same bytes come out), so give `sealed_reader` only that plaintext: any other
//! fails authentication when opened, and its recomputed ciphertext must be discarded, never kept
//! or shown.
//!
//! [`ObjectSealer`]: crate::ObjectSealer
//! [`ObjectOpener`]: crate::ObjectOpener
//! [`reseal_stream`]: crate::reseal_stream

use std::fmt;
use std::io::{self, Read, Write};

use zeroize::Zeroizing;

use crate::CryptoError;
use crate::backend::{DefaultBackend, TAG_LEN};
use crate::key::{Key256, KeySource};
use crate::object::{
    CHUNK_OVERHEAD, ChunkConfig, HEADER_LEN, INDEX_LEN, ObjectCipher, ObjectHeader, check_index,
};
use crate::stream::{ObjectSealer, read_full};

/// A sealed object kept as its header and its chunk tags; see the [module docs](self).
///
/// ```
/// use std::io::Read;
/// use replication_crypto::{DetachedObject, KeySource, ObjectOpener};
/// let mut rng = KeySource::new();
/// let key = rng.key()?;
/// let body = vec![7u8; 1000];
/// let object = DetachedObject::seal(&key, b"ctx", &body[..], 1000, &Default::default(), &mut rng)?;
///
/// let mut opened = Vec::new();
/// ObjectOpener::new(object.sealed_reader(&key, b"ctx", &body[..])?, &key, b"ctx")?
///     .read_to_end(&mut opened)?;
/// assert_eq!(opened, body);
///
/// // Another context (or key, or plaintext) does not authenticate.
/// let mut wrong = ObjectOpener::new(object.sealed_reader(&key, b"other", &body[..])?, &key, b"other")?;
/// assert!(wrong.read_to_end(&mut Vec::new()).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct DetachedObject {
    header: ObjectHeader,
    tags: Box<[[u8; TAG_LEN]]>,
}

impl fmt::Debug for DetachedObject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DetachedObject")
            .field("header", &self.header)
            .field("chunks", &self.tags.len())
            .finish()
    }
}

impl DetachedObject {
    /// Seals `len` bytes read from `plaintext` under `key`, bound to `aad`, keeping only the
    /// header and tags. Memory is one chunk whatever `len` is.
    ///
    /// # Errors
    /// [`CryptoError::LengthMismatch`] if `plaintext` ends before `len` bytes;
    /// [`CryptoError::Random`], [`CryptoError::TooLong`] as [`ObjectSealer::new`];
    /// [`CryptoError::Io`] from `plaintext`.
    pub fn seal<R: Read>(
        key: &Key256,
        aad: &[u8],
        plaintext: R,
        len: u64,
        config: &ChunkConfig,
        rng: &mut KeySource,
    ) -> Result<Self, CryptoError> {
        let mut sealer = ObjectSealer::new(DetachedWriter::new(), key, aad, len, config, rng)?;
        io::copy(&mut plaintext.take(len), &mut sealer).map_err(CryptoError::from_io)?;
        sealer.finish()?.finish()
    }

    /// The object's header.
    #[must_use]
    pub fn header(&self) -> &ObjectHeader {
        &self.header
    }

    /// Length of the plaintext inside.
    #[must_use]
    pub fn plaintext_len(&self) -> u64 {
        self.header.plaintext_len()
    }

    /// The object's sealed bytes, recomputed from `plaintext` (the bytes it was sealed from)
    /// under `key` and `aad`, with the stored tags. Holds one chunk frame of memory.
    ///
    /// Nothing is authenticated here; open the result with [`ObjectOpener`] or
    /// [`reseal_stream`], which check every tag.
    ///
    /// [`ObjectOpener`]: crate::ObjectOpener
    /// [`reseal_stream`]: crate::reseal_stream
    ///
    /// # Errors
    /// [`CryptoError::Backend`] if the cipher cannot be built (not expected). Reading fails with
    /// [`CryptoError::Truncated`] (as the `io::Error`'s inner error) if `plaintext` ends early.
    pub fn sealed_reader<R: Read>(
        &self,
        key: &Key256,
        aad: &[u8],
        plaintext: R,
    ) -> Result<DetachedReader<'_, R>, CryptoError> {
        let cipher = ObjectCipher::new(key, &self.header, aad)?;
        let mut frame = Zeroizing::new(Vec::with_capacity(
            self.header.chunk_size() as usize + CHUNK_OVERHEAD,
        ));
        frame.extend_from_slice(&self.header.encode());
        Ok(DetachedReader {
            object: self,
            plaintext,
            cipher,
            frame,
            pos: 0,
            next_index: 0,
        })
    }
}

/// The sealed bytes of a [`DetachedObject`], recomputed chunk by chunk as they are read.
pub struct DetachedReader<'a, R: Read> {
    object: &'a DetachedObject,
    plaintext: R,
    cipher: ObjectCipher<DefaultBackend>,
    /// What is being handed out: the header, then one frame at a time (wiped on drop).
    frame: Zeroizing<Vec<u8>>,
    pos: usize,
    next_index: u64,
}

impl<R: Read> fmt::Debug for DetachedReader<'_, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DetachedReader")
            .field("object", &self.object)
            .field("next_chunk", &self.next_index)
            .finish_non_exhaustive()
    }
}

impl<R: Read> DetachedReader<'_, R> {
    /// Builds frame `next_index`: index field, recomputed ciphertext, stored tag.
    fn next_frame(&mut self) -> Result<(), CryptoError> {
        recompute_frame(
            &mut self.plaintext,
            self.object,
            &self.cipher,
            self.next_index,
            &mut self.frame,
        )?;
        self.pos = 0;
        self.next_index += 1;
        Ok(())
    }
}

/// [`DetachedReader::next_frame`]'s work, not generic over the plaintext's reader, so that it is
/// compiled (and optimised) in this crate (see `stream::next_frame`).
fn recompute_frame(
    plaintext: &mut dyn Read,
    object: &DetachedObject,
    cipher: &ObjectCipher<DefaultBackend>,
    index: u64,
    frame: &mut Vec<u8>,
) -> Result<(), CryptoError> {
    let header = &object.header;
    let ct_len = header.chunk_plaintext_len(index);
    frame.clear();
    frame.extend_from_slice(&(index as u32).to_be_bytes());
    frame.resize(INDEX_LEN + ct_len, 0);
    let n = read_full(plaintext, &mut frame[INDEX_LEN..])?;
    if n < ct_len {
        return Err(CryptoError::Truncated {
            what: "plaintext of a detached object",
            expected: header.plaintext_len(),
            found: index * u64::from(header.chunk_size()) + n as u64,
        });
    }
    // The tag computed here is dropped: the stored one goes in the frame, so whoever opens it
    // authenticates the recomputed ciphertext against the object as it was sealed.
    cipher.seal_default(index, &mut frame[INDEX_LEN..])?;
    // `index` is below the chunk count, which equals the number of stored tags.
    frame.extend_from_slice(&object.tags[index as usize]);
    Ok(())
}

impl<R: Read> Read for DetachedReader<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.pos == self.frame.len() {
            if self.next_index == self.object.header.chunk_count() {
                return Ok(0);
            }
            self.next_frame()
                .map_err(|err| io::Error::new(io::ErrorKind::InvalidData, err))?;
        }
        let n = buf.len().min(self.frame.len() - self.pos);
        buf[..n].copy_from_slice(&self.frame[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

/// A `Write` sink that takes a sealed object and keeps its header and tags, checking its
/// structure (header, chunk order, length) as [`SealedObject::from_bytes`] does.
///
/// [`SealedObject::from_bytes`]: crate::SealedObject::from_bytes
///
/// ```
/// use replication_crypto::{seal_object, DetachedWriter, KeySource};
/// use std::io::Write;
/// let mut rng = KeySource::new();
/// let key = rng.key()?;
/// let sealed = seal_object(&key, b"ctx", b"hello", &mut rng)?;
/// let mut writer = DetachedWriter::new();
/// writer.write_all(sealed.as_bytes())?;
/// assert_eq!(writer.finish()?.plaintext_len(), 5);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Default)]
pub struct DetachedWriter {
    /// The header's bytes until all [`HEADER_LEN`] have arrived.
    raw_header: Vec<u8>,
    header: Option<ObjectHeader>,
    tags: Vec<[u8; TAG_LEN]>,
    /// Position in the current frame, and the parts of it that are kept.
    frame_pos: usize,
    index_field: [u8; INDEX_LEN],
    tag: [u8; TAG_LEN],
    /// Sealed bytes taken so far, for messages.
    taken: u64,
}

impl fmt::Debug for DetachedWriter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DetachedWriter")
            .field("header", &self.header)
            .field("chunks", &self.tags.len())
            .finish_non_exhaustive()
    }
}

impl DetachedWriter {
    /// A writer that has taken nothing yet.
    #[must_use]
    pub fn new() -> Self {
        DetachedWriter::default()
    }

    /// The object, once every byte of it has been written.
    ///
    /// # Errors
    /// [`CryptoError::Truncated`] if the header or a chunk is missing.
    pub fn finish(self) -> Result<DetachedObject, CryptoError> {
        let Some(header) = self.header else {
            return Err(CryptoError::Truncated {
                what: "object header",
                expected: HEADER_LEN as u64,
                found: self.raw_header.len() as u64,
            });
        };
        if (self.tags.len() as u64) < header.chunk_count() {
            return Err(CryptoError::Truncated {
                what: "sealed object",
                expected: header.sealed_len()?,
                found: self.taken,
            });
        }
        Ok(DetachedObject {
            header,
            tags: self.tags.into_boxed_slice(),
        })
    }

    /// Takes as much of `data` as belongs to the header or the current frame; returns how much.
    fn take(&mut self, data: &[u8]) -> Result<usize, CryptoError> {
        let Some(header) = &self.header else {
            let n = data.len().min(HEADER_LEN - self.raw_header.len());
            self.raw_header.extend_from_slice(&data[..n]);
            if self.raw_header.len() == HEADER_LEN {
                let header = ObjectHeader::parse(&self.raw_header)?;
                self.tags = Vec::with_capacity(usize::try_from(header.chunk_count()).unwrap_or(0));
                self.header = Some(header);
            }
            return Ok(n);
        };
        let index = self.tags.len() as u64;
        if index == header.chunk_count() {
            return Err(CryptoError::TrailingData {
                extra: data.len() as u64,
            });
        }
        let frame_len = header.chunk_plaintext_len(index) + CHUNK_OVERHEAD;
        let start = self.frame_pos;
        let n = data.len().min(frame_len - start);
        let end = start + n;
        // Keep the parts of this write that fall in the index field or in the tag; frames are
        // at least CHUNK_OVERHEAD long, so the two never overlap.
        let index_end = INDEX_LEN.min(end);
        if start < index_end {
            self.index_field[start..index_end].copy_from_slice(&data[..index_end - start]);
        }
        let tag_start = frame_len - TAG_LEN;
        if end > tag_start {
            let from = start.max(tag_start);
            self.tag[from - tag_start..end - tag_start].copy_from_slice(&data[from - start..n]);
        }
        self.frame_pos = end;
        if end == frame_len {
            check_index(index, u32::from_be_bytes(self.index_field))?;
            self.tags.push(self.tag);
            self.frame_pos = 0;
        }
        Ok(n)
    }
}

impl Write for DetachedWriter {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        if data.is_empty() {
            return Ok(0);
        }
        let n = self
            .take(data)
            .map_err(|err| io::Error::new(io::ErrorKind::InvalidData, err))?;
        self.taken += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Write};

    use super::{DetachedObject, DetachedWriter};
    use crate::{
        ChunkConfig, CryptoError, Key256, KeySource, ObjectOpener, SealedObject, reseal_stream,
        seal_object_with,
    };

    fn body(len: usize) -> Vec<u8> {
        (0..len).map(|i| (i * 31 % 253) as u8).collect()
    }

    fn open(
        object: &DetachedObject,
        key: &Key256,
        aad: &[u8],
        plaintext: &[u8],
    ) -> Result<Vec<u8>, CryptoError> {
        let mut out = Vec::new();
        ObjectOpener::new(object.sealed_reader(key, aad, plaintext)?, key, aad)?
            .read_to_end(&mut out)
            .map_err(CryptoError::from_io)?;
        Ok(out)
    }

    #[test]
    fn recomputed_bytes_are_the_sealed_bytes() -> Result<(), CryptoError> {
        let mut rng = KeySource::new();
        let key = rng.key()?;
        for (chunk, len) in [
            (16, 0),
            (16, 1),
            (16, 16),
            (16, 17),
            (64, 1000),
            (1 << 18, 70_000),
        ] {
            let config = ChunkConfig::new(chunk)?;
            let plaintext = body(len);
            let sealed = seal_object_with(&key, b"ctx", &plaintext, &mut rng, &config)?;
            // Detaching stored bytes and recomputing them gives those bytes back.
            let mut writer = DetachedWriter::new();
            // One byte at a time, so every split of index field, body and tag is exercised.
            for byte in sealed.as_bytes() {
                writer.write_all(std::slice::from_ref(byte))?;
            }
            let object = writer.finish()?;
            let mut again = Vec::new();
            object
                .sealed_reader(&key, b"ctx", &plaintext[..])?
                .read_to_end(&mut again)?;
            assert_eq!(again, sealed.as_bytes(), "chunk {chunk}, length {len}");
            assert_eq!(open(&object, &key, b"ctx", &plaintext)?, plaintext);
        }
        Ok(())
    }

    #[test]
    fn reseal_between_detached_objects_really_reencrypts() -> Result<(), CryptoError> {
        let mut rng = KeySource::new();
        let (src_key, dst_key) = (rng.key()?, rng.key()?);
        let plaintext = body(5000);
        let config = ChunkConfig::new(512)?;
        let src = DetachedObject::seal(&src_key, b"src", &plaintext[..], 5000, &config, &mut rng)?;
        let mut writer = DetachedWriter::new();
        let source = src.sealed_reader(&src_key, b"src", &plaintext[..])?;
        reseal_stream(
            source,
            &mut writer,
            &src_key,
            b"src",
            &dst_key,
            b"dst",
            &mut rng,
        )?;
        let dst = writer.finish()?;
        assert_eq!(open(&dst, &dst_key, b"dst", &plaintext)?, plaintext);
        // The replica's tags are its own: the source key or context does not open it.
        assert!(open(&dst, &src_key, b"dst", &plaintext).is_err());
        assert!(open(&dst, &dst_key, b"src", &plaintext).is_err());
        Ok(())
    }

    #[test]
    fn wrong_key_context_plaintext_or_tag_fails_authentication() -> Result<(), CryptoError> {
        let mut rng = KeySource::new();
        let (key, other) = (rng.key()?, rng.key()?);
        let plaintext = body(3000);
        let config = ChunkConfig::new(1024)?;
        let object = DetachedObject::seal(&key, b"ctx", &plaintext[..], 3000, &config, &mut rng)?;
        let chunk_failure = |res: Result<Vec<u8>, CryptoError>| {
            matches!(
                res,
                Err(CryptoError::ChunkAuthenticationFailed { index: 0 })
            )
        };
        assert!(chunk_failure(open(&object, &other, b"ctx", &plaintext)));
        assert!(chunk_failure(open(&object, &key, b"ctx2", &plaintext)));
        let mut changed = plaintext.clone();
        changed[10] ^= 1;
        assert!(chunk_failure(open(&object, &key, b"ctx", &changed)));
        let mut tampered = object.clone();
        tampered.tags[2][0] ^= 1;
        assert!(matches!(
            open(&tampered, &key, b"ctx", &plaintext),
            Err(CryptoError::ChunkAuthenticationFailed { index: 2 })
        ));
        // A plaintext that ends early is reported as such, not as a forgery.
        assert!(matches!(
            open(&object, &key, b"ctx", &plaintext[..2000]),
            Err(CryptoError::Truncated { .. } | CryptoError::Io(_))
        ));
        Ok(())
    }

    #[test]
    fn writer_checks_structure_like_from_bytes() -> Result<(), CryptoError> {
        let mut rng = KeySource::new();
        let key = rng.key()?;
        let sealed = seal_object_with(&key, b"ctx", &body(100), &mut rng, &ChunkConfig::new(32)?)?;
        let bytes = sealed.as_bytes();
        let detach = |bytes: &[u8]| -> Result<DetachedObject, CryptoError> {
            let mut writer = DetachedWriter::new();
            writer.write_all(bytes).map_err(CryptoError::from_io)?;
            writer.finish()
        };
        assert!(matches!(
            detach(&bytes[..bytes.len() - 1]),
            Err(CryptoError::Truncated { .. })
        ));
        assert!(matches!(
            detach(&bytes[..10]),
            Err(CryptoError::Truncated {
                what: "object header",
                ..
            })
        ));
        let mut longer = bytes.to_vec();
        longer.push(0);
        assert!(matches!(
            detach(&longer),
            Err(CryptoError::TrailingData { extra: 1 })
        ));
        // Swap the first two frames (32 + 20 bytes each): out of order, as from_bytes says.
        let frame = 32 + crate::CHUNK_OVERHEAD;
        let mut swapped = bytes.to_vec();
        swapped[crate::HEADER_LEN..crate::HEADER_LEN + 2 * frame].rotate_left(frame);
        let expected = SealedObject::from_bytes(swapped.clone())
            .map(|_| ())
            .unwrap_err();
        assert_eq!(
            detach(&swapped).map(|_| ()).unwrap_err().to_string(),
            expected.to_string()
        );
        Ok(())
    }
}
