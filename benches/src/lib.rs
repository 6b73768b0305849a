//! Shared helpers for the criterion benchmarks under `benches/benches/` and the `stream-rss` probe.
//!
//! `cargo xtask bench` runs them; see `docs/benchmarks.md` for what each one measures and why.

pub mod scenarios;

use std::io::{self, Read, Write};
use std::num::NonZeroUsize;

use replication_crypto::{
    ChunkConfig, CryptoError, Key256, KeySource, ObjectOpener, ObjectSealer, PreparedKey,
    ResealConfig, SealedObject, WrappedKey, reseal_object_with, seal_object,
};

/// One kibibyte.
pub const KIB: usize = 1024;
/// One mebibyte.
pub const MIB: usize = 1024 * KIB;

/// Environment variable `cargo xtask bench --quick` sets so benches shrink their workloads.
pub const QUICK_ENV: &str = "REPLICATION_BENCH_QUICK";

/// Whether the run is a quick one (fewer objects, shorter measurement).
#[must_use]
pub fn quick() -> bool {
    std::env::var_os(QUICK_ENV).is_some_and(|v| v == "1")
}

/// Threads the machine offers (at least one).
#[must_use]
pub fn all_threads() -> NonZeroUsize {
    std::thread::available_parallelism().unwrap_or(NonZeroUsize::MIN)
}

/// Human label for a byte size: `1KiB`, `16MiB`, `1GiB`.
#[must_use]
pub fn size_label(bytes: usize) -> String {
    match bytes {
        b if b >= 1024 * MIB && b % (1024 * MIB) == 0 => format!("{}GiB", b / (1024 * MIB)),
        b if b >= MIB && b % MIB == 0 => format!("{}MiB", b / MIB),
        b if b >= KIB && b % KIB == 0 => format!("{}KiB", b / KIB),
        b => format!("{b}B"),
    }
}

/// Deterministic, incompressible-looking filler (xorshift64*), so runs are comparable.
#[must_use]
pub fn filler(len: usize, seed: u64) -> Vec<u8> {
    let mut state = seed | 1;
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        out.extend_from_slice(&state.wrapping_mul(0x2545_F491_4F6C_DD1D).to_le_bytes());
    }
    out.truncate(len);
    out
}

/// The encryption context bytes of an object, as S3 binds them (`aws:s3:arn`).
#[must_use]
pub fn object_context(bucket: &str, key: &str) -> Vec<u8> {
    format!("{{\"aws:s3:arn\":\"arn:aws:s3:::{bucket}/{key}\"}}").into_bytes()
}

/// One stored object version as the envelope keeps it: sealed body plus wrapped data key.
#[derive(Debug, Clone)]
pub struct StoredObject {
    /// The sealed body.
    pub body: SealedObject,
    /// The data key, wrapped under the bucket's root key (SSE-S3) or a KMS key (SSE-KMS).
    pub wrapped_key: WrappedKey,
    /// Encryption context bound to both.
    pub context: Vec<u8>,
}

/// Two root keys (source and destination Region) with their ciphers built once, as an engine
/// keeps them, and the per-object envelope operations between them.
#[derive(Debug)]
pub struct Envelope {
    src_root: PreparedKey,
    dst_root: PreparedKey,
}

impl Envelope {
    /// Fresh random root keys.
    ///
    /// # Errors
    /// [`CryptoError::Random`] if the OS generator fails.
    pub fn new(rng: &mut KeySource) -> Result<Self, CryptoError> {
        Ok(Envelope {
            src_root: PreparedKey::new(&rng.key()?)?,
            dst_root: PreparedKey::new(&rng.key()?)?,
        })
    }

    /// Put: a fresh data key seals `body`; the source root key wraps the data key.
    ///
    /// # Errors
    /// As [`seal_object`].
    pub fn put(
        &self,
        context: Vec<u8>,
        body: &[u8],
        rng: &mut KeySource,
    ) -> Result<StoredObject, CryptoError> {
        let data_key = rng.key()?;
        Ok(StoredObject {
            body: seal_object(&data_key, &context, body, rng)?,
            wrapped_key: self.src_root.wrap(&context, &data_key, rng)?,
            context,
        })
    }

    /// The bare envelope cycle of one replication: unwrap the source data key, re-encrypt the body
    /// under a new data key and the destination context, wrap the new key for the destination.
    /// `config` chooses threads and a recycled output buffer (see [`ResealConfig`]).
    ///
    /// # Errors
    /// [`CryptoError::ChunkAuthenticationFailed`] and friends if `src` does not open.
    pub fn replicate(
        &self,
        src: &StoredObject,
        dst_context: &[u8],
        rng: &mut KeySource,
        config: ResealConfig,
    ) -> Result<StoredObject, CryptoError> {
        let src_key = self.unwrap_source(src)?;
        let dst_key = rng.key()?;
        let body = reseal_object_with(
            &src_key,
            &src.context,
            &src.body,
            &dst_key,
            dst_context,
            rng,
            config,
        )?;
        Ok(StoredObject {
            body,
            wrapped_key: self.wrap_destination(dst_context, &dst_key, rng)?,
            context: dst_context.to_vec(),
        })
    }

    /// The data key of a source object.
    ///
    /// # Errors
    /// [`CryptoError::AuthenticationFailed`] if the wrapped key does not open.
    pub fn unwrap_source(&self, src: &StoredObject) -> Result<Key256, CryptoError> {
        self.src_root.unwrap(&src.context, &src.wrapped_key)
    }

    /// Wraps a replica's data key under the destination root key.
    ///
    /// # Errors
    /// [`CryptoError::Random`] if the OS generator fails.
    pub fn wrap_destination(
        &self,
        context: &[u8],
        key: &Key256,
        rng: &mut KeySource,
    ) -> Result<WrappedKey, CryptoError> {
        self.dst_root.wrap(context, key, rng)
    }
}

/// What [`stream_reencrypt`] observed.
#[derive(Debug, Clone, Copy)]
pub struct StreamReport {
    /// Plaintext bytes that went through sealer, resealer and verifier.
    pub bytes: u64,
    /// Plaintext bytes the verifier checked against the source pattern.
    pub verified: u64,
}

/// Seals `total` bytes into a pipe, re-encrypts them from that pipe into a second pipe with
/// [`replication_crypto::reseal_stream`], and opens and checks the result from the second pipe,
/// in three threads. No stage ever holds more than a chunk or a pattern block, so the process's
/// peak memory shows what streaming re-encryption needs, whatever `total` is.
///
/// # Errors
/// Any error of the three stages.
pub fn stream_reencrypt(total: u64, config: &ChunkConfig) -> Result<StreamReport, CryptoError> {
    const PATTERN_LEN: usize = MIB;
    let pattern = filler(PATTERN_LEN, 77);
    let mut rng = KeySource::new();
    let (src_key, dst_key) = (rng.key()?, rng.key()?);
    let src_ctx = object_context("source", "large.bin");
    let dst_ctx = object_context("destination", "large.bin");
    let (src_reader, src_writer) = io::pipe()?;
    let (dst_reader, dst_writer) = io::pipe()?;

    std::thread::scope(|scope| {
        let producer = scope.spawn(|| -> Result<(), CryptoError> {
            let mut rng = KeySource::new();
            let mut sealer =
                ObjectSealer::new(src_writer, &src_key, &src_ctx, total, config, &mut rng)?;
            let mut left = total;
            while left > 0 {
                let take = left.min(PATTERN_LEN as u64) as usize;
                sealer.write_all(&pattern[..take])?;
                left -= take as u64;
            }
            sealer.finish()?;
            Ok(())
        });
        let verifier = scope.spawn(|| -> Result<u64, CryptoError> {
            let mut opener = ObjectOpener::new(dst_reader, &dst_key, &dst_ctx)?;
            let mut buf = vec![0u8; 64 * KIB];
            let mut offset = 0usize;
            let mut verified = 0u64;
            loop {
                let n = opener.read(&mut buf)?;
                if n == 0 {
                    break;
                }
                for (i, byte) in buf[..n].iter().enumerate() {
                    if *byte != pattern[(offset + i) % PATTERN_LEN] {
                        return Err(CryptoError::Io(io::Error::other(format!(
                            "replica plaintext differs from the source at byte {}",
                            verified + i as u64
                        ))));
                    }
                }
                offset = (offset + n) % PATTERN_LEN;
                verified += n as u64;
            }
            Ok(verified)
        });
        let mut rng = KeySource::new();
        let resealed = replication_crypto::reseal_stream(
            src_reader, dst_writer, &src_key, &src_ctx, &dst_key, &dst_ctx, &mut rng,
        );
        let produced = join(producer);
        let verified = join(verifier);
        let header = resealed?;
        produced?;
        Ok(StreamReport {
            bytes: header.plaintext_len(),
            verified: verified?,
        })
    })
}

fn join<T>(
    handle: std::thread::ScopedJoinHandle<'_, Result<T, CryptoError>>,
) -> Result<T, CryptoError> {
    handle
        .join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

/// Peak resident set size of this process so far (`VmHWM`), in KiB.
///
/// # Errors
/// If `/proc/self/status` cannot be read or has no `VmHWM` line (not Linux).
pub fn peak_rss_kib() -> io::Result<u64> {
    proc_status_kib("VmHWM:")
}

/// Current resident set size of this process (`VmRSS`), in KiB.
///
/// # Errors
/// As [`peak_rss_kib`].
pub fn current_rss_kib() -> io::Result<u64> {
    proc_status_kib("VmRSS:")
}

fn proc_status_kib(field: &str) -> io::Result<u64> {
    let mut status = String::new();
    std::fs::File::open("/proc/self/status")?.read_to_string(&mut status)?;
    status
        .lines()
        .find_map(|line| line.strip_prefix(field))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .ok_or_else(|| io::Error::other(format!("no `{field}` line in /proc/self/status")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn size_labels() {
        assert_eq!(size_label(KIB), "1KiB");
        assert_eq!(size_label(256 * MIB), "256MiB");
        assert_eq!(size_label(1024 * MIB), "1GiB");
        assert_eq!(size_label(1000), "1000B");
    }

    #[test]
    fn envelope_cycle_round_trips() {
        let mut rng = KeySource::new();
        let env = Envelope::new(&mut rng).unwrap();
        let body = filler(3000, 1);
        let src = env.put(object_context("a", "k"), &body, &mut rng).unwrap();
        let dst = env
            .replicate(
                &src,
                &object_context("b", "k"),
                &mut rng,
                ResealConfig::default(),
            )
            .unwrap();
        let key = env.dst_root.unwrap(&dst.context, &dst.wrapped_key).unwrap();
        let back = replication_crypto::open_object(&key, &dst.context, &dst.body).unwrap();
        assert_eq!(back, body);
    }

    #[test]
    fn streaming_probe_verifies_every_byte() {
        let report =
            stream_reencrypt(3 * MIB as u64 + 5, &ChunkConfig::new(4096).unwrap()).unwrap();
        assert_eq!(report.bytes, 3 * MIB as u64 + 5);
        assert_eq!(report.verified, report.bytes);
        assert!(peak_rss_kib().unwrap() >= current_rss_kib().unwrap());
    }
}
