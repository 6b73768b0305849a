//! Engine-level benchmarks: whole scenarios through `replication_model::run_with` (trace off),
//! and parsing and validating the shipped scenario suites.
//!
//! Replication benches time the `replicate` step alone ([`Run`] drives the steps): the puts
//! before it run in criterion's untimed setup, and the finished run is dropped outside the
//! timing. `small-objects` times the whole scenario too, puts, report and freeing included.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{
    BatchSize, BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group, criterion_main,
};
use replication_benches::quick;
use replication_benches::scenarios::{Steps, Variant, scenario_text, valid_scenario};
use replication_model::spec::Step;
use replication_model::{Run, RunConfig};

/// Objects in the small-object run (issue 5: 10,000 objects of 1 KiB).
const SMALL_OBJECTS: usize = 10_000;

fn run(valid: &replication_model::ValidSpec, threads: usize) {
    let config = RunConfig {
        trace: false,
        threads,
    };
    black_box(replication_model::run_with(valid, config).expect("scenario runs"));
}

fn small_objects(c: &mut Criterion) {
    let mut group = c.benchmark_group("engine");
    // One run takes a large fraction of a second: take ten runs, not criterion's linear ramp.
    group.sample_size(10).sampling_mode(SamplingMode::Flat);
    group.throughput(Throughput::Elements(SMALL_OBJECTS as u64));
    let full = scenario_text(
        Variant::SseS3,
        SMALL_OBJECTS,
        "1 KiB",
        Steps::PutAndReplicate,
    );
    let full = valid_scenario(&full).expect("generated scenario validates");
    group.bench_function(BenchmarkId::new("small-objects", "1KiB"), |b| {
        b.iter(|| run(&full, 1));
    });
    // The `replicate` step alone: the puts run in the untimed setup, and criterion drops the
    // finished run outside the timing, so neither the puts, the report nor freeing the world is
    // in this figure (issue 5: the full replication path of 10,000 objects, trace off).
    for (name, threads) in [
        ("small-objects-replicate-step", 1),
        ("small-objects-replicate-step-all-threads", 0),
    ] {
        group.bench_function(BenchmarkId::new(name, "1KiB"), |b| {
            b.iter_batched(
                || before_replicate(&full, threads),
                |mut run| {
                    run.step().expect("replicate runs");
                    run
                },
                BatchSize::PerIteration,
            );
        });
    }
    group.finish();
}

/// A run of `valid` with every step before its first `replicate` done.
fn before_replicate(valid: &replication_model::ValidSpec, threads: usize) -> Run<'_> {
    let config = RunConfig {
        trace: false,
        threads,
    };
    let mut run = Run::new(valid, config).expect("world builds");
    while !matches!(run.next_step(), Some(Step::Replicate) | None) {
        run.step().expect("step runs");
    }
    assert!(
        matches!(run.next_step(), Some(Step::Replicate)),
        "the scenario has a replicate step"
    );
    run
}

fn replication_variants(c: &mut Criterion) {
    let mut group = c.benchmark_group("engine-object");
    group.sample_size(10);
    let sizes: &[(&str, &str, u64)] = if quick() {
        &[("1MiB", "1 MiB", 1 << 20)]
    } else {
        &[("1MiB", "1 MiB", 1 << 20), ("16MiB", "16 MiB", 16 << 20)]
    };
    for &(label, dsl_size, bytes) in sizes {
        group.throughput(Throughput::Bytes(bytes));
        for variant in Variant::ALL {
            let text = scenario_text(variant, 1, dsl_size, Steps::PutAndReplicate);
            let valid = valid_scenario(&text).expect("generated scenario validates");
            let id = BenchmarkId::new(variant.label(), label);
            // The replicate step alone, as for the small objects.
            group.bench_function(id, |b| {
                b.iter_batched(
                    || before_replicate(&valid, 1),
                    |mut run| {
                        run.step().expect("replicate runs");
                        run
                    },
                    BatchSize::PerIteration,
                );
            });
        }
    }
    group.finish();
}

/// Every `.scenario` file under `scenarios/`, as (label, text).
fn scenario_files() -> Vec<(String, String)> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "scenario") {
                out.push(path);
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios");
    let mut paths = Vec::new();
    walk(&root, &mut paths);
    paths.sort();
    paths
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).expect("scenario file is readable");
            (p.display().to_string(), text)
        })
        .collect()
}

fn parse_and_validate(c: &mut Criterion) {
    let files = scenario_files();
    if files.is_empty() {
        eprintln!("scenario benches skipped: no `.scenario` files under `scenarios/`");
        return;
    }
    let n_scenarios: usize = files
        .iter()
        .map(|(label, text)| replication_dsl::parse_suite(label, text).map_or(0, |s| s.len()))
        .sum();
    let mut group = c.benchmark_group("scenario");
    group.throughput(Throughput::Elements(n_scenarios.max(1) as u64));
    let label = format!("{n_scenarios}-scenarios");
    group.bench_function(BenchmarkId::new("parse", &label), |b| {
        b.iter(|| {
            for (file, text) in &files {
                let _ = black_box(replication_dsl::parse_suite(file, text));
            }
        });
    });
    group.bench_function(BenchmarkId::new("parse-validate", &label), |b| {
        b.iter(|| {
            for (file, text) in &files {
                let _ = black_box(replication_dsl::validate_suite(file, text));
            }
        });
    });
    group.finish();
}

fn config() -> Criterion {
    let c = Criterion::default();
    if quick() {
        c.warm_up_time(Duration::from_millis(200))
            .measurement_time(Duration::from_millis(800))
    } else {
        c.warm_up_time(Duration::from_secs(1))
            .measurement_time(Duration::from_secs(4))
    }
}

criterion_group! {
    name = engine;
    config = config();
    targets = small_objects, replication_variants, parse_and_validate
}
criterion_main!(engine);
