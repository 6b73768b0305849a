//! Streaming the sealed-object format over `std::io`, for objects that do not fit in memory.
//!
//! [`ObjectSealer`] writes, [`ObjectOpener`] reads, and [`reseal_stream`] re-encrypts from a
//! reader to a writer. Each holds one chunk frame of memory (chunk size + 20 bytes), whatever the
//! object size, so re-encrypting a 1 GiB object with the default chunk size needs 256 KiB.
//!
//! Streaming releases plaintext one authenticated chunk at a time, before later chunks have been
//! read: a reader that gets an error part-way must discard what it received from that object
//! (STREAM guarantees the received prefix is authentic, but not that it is the whole object).

use std::fmt;
use std::io::{self, Read, Write};

use zeroize::Zeroizing;

use crate::CryptoError;
use crate::backend::{Aead256, DefaultBackend, TAG_LEN};
use crate::key::{Key256, KeySource};
use crate::object::{
    CHUNK_OVERHEAD, ChunkConfig, HEADER_LEN, INDEX_LEN, ObjectCipher, ObjectHeader, check_index,
};

/// Seals a plaintext of known length into the sealed-object format as it is written.
///
/// The length goes in the header (which every chunk authenticates), so it must be known up front,
/// as S3 knows `Content-Length` before the body. [`ObjectSealer::finish`] checks it was met.
///
/// ```
/// use std::io::Write;
/// use replication_crypto::{open_object, ChunkConfig, KeySource, ObjectSealer, SealedObject};
/// let mut rng = KeySource::new();
/// let key = rng.key()?;
/// let mut sealer = ObjectSealer::new(Vec::new(), &key, b"ctx", 11, &ChunkConfig::default(), &mut rng)?;
/// sealer.write_all(b"hello ")?;
/// sealer.write_all(b"world")?;
/// let sealed = SealedObject::from_bytes(sealer.finish()?)?;
/// assert_eq!(open_object(&key, b"ctx", &sealed)?, b"hello world");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct ObjectSealer<W: Write> {
    writer: W,
    cipher: ObjectCipher<DefaultBackend>,
    header: ObjectHeader,
    /// The current frame: index field, then the plaintext gathered so far (wiped on drop).
    frame: Zeroizing<Vec<u8>>,
    index: u64,
    written: u64,
}

impl<W: Write> fmt::Debug for ObjectSealer<W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ObjectSealer")
            .field("header", &self.header)
            .field("written", &self.written)
            .finish_non_exhaustive()
    }
}

impl<W: Write> ObjectSealer<W> {
    /// Writes the header of a `plaintext_len`-byte object to `writer` and prepares to seal.
    ///
    /// # Errors
    /// [`CryptoError::Random`], [`CryptoError::TooLong`], or [`CryptoError::Io`] from `writer`.
    pub fn new(
        mut writer: W,
        key: &Key256,
        aad: &[u8],
        plaintext_len: u64,
        config: &ChunkConfig,
        rng: &mut KeySource,
    ) -> Result<Self, CryptoError> {
        let header = ObjectHeader::fresh(config.chunk_size(), plaintext_len, rng)?;
        let cipher = ObjectCipher::new(key, &header, aad)?;
        writer.write_all(&header.encode())?;
        let mut frame = Zeroizing::new(Vec::with_capacity(
            config.chunk_size() as usize + CHUNK_OVERHEAD,
        ));
        frame.extend_from_slice(&0u32.to_be_bytes());
        Ok(ObjectSealer {
            writer,
            cipher,
            header,
            frame,
            index: 0,
            written: 0,
        })
    }

    /// The header written for this object.
    #[must_use]
    pub fn header(&self) -> &ObjectHeader {
        &self.header
    }

    /// Seals the last chunk, flushes, and returns the writer.
    ///
    /// # Errors
    /// [`CryptoError::LengthMismatch`] if fewer bytes were written than announced;
    /// [`CryptoError::Io`] from the writer.
    pub fn finish(mut self) -> Result<W, CryptoError> {
        if self.written != self.header.plaintext_len() {
            return Err(CryptoError::LengthMismatch {
                declared: self.header.plaintext_len(),
                written: self.written,
            });
        }
        // Full chunks are sealed as soon as the next byte arrives; whatever is buffered now
        // (possibly an empty chunk for an empty object) is the last chunk.
        if self.index < self.header.chunk_count() {
            self.seal_frame()?;
        }
        self.writer.flush()?;
        let ObjectSealer { writer, .. } = self;
        Ok(writer)
    }

    fn seal_frame(&mut self) -> Result<(), CryptoError> {
        let tag = self
            .cipher
            .seal_default(self.index, &mut self.frame[INDEX_LEN..])?;
        self.frame.extend_from_slice(&tag);
        self.writer.write_all(&self.frame)?;
        self.index += 1;
        self.frame.clear();
        self.frame
            .extend_from_slice(&(self.index as u32).to_be_bytes());
        Ok(())
    }
}

impl<W: Write> Write for ObjectSealer<W> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        if data.is_empty() {
            return Ok(0);
        }
        let remaining = self.header.plaintext_len() - self.written;
        if data.len() as u64 > remaining {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                CryptoError::LengthMismatch {
                    declared: self.header.plaintext_len(),
                    written: self.written + data.len() as u64,
                },
            ));
        }
        let chunk_size = self.header.chunk_size() as usize;
        if self.frame.len() - INDEX_LEN == chunk_size {
            // A full chunk followed by more data cannot be the last one: seal it now.
            self.seal_frame().map_err(io::Error::other)?;
        }
        let take = data.len().min(chunk_size - (self.frame.len() - INDEX_LEN));
        self.frame.extend_from_slice(&data[..take]);
        self.written += take as u64;
        Ok(take)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.writer.flush()
    }
}

/// Reads a sealed object frame by frame, checking structure (length, order, trailing bytes)
/// before any chunk is decrypted. Shared by [`ObjectOpener`] and [`reseal_stream`].
struct FrameReader<R: Read> {
    reader: R,
    header: ObjectHeader,
    /// Index of the next frame to read.
    index: u64,
    /// Sealed bytes consumed so far, for truncation messages.
    consumed: u64,
    /// The current frame (index field, ciphertext or plaintext, tag); wiped on drop.
    frame: Zeroizing<Vec<u8>>,
}

/// How many trailing bytes a stream reader counts before it reports them.
const TRAILING_PROBE: u64 = 64 * 1024;

impl<R: Read> FrameReader<R> {
    fn new(mut reader: R) -> Result<Self, CryptoError> {
        let mut raw = [0u8; HEADER_LEN];
        let n = read_full(&mut reader, &mut raw)?;
        let header = ObjectHeader::parse(&raw[..n])?;
        let frame = Zeroizing::new(Vec::with_capacity(
            header.chunk_size() as usize + CHUNK_OVERHEAD,
        ));
        Ok(FrameReader {
            reader,
            header,
            index: 0,
            consumed: HEADER_LEN as u64,
            frame,
        })
    }

    /// Reads the next frame into `self.frame`; returns its index and ciphertext length, or `None`
    /// after the last one. The last frame is returned only once the stream has ended after it.
    fn next_frame(&mut self) -> Result<Option<(u64, usize)>, CryptoError> {
        let FrameReader {
            reader,
            header,
            index,
            consumed,
            frame,
        } = self;
        next_frame(reader, header, index, consumed, frame)
    }

    /// Splits the current frame into (ciphertext or plaintext, tag).
    fn body_and_tag(&mut self, ct_len: usize) -> (&mut [u8], [u8; TAG_LEN]) {
        let (body, tag) = self.frame[INDEX_LEN..].split_at_mut(ct_len);
        let mut tag_bytes = [0u8; TAG_LEN];
        tag_bytes.copy_from_slice(tag);
        (body, tag_bytes)
    }
}

/// [`FrameReader::next_frame`], not generic over the reader.
///
/// The streaming types are generic over `Read`/`Write`, so their code is compiled in the crate
/// that uses them, at that crate's optimisation level, and so is every generic cipher function
/// they call. The per-chunk work therefore goes through functions that are not generic (this one,
/// [`read_full`], `ObjectCipher<DefaultBackend>`'s `*_default` methods, [`reseal_default`]), which
/// are compiled here: the dev profile optimises this crate (see the workspace `Cargo.toml`), and
/// that is what keeps a multi-GiB object fast under `cargo xtask scenarios` and `cargo test`.
fn next_frame(
    reader: &mut dyn Read,
    header: &ObjectHeader,
    next_index: &mut u64,
    consumed: &mut u64,
    frame: &mut Vec<u8>,
) -> Result<Option<(u64, usize)>, CryptoError> {
    let index = *next_index;
    if index == header.chunk_count() {
        return Ok(None);
    }
    let ct_len = header.chunk_plaintext_len(index);
    frame.resize(ct_len + CHUNK_OVERHEAD, 0);
    let n = read_full(reader, frame)?;
    *consumed += n as u64;
    if n < frame.len() {
        return Err(CryptoError::Truncated {
            what: "sealed object",
            expected: header.sealed_len()?,
            found: *consumed,
        });
    }
    let mut field = [0u8; INDEX_LEN];
    field.copy_from_slice(&frame[..INDEX_LEN]);
    check_index(index, u32::from_be_bytes(field))?;
    if index + 1 == header.chunk_count() {
        let extra = io::copy(&mut reader.take(TRAILING_PROBE), &mut io::sink())?;
        if extra > 0 {
            return Err(CryptoError::TrailingData { extra });
        }
    }
    *next_index += 1;
    Ok(Some((index, ct_len)))
}

/// Reads into `buf` until it is full or the reader ends; returns how many bytes were read.
pub(crate) fn read_full(reader: &mut dyn Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
            Err(err) => return Err(err),
        }
    }
    Ok(filled)
}

/// Authenticates and decrypts a sealed object from a reader, one chunk at a time.
///
/// Use [`ObjectOpener::read_chunk`] to get each verified chunk, or the `Read` impl to copy the
/// plaintext somewhere (`std::io::copy`). Errors from `Read` carry the [`CryptoError`] as their
/// inner error. After any error the opener stays failed.
///
/// ```
/// use std::io::Read;
/// use replication_crypto::{seal_object, KeySource, ObjectOpener};
/// let mut rng = KeySource::new();
/// let key = rng.key()?;
/// let sealed = seal_object(&key, b"ctx", b"streamed", &mut rng)?;
/// let mut opener = ObjectOpener::new(sealed.as_bytes(), &key, b"ctx")?;
/// let mut plaintext = Vec::new();
/// opener.read_to_end(&mut plaintext)?;
/// assert_eq!(plaintext, b"streamed");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct ObjectOpener<R: Read> {
    frames: FrameReader<R>,
    cipher: ObjectCipher<DefaultBackend>,
    /// Unread plaintext of the current chunk: `frames.frame[pos..end]`.
    pos: usize,
    end: usize,
    failed: bool,
}

impl<R: Read> fmt::Debug for ObjectOpener<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ObjectOpener")
            .field("header", &self.frames.header)
            .field("next_chunk", &self.frames.index)
            .field("failed", &self.failed)
            .finish_non_exhaustive()
    }
}

impl<R: Read> ObjectOpener<R> {
    /// Reads and checks the header from `reader`, and prepares to open with `key` and `aad`.
    ///
    /// # Errors
    /// Header errors as [`ObjectHeader::parse`]; [`CryptoError::Io`] from the reader.
    pub fn new(reader: R, key: &Key256, aad: &[u8]) -> Result<Self, CryptoError> {
        let frames = FrameReader::new(reader)?;
        let cipher = ObjectCipher::new(key, &frames.header, aad)?;
        Ok(ObjectOpener {
            frames,
            cipher,
            pos: 0,
            end: 0,
            failed: false,
        })
    }

    /// The object's header.
    #[must_use]
    pub fn header(&self) -> &ObjectHeader {
        &self.frames.header
    }

    /// The next authenticated chunk of plaintext, or `None` once the whole object has been read
    /// and the stream has ended exactly after it.
    ///
    /// # Errors
    /// [`CryptoError::ChunkAuthenticationFailed`], [`CryptoError::Truncated`],
    /// [`CryptoError::TrailingData`], [`CryptoError::ChunkOutOfOrder`], [`CryptoError::Io`].
    pub fn read_chunk(&mut self) -> Result<Option<&[u8]>, CryptoError> {
        match self.advance()? {
            false => Ok(None),
            true => Ok(Some(&self.frames.frame[self.pos..self.end])),
        }
    }

    /// Opens the next chunk in place; on success `frame[pos..end]` is its plaintext.
    fn advance(&mut self) -> Result<bool, CryptoError> {
        if self.failed {
            return Err(CryptoError::Io(io::Error::other(
                "an earlier chunk of this sealed object failed; discard the object",
            )));
        }
        let res = self.open_next();
        if res.is_err() {
            self.failed = true;
            self.pos = 0;
            self.end = 0;
        }
        res
    }

    fn open_next(&mut self) -> Result<bool, CryptoError> {
        let Some((index, ct_len)) = self.frames.next_frame()? else {
            self.pos = 0;
            self.end = 0;
            return Ok(false);
        };
        let (body, tag) = self.frames.body_and_tag(ct_len);
        self.cipher.open_default(index, body, &tag)?;
        self.pos = INDEX_LEN;
        self.end = INDEX_LEN + ct_len;
        Ok(true)
    }
}

impl<R: Read> Read for ObjectOpener<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        // Loop because a chunk may be empty (only an empty object has one, as its last chunk).
        while self.pos == self.end {
            let more = self
                .advance()
                .map_err(|err| io::Error::new(io::ErrorKind::InvalidData, err))?;
            if !more {
                return Ok(0);
            }
        }
        let n = buf.len().min(self.end - self.pos);
        buf[..n].copy_from_slice(&self.frames.frame[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

/// Re-encrypts a sealed object from `reader` to `writer`, one chunk in memory at a time.
///
/// Memory is one chunk frame whatever the object size. The output is written as it is produced:
/// if this returns an error, `writer` holds a partial object that must be discarded (it will not
/// open: its missing chunks make it truncated). Returns the replica's header.
///
/// ```
/// use replication_crypto::{open_object, reseal_stream, seal_object, KeySource, SealedObject};
/// let mut rng = KeySource::new();
/// let (src_key, dst_key) = (rng.key()?, rng.key()?);
/// let src = seal_object(&src_key, b"src", b"payload", &mut rng)?;
/// let mut out = Vec::new();
/// reseal_stream(src.as_bytes(), &mut out, &src_key, b"src", &dst_key, b"dst", &mut rng)?;
/// let dst = SealedObject::from_bytes(out)?;
/// assert_eq!(open_object(&dst_key, b"dst", &dst)?, b"payload");
/// # Ok::<(), replication_crypto::CryptoError>(())
/// ```
///
/// # Errors
/// As [`ObjectOpener::read_chunk`], plus [`CryptoError::Io`] from the writer.
pub fn reseal_stream<R: Read, W: Write>(
    reader: R,
    writer: W,
    src_key: &Key256,
    src_aad: &[u8],
    dst_key: &Key256,
    dst_aad: &[u8],
    rng: &mut KeySource,
) -> Result<ObjectHeader, CryptoError> {
    let (mut reader, mut writer) = (reader, writer);
    reseal_default(
        &mut reader,
        &mut writer,
        src_key,
        src_aad,
        dst_key,
        dst_aad,
        rng,
    )
}

/// [`reseal_stream`] with the default backend, not generic (see [`next_frame`] for why).
fn reseal_default(
    reader: &mut dyn Read,
    writer: &mut dyn Write,
    src_key: &Key256,
    src_aad: &[u8],
    dst_key: &Key256,
    dst_aad: &[u8],
    rng: &mut KeySource,
) -> Result<ObjectHeader, CryptoError> {
    reseal_stream_with_backend::<DefaultBackend, DefaultBackend>(
        reader, writer, src_key, src_aad, dst_key, dst_aad, rng,
    )
}

pub(crate) fn reseal_stream_with_backend<S: Aead256, D: Aead256>(
    reader: &mut dyn Read,
    writer: &mut dyn Write,
    src_key: &Key256,
    src_aad: &[u8],
    dst_key: &Key256,
    dst_aad: &[u8],
    rng: &mut KeySource,
) -> Result<ObjectHeader, CryptoError> {
    let mut frames = FrameReader::new(reader)?;
    let src_cipher = ObjectCipher::<S>::new(src_key, &frames.header, src_aad)?;
    let header = ObjectHeader::fresh(
        frames.header.chunk_size(),
        frames.header.plaintext_len(),
        rng,
    )?;
    let dst_cipher = ObjectCipher::<D>::new(dst_key, &header, dst_aad)?;
    writer.write_all(&header.encode())?;
    while let Some((index, ct_len)) = frames.next_frame()? {
        // The frame keeps its index field; the body is re-encrypted in place, the tag replaced.
        let (body, tag) = frames.body_and_tag(ct_len);
        src_cipher.open_chunk(index, body, &tag)?;
        let new_tag = dst_cipher.seal_chunk(index, body)?;
        let frame_len = frames.frame.len();
        frames.frame[frame_len - TAG_LEN..].copy_from_slice(&new_tag);
        writer.write_all(&frames.frame)?;
    }
    writer.flush()?;
    Ok(header)
}
