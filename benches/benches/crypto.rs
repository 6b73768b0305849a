//! Crypto-level benchmarks: the AES-GCM backend alone (the baseline), the re-encryption pipeline
//! at sizes from 1 KiB to 256 MiB on one and all threads, many 1 MiB objects in parallel, and
//! the bare envelope cycle of one small object.
//!
//! `cargo xtask bench` runs this and turns the estimates into the ratios of issue 5. Pipelines
//! run in steady state, recycling the previous replica's buffer as a replicator would; the
//! `fresh-alloc` variants allocate every replica anew, to show what fresh memory costs.

use std::hint::black_box;
use std::num::NonZeroUsize;
use std::time::Duration;

use criterion::{
    BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group, criterion_main,
};
use rayon::prelude::*;
use replication_benches::{
    Envelope, KIB, MIB, StoredObject, all_threads, filler, object_context, quick, size_label,
};
use replication_crypto::backend::{Aead256, DefaultBackend, TAG_LEN};
use replication_crypto::{KeySource, ResealConfig};

/// Raw backend, in one call over a whole buffer: the limit the pipeline is compared with.
fn backend(c: &mut Criterion) {
    let mut rng = KeySource::new();
    let cipher = DefaultBackend::new(&rng.key().expect("os random")).expect("aes-256 key");
    let nonce = rng.nonce().expect("os random");
    let aad = object_context("source", "object");
    let mut group = c.benchmark_group("backend");
    for size in [256 * KIB, 16 * MIB] {
        group.throughput(Throughput::Bytes(size as u64));
        let mut buf = filler(size, 1);
        group.bench_function(BenchmarkId::new("encrypt", size_label(size)), |b| {
            b.iter(|| {
                // Encrypting the previous ciphertext again is the same work as fresh plaintext.
                black_box(
                    cipher
                        .seal_in_place_detached(&nonce, &aad, &mut buf)
                        .expect("seal"),
                )
            });
        });
        let mut ciphertext = filler(size, 2);
        let tag: [u8; TAG_LEN] = cipher
            .seal_in_place_detached(&nonce, &aad, &mut ciphertext)
            .expect("seal");
        let mut out = vec![0u8; size];
        group.bench_function(BenchmarkId::new("decrypt", size_label(size)), |b| {
            b.iter(|| {
                // Into a second buffer, so every iteration authenticates and decrypts.
                cipher
                    .open_detached_into(&nonce, &aad, &ciphertext, &tag, &mut out)
                    .expect("authentic");
                black_box(&out);
            });
        });
    }
    group.finish();
}

/// Replicates `src` again, recycling the buffer of the previous replica in `slot`.
fn replicate_recycling(
    env: &Envelope,
    src: &StoredObject,
    dst_ctx: &[u8],
    threads: NonZeroUsize,
    slot: &mut Option<StoredObject>,
    rng: &mut KeySource,
) {
    let buffer = slot
        .take()
        .map(|prev| prev.body.into_bytes())
        .unwrap_or_default();
    let config = ResealConfig { threads, buffer };
    *slot = Some(env.replicate(src, dst_ctx, rng, config).expect("reseal"));
}

/// The replication pipeline per object: unwrap, re-encrypt chunk by chunk, wrap.
fn pipeline(c: &mut Criterion) {
    let mut rng = KeySource::new();
    let env = Envelope::new(&mut rng).expect("root keys");
    let dst_ctx = object_context("destination", "object");
    let mut group = c.benchmark_group("pipeline");
    let mut sizes = vec![KIB, 64 * KIB, MIB, 16 * MIB];
    if !quick() {
        sizes.push(256 * MIB);
    }
    for size in sizes {
        let src = env
            .put(
                object_context("source", "object"),
                &filler(size, 3),
                &mut rng,
            )
            .expect("seal");
        group.throughput(Throughput::Bytes(size as u64));
        if size >= 16 * MIB {
            group.sample_size(10);
        }
        if size >= 256 * MIB {
            // A quarter of a second per run: ten runs rather than criterion's linear ramp.
            group.sampling_mode(SamplingMode::Flat);
        }
        for (name, threads) in [
            ("1-thread", NonZeroUsize::MIN),
            ("all-threads", all_threads()),
        ] {
            let mut slot = None;
            group.bench_function(BenchmarkId::new(name, size_label(size)), |b| {
                b.iter(|| replicate_recycling(&env, &src, &dst_ctx, threads, &mut slot, &mut rng));
            });
        }
        group.bench_function(
            BenchmarkId::new("1-thread-fresh-alloc", size_label(size)),
            |b| {
                b.iter(|| {
                    black_box(
                        env.replicate(&src, &dst_ctx, &mut rng, ResealConfig::default())
                            .expect("reseal"),
                    )
                });
            },
        );
    }
    group.finish();
}

/// Many 1 MiB objects, each on one thread, spread over 1 and over all threads.
fn parallel(c: &mut Criterion) {
    let n_objects = if quick() { 16 } else { 64 };
    let mut rng = KeySource::new();
    let env = Envelope::new(&mut rng).expect("root keys");
    let mut objects: Vec<(StoredObject, Option<StoredObject>)> = (0..n_objects)
        .map(|i| {
            let ctx = object_context("source", &format!("obj-{i}"));
            (env.put(ctx, &filler(MIB, i), &mut rng).expect("seal"), None)
        })
        .collect();
    let dst_ctx = object_context("destination", "obj");
    let mut group = c.benchmark_group("parallel");
    group.throughput(Throughput::Bytes(n_objects * MIB as u64));
    group.sample_size(20);
    let all = all_threads().get();
    for threads in [1, all] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("thread pool");
        let id = BenchmarkId::new("1MiB-objects", format!("{threads}-threads"));
        group.bench_function(id, |b| {
            b.iter(|| {
                pool.install(|| {
                    objects
                        .par_iter_mut()
                        .for_each_init(KeySource::new, |rng, (src, slot)| {
                            replicate_recycling(&env, src, &dst_ctx, NonZeroUsize::MIN, slot, rng);
                        });
                });
            });
        });
        let id = BenchmarkId::new("1MiB-objects-fresh-alloc", format!("{threads}-threads"));
        group.bench_function(id, |b| {
            b.iter(|| {
                pool.install(|| {
                    objects
                        .par_iter()
                        .for_each_init(KeySource::new, |rng, (src, _)| {
                            let config = ResealConfig::default();
                            black_box(env.replicate(src, &dst_ctx, rng, config).expect("reseal"));
                        });
                });
            });
        });
    }
    group.finish();
}

/// The bare envelope cycle of one 1 KiB object: what the engine's per-object work is compared to.
fn envelope(c: &mut Criterion) {
    let mut rng = KeySource::new();
    let env = Envelope::new(&mut rng).expect("root keys");
    let src = env
        .put(object_context("source", "small"), &filler(KIB, 5), &mut rng)
        .expect("seal");
    let dst_ctx = object_context("destination", "small");
    let mut group = c.benchmark_group("envelope");
    group.throughput(Throughput::Elements(1));
    group.bench_function(BenchmarkId::new("cycle", "1KiB"), |b| {
        b.iter(|| {
            black_box(
                env.replicate(&src, &dst_ctx, &mut rng, ResealConfig::default())
                    .expect("reseal"),
            )
        });
    });
    // What the engine's small-object scenario does per object, cryptographically: put (new data
    // key, seal, wrap), then replicate (the cycle above).
    let body = filler(KIB, 6);
    let src_ctx = object_context("source", "small");
    group.bench_function(BenchmarkId::new("put-and-replicate", "1KiB"), |b| {
        b.iter(|| {
            let src = env.put(src_ctx.clone(), &body, &mut rng).expect("seal");
            black_box(
                env.replicate(&src, &dst_ctx, &mut rng, ResealConfig::default())
                    .expect("reseal"),
            )
        });
    });
    group.finish();
}

fn config() -> Criterion {
    let c = Criterion::default();
    if quick() {
        c.warm_up_time(Duration::from_millis(200))
            .measurement_time(Duration::from_millis(600))
    } else {
        c.warm_up_time(Duration::from_secs(1))
            .measurement_time(Duration::from_secs(3))
    }
}

criterion_group! {
    name = crypto;
    config = config();
    targets = backend, pipeline, parallel, envelope
}
criterion_main!(crypto);
