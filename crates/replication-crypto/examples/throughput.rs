//! Prints what the crypto paths reach in the profile this example was built with, so the effect
//! of `[profile.dev.package.*]` settings on `cargo xtask scenarios` and `cargo test` can be
//! measured: `cargo run -p replication-crypto --example throughput [MiB]` (dev profile) or
//! `cargo run -p replication-crypto --example throughput --profile test`.
//!
//! It reports figures, it asserts nothing: timing depends on the machine. Besides wall-clock
//! speed it prints speed per second of CPU time (from Linux's `/proc/thread-self/schedstat`),
//! which stays meaningful on a machine other jobs share. Criterion benches (`cargo xtask bench`)
//! are the place for tracked numbers.

use std::time::{Duration, Instant};

use replication_crypto::backend::{Aead256, DefaultBackend};
use replication_crypto::{KeySource, open_object, reseal_object, seal_object};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mib: usize = match std::env::args().nth(1) {
        Some(arg) => arg
            .parse()
            .map_err(|_| format!("expected a size in MiB, found `{arg}`"))?,
        None => 64,
    };
    let len = mib << 20;
    let plaintext: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
    let mut rng = KeySource::new();
    let (src, dst) = (rng.key()?, rng.key()?);

    let (sealed, seal) = timed(|| seal_object(&src, b"src", &plaintext, &mut rng))?;
    let (_, open) = timed(|| open_object(&src, b"src", &sealed))?;
    let (_, reseal) = timed(|| reseal_object(&src, b"src", &sealed, &dst, b"dst", &mut rng))?;

    let assertions = if cfg!(debug_assertions) { "on" } else { "off" };
    println!(
        "{mib} MiB, {} backend, debug assertions {assertions}",
        DefaultBackend::NAME
    );
    let mb_per_s = |took: Duration| len as f64 / took.as_secs_f64() / 1e6;
    for (what, took) in [("seal", seal), ("open", open), ("reseal", reseal)] {
        let cpu = took
            .cpu
            .map_or_else(|| "n/a".to_owned(), |cpu| format!("{:.1}", mb_per_s(cpu)));
        println!(
            "{what:>7}: {:>9.1} MB/s wall, {cpu:>9} MB/s per CPU second",
            mb_per_s(took.wall)
        );
    }
    Ok(())
}

/// How long a step took: wall clock, and CPU time of this thread where Linux tells it.
#[derive(Debug, Clone, Copy)]
struct Took {
    wall: Duration,
    cpu: Option<Duration>,
}

#[allow(
    clippy::disallowed_methods,
    reason = "this example exists to measure wall-clock speed; the model never sees it"
)]
fn timed<T, E>(f: impl FnOnce() -> Result<T, E>) -> Result<(T, Took), E> {
    let cpu_start = thread_cpu_time();
    let start = Instant::now();
    let out = f()?;
    let wall = start.elapsed();
    let cpu = thread_cpu_time()
        .zip(cpu_start)
        .map(|(end, start)| end.saturating_sub(start));
    Ok((out, Took { wall, cpu }))
}

/// This thread's time on a CPU so far: the first field of `/proc/thread-self/schedstat`, in ns.
fn thread_cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns = stat.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(ns))
}
