//! Peak memory of streaming re-encryption: re-encrypts a large object (1 GiB by default) through
//! pipes and prints this process's peak resident set size, for `cargo xtask bench`.
//!
//! Usage: `stream-rss [SIZE_MIB]`. Prints one `key: value` line per figure.

use std::process::ExitCode;

use replication_benches::{MIB, current_rss_kib, peak_rss_kib, stream_reencrypt};
use replication_crypto::ChunkConfig;

fn main() -> ExitCode {
    let size_mib: u64 = match std::env::args().nth(1).map(|arg| arg.parse()) {
        None => 1024,
        Some(Ok(n)) if n > 0 => n,
        Some(_) => {
            eprintln!("error: `SIZE_MIB` must be a positive whole number of MiB, e.g. `1024`");
            return ExitCode::FAILURE;
        }
    };
    let config = ChunkConfig::default();
    let before_kib = current_rss_kib().unwrap_or(0);
    // A benchmark binary measures wall time by design; the workspace lint targets library code.
    #[allow(clippy::disallowed_methods)]
    let start = std::time::Instant::now();
    let report = match stream_reencrypt(size_mib * MIB as u64, &config) {
        Ok(report) => report,
        Err(err) => {
            eprintln!("error: streaming re-encryption failed: {err}");
            return ExitCode::FAILURE;
        }
    };
    let seconds = start.elapsed().as_secs_f64();
    let peak_kib = match peak_rss_kib() {
        Ok(kib) => kib,
        Err(err) => {
            eprintln!("error: cannot read the peak RSS (`VmHWM` in /proc/self/status): {err}");
            return ExitCode::FAILURE;
        }
    };
    println!("stream-bytes: {}", report.bytes);
    println!("stream-verified-bytes: {}", report.verified);
    println!("stream-chunk-size: {}", config.chunk_size());
    println!("stream-seconds: {seconds:.3}");
    println!("stream-rss-before-kib: {before_kib}");
    println!("stream-peak-rss-kib: {peak_kib}");
    ExitCode::SUCCESS
}
