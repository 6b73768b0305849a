//! `cargo xtask bench`: runs the criterion benches of `replication-benches` and the streaming
//! peak-memory probe, then prints the summary table of issue 5 (ratios against their targets).
//!
//! Benches are built with `-C target-cpu=native` (AES-NI, CLMUL and VAES are then inlined
//! instead of dispatched at run time, which roughly doubles `aes-gcm`'s throughput) into a
//! target directory of their own, `<target>/bench`, so that the flag does not invalidate the
//! normal build. Criterion keeps its reports under `<target>/bench/criterion-<backend>`, and the
//! summary table is also saved to `<target>/bench/summary-<backend>.txt`.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context as _, bail};

const PACKAGE: &str = "replication-benches";
const BENCHES: &[&str] = &["crypto", "engine"];
/// Objects in the engine's small-object run (`benches/benches/engine.rs`).
const SMALL_OBJECTS: f64 = 10_000.0;
const NATIVE_FLAGS: &str = "-C target-cpu=native";
/// What `benches/src/lib.rs` reads to shrink workloads in quick runs.
const QUICK_ENV: &str = "REPLICATION_BENCH_QUICK";
/// Size of the object the streaming probe re-encrypts.
const STREAM_MIB: u32 = 1024;
const PIPELINE_SIZE: &str = "16MiB";

const HELP: &str = "\
usage: cargo xtask bench [--quick] [--backend aes-gcm|aws-lc-rs]

Runs the criterion benches of `replication-benches` (built with `-C target-cpu=native`) and the
1 GiB streaming re-encryption probe, then prints the summary table.

  --quick                 shorter measurements and smaller workloads (about a minute after the build)
  --backend aes-gcm       RustCrypto aes-gcm, the default backend
  --backend aws-lc-rs     AWS-LC through aws-lc-rs (the `aws-lc-rs` cargo feature)
";

/// Which AES-GCM implementation the benches are built with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Backend {
    AesGcm,
    AwsLc,
}

impl Backend {
    fn name(self) -> &'static str {
        match self {
            Backend::AesGcm => "aes-gcm",
            Backend::AwsLc => "aws-lc-rs",
        }
    }
}

#[derive(Debug)]
struct Options {
    quick: bool,
    backend: Backend,
}

/// Entry point of `cargo xtask bench`.
pub fn run(args: &[String]) -> anyhow::Result<()> {
    let Some(opts) = parse_args(args)? else {
        print!("{HELP}");
        return Ok(());
    };
    let root = xtask::project_root()?;
    let target = bench_target_dir(&root);
    // One criterion directory per backend, so criterion compares each run with the previous run
    // of the same backend and the two backends' reports stay side by side.
    let criterion_home = target.join(format!("criterion-{}", opts.backend.name()));
    fs::create_dir_all(&criterion_home)
        .with_context(|| format!("cannot create `{}`", criterion_home.display()))?;

    let load = LoadCheck::read();
    if let Some(warning) = load.warning() {
        eprintln!("warning: {warning}");
    }

    // Estimates older than this marker come from an earlier run and must not be reported.
    let marker = target.join(format!("last-run-{}", opts.backend.name()));
    fs::write(&marker, b"cargo xtask bench\n")
        .with_context(|| format!("cannot write `{}`", marker.display()))?;

    run_criterion(&root, &target, &criterion_home, &opts)?;
    let stream = run_stream_probe(&root, &target, &opts)?;
    let summary = Summary::collect(&criterion_home, &marker, &stream)?.render(&opts, &load);
    print!("{summary}");
    let saved = target.join(format!("summary-{}.txt", opts.backend.name()));
    fs::write(&saved, &summary).with_context(|| format!("cannot write `{}`", saved.display()))?;
    eprintln!("summary saved to `{}`", saved.display());
    Ok(())
}

fn parse_args(args: &[String]) -> anyhow::Result<Option<Options>> {
    let mut opts = Options {
        quick: false,
        backend: Backend::AesGcm,
    };
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--quick" => opts.quick = true,
            "--backend" => {
                opts.backend = match args.next().map(String::as_str) {
                    Some("aes-gcm") => Backend::AesGcm,
                    Some("aws-lc-rs") => Backend::AwsLc,
                    Some(other) => bail!(
                        "unknown backend `{other}`; use `--backend aes-gcm` or `--backend aws-lc-rs`"
                    ),
                    None => bail!("`--backend` needs a value: `aes-gcm` or `aws-lc-rs`"),
                }
            }
            "-h" | "--help" => return Ok(None),
            other => bail!("unknown option `{other}`; run `cargo xtask bench --help`"),
        }
    }
    Ok(Some(opts))
}

/// `$CARGO_TARGET_DIR/bench`, or `<root>/target/bench`.
fn bench_target_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| root.join("target"), PathBuf::from)
        .join("bench")
}

/// A `cargo` command in the workspace with the bench build environment.
fn cargo(root: &Path, target: &Path, opts: &Options) -> Command {
    let mut cmd = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cmd.current_dir(root)
        .env("CARGO_TARGET_DIR", target)
        .env("RUSTFLAGS", rustflags())
        .env(QUICK_ENV, if opts.quick { "1" } else { "0" });
    cmd
}

/// The caller's `RUSTFLAGS` with the native CPU flag added.
fn rustflags() -> String {
    match std::env::var("RUSTFLAGS") {
        Ok(flags) if flags.contains("target-cpu") => flags,
        Ok(flags) if !flags.trim().is_empty() => format!("{flags} {NATIVE_FLAGS}"),
        _ => NATIVE_FLAGS.to_owned(),
    }
}

fn features(cmd: &mut Command, opts: &Options) {
    if opts.backend == Backend::AwsLc {
        cmd.args(["--features", "aws-lc-rs"]);
    }
}

fn run_criterion(
    root: &Path,
    target: &Path,
    criterion_home: &Path,
    opts: &Options,
) -> anyhow::Result<()> {
    let mut cmd = cargo(root, target, opts);
    cmd.args(["bench", "--package", PACKAGE]);
    for bench in BENCHES {
        cmd.args(["--bench", bench]);
    }
    features(&mut cmd, opts);
    cmd.arg("--").env("CRITERION_HOME", criterion_home);
    if opts.quick {
        cmd.args(["--quick", "--noplot"]);
    }
    let status = cmd.status().context("cannot run `cargo bench`")?;
    if !status.success() {
        bail!("`cargo bench --package {PACKAGE}` failed ({status}); see its output above");
    }
    Ok(())
}

/// Figures printed by the `stream-rss` binary, as `key: value` lines.
#[derive(Debug, Default)]
struct StreamFigures {
    peak_rss_kib: Option<u64>,
    seconds: Option<f64>,
    bytes: Option<u64>,
}

fn run_stream_probe(root: &Path, target: &Path, opts: &Options) -> anyhow::Result<StreamFigures> {
    let mut cmd = cargo(root, target, opts);
    cmd.args([
        "run",
        "--quiet",
        "--profile",
        "bench",
        "--package",
        PACKAGE,
        "--bin",
        "stream-rss",
    ]);
    features(&mut cmd, opts);
    cmd.arg("--").arg(STREAM_MIB.to_string());
    eprintln!("running the streaming probe: re-encrypting {STREAM_MIB} MiB through pipes");
    let out = cmd
        .stderr(Stdio::inherit())
        .output()
        .context("cannot run the `stream-rss` probe")?;
    if !out.status.success() {
        bail!(
            "the `stream-rss` probe failed ({}); see its output above",
            out.status
        );
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    let mut figures = StreamFigures::default();
    for line in stdout.lines() {
        let Some((key, value)) = line.split_once(": ") else {
            continue;
        };
        match key {
            "stream-peak-rss-kib" => figures.peak_rss_kib = value.trim().parse().ok(),
            "stream-seconds" => figures.seconds = value.trim().parse().ok(),
            "stream-bytes" => figures.bytes = value.trim().parse().ok(),
            _ => {}
        }
    }
    Ok(figures)
}

/// The 1-minute load average against the core count, read before benchmarking.
#[derive(Debug)]
struct LoadCheck {
    load_1m: Option<f64>,
    cores: usize,
}

impl LoadCheck {
    fn read() -> Self {
        let load_1m = fs::read_to_string("/proc/loadavg")
            .ok()
            .and_then(|s| s.split_whitespace().next().and_then(|v| v.parse().ok()));
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        LoadCheck { load_1m, cores }
    }

    fn warning(&self) -> Option<String> {
        let load = self.load_1m?;
        // Above a quarter of the cores busy, other work visibly steals time from the benches.
        (load > 0.25 * self.cores as f64).then(|| {
            format!(
                "load average {load:.2} on {} cores: other processes are running, figures will be \
                 noisy (parallel ones most); rerun when `uptime` shows a load near 0",
                self.cores
            )
        })
    }
}

/// One criterion measurement: median time per iteration and the bytes or elements it processed.
#[derive(Debug, Clone, Copy)]
struct Measure {
    median_ns: f64,
}

impl Measure {
    fn throughput_gib_s(self, bytes: f64) -> f64 {
        bytes / self.median_ns * 1e9 / f64::from(1u32 << 30)
    }
}

/// Reads `<criterion>/<id>/new/estimates.json` if this run wrote it.
fn measure(criterion_home: &Path, marker: &Path, id: &str) -> anyhow::Result<Option<Measure>> {
    let path = criterion_home.join(id).join("new").join("estimates.json");
    let Ok(meta) = fs::metadata(&path) else {
        return Ok(None);
    };
    let marker_time = fs::metadata(marker)
        .and_then(|m| m.modified())
        .with_context(|| format!("cannot read the time of `{}`", marker.display()))?;
    if meta.modified().is_ok_and(|t| t < marker_time) {
        return Ok(None);
    }
    let json =
        fs::read_to_string(&path).with_context(|| format!("cannot read `{}`", path.display()))?;
    let median_ns = median_point_estimate(&json)
        .with_context(|| format!("no `median.point_estimate` in `{}`", path.display()))?;
    Ok(Some(Measure { median_ns }))
}

/// The one measurement under `<group>/<function>/`, whatever its value label, with the element
/// count its label starts with (`12-scenarios` gives 12).
fn get_any(
    criterion_home: &Path,
    marker: &Path,
    group: &str,
    function: &str,
) -> anyhow::Result<Option<(Measure, f64)>> {
    let dir = criterion_home.join(group).join(function);
    let Ok(entries) = fs::read_dir(&dir) else {
        return Ok(None);
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(count) = name.split('-').next().and_then(|n| n.parse::<f64>().ok()) else {
            continue;
        };
        if count <= 0.0 {
            continue;
        }
        if let Some(m) = measure(
            criterion_home,
            marker,
            &format!("{group}/{function}/{name}"),
        )? {
            return Ok(Some((m, count)));
        }
    }
    Ok(None)
}

/// Extracts `median.point_estimate` from criterion's `estimates.json` (flat, serde-written JSON;
/// a full JSON parser is not worth a dependency for one number).
fn median_point_estimate(json: &str) -> Option<f64> {
    let median = &json[json.find("\"median\":")?..];
    let value = &median[median.find("\"point_estimate\":")? + "\"point_estimate\":".len()..];
    let end = value.find([',', '}'])?;
    value[..end]
        .trim()
        .parse()
        .ok()
        .filter(|v: &f64| v.is_finite() && *v > 0.0)
}

/// A summary row: a name, a value, and the target it is held to, if any.
#[derive(Debug)]
struct Row {
    name: String,
    value: Option<f64>,
    unit: &'static str,
    target: Option<Target>,
    note: String,
}

#[derive(Debug, Clone, Copy)]
enum Target {
    AtLeast(f64),
    AtMost(f64),
}

impl Target {
    fn met(self, value: f64) -> bool {
        match self {
            Target::AtLeast(t) => value >= t,
            Target::AtMost(t) => value <= t,
        }
    }

    fn describe(self) -> String {
        match self {
            Target::AtLeast(t) => format!(">= {t}"),
            Target::AtMost(t) => format!("<= {t}"),
        }
    }
}

#[derive(Debug)]
struct Summary {
    rows: Vec<Row>,
}

impl Summary {
    fn collect(
        criterion_home: &Path,
        marker: &Path,
        stream: &StreamFigures,
    ) -> anyhow::Result<Self> {
        let get = |id: &str| measure(criterion_home, marker, id);
        let mib16 = f64::from(16u32 << 20);
        let threads = std::thread::available_parallelism().map_or(1, usize::from);
        let mut rows = Vec::new();
        let mut gib_s = |name: &str, m: Option<Measure>, bytes: f64, note: &str| {
            rows.push(Row {
                name: name.to_owned(),
                value: m.map(|m| m.throughput_gib_s(bytes)),
                unit: "GiB/s",
                target: None,
                note: note.to_owned(),
            });
        };

        // The backend's limit over one 16 MiB buffer, the pipeline's size (the target's bar), and
        // over one 256 KiB buffer, a chunk that stays in cache (a stricter reading: no memory
        // traffic at all, which no re-encryption of a 16 MiB object can match).
        let mut limits = Vec::new();
        for (size, bytes) in [("16MiB", mib16), ("256KiB", mib16 / 64.0)] {
            let enc = get(&format!("backend/encrypt/{size}"))?;
            let dec = get(&format!("backend/decrypt/{size}"))?;
            gib_s(
                &format!("backend-encrypt-{size}"),
                enc,
                bytes,
                "one call, in place",
            );
            gib_s(
                &format!("backend-decrypt-{size}"),
                dec,
                bytes,
                "one call, into a second buffer",
            );
            // Time per 16 MiB at this size's throughput, so both sizes compare.
            limits.push(enc.zip(dec).map(|(e, d)| Measure {
                median_ns: (e.median_ns + d.median_ns) * mib16 / bytes,
            }));
        }
        let (limit, limit_in_cache) = (limits[0], limits[1]);
        let pipe = get(&format!("pipeline/1-thread/{PIPELINE_SIZE}"))?;
        let fresh = get(&format!("pipeline/1-thread-fresh-alloc/{PIPELINE_SIZE}"))?;
        let pipe_all = get(&format!("pipeline/all-threads/{PIPELINE_SIZE}"))?;
        gib_s(
            "backend-limit-16MiB",
            limit,
            mib16,
            "1/(1/dec + 1/enc) at 16 MiB",
        );
        gib_s(
            "backend-limit-256KiB",
            limit_in_cache,
            mib16,
            "1/(1/dec + 1/enc) at 256 KiB, in cache",
        );
        gib_s(
            "pipeline-16MiB-1-thread",
            pipe,
            mib16,
            "unwrap, reseal, wrap; recycled buffer",
        );
        gib_s(
            "pipeline-16MiB-fresh-alloc",
            fresh,
            mib16,
            "same, fresh output allocation",
        );
        gib_s(
            "pipeline-16MiB-all-threads",
            pipe_all,
            mib16,
            "chunks spread over all threads",
        );

        let ratio = |num: Option<Measure>, den: Option<Measure>| {
            num.zip(den).map(|(n, d)| n.median_ns / d.median_ns)
        };
        rows.push(Row {
            name: "reencrypt-ratio".to_owned(),
            value: ratio(limit, pipe),
            unit: "",
            target: Some(Target::AtLeast(0.90)),
            note: "pipeline throughput (16 MiB, one thread) over the 16 MiB backend limit"
                .to_owned(),
        });
        rows.push(Row {
            name: "reencrypt-ratio-in-cache".to_owned(),
            value: ratio(limit_in_cache, pipe),
            unit: "",
            target: None,
            note: "the same over the 256 KiB (in-cache) backend limit".to_owned(),
        });
        rows.push(Row {
            name: "reencrypt-ratio-fresh-alloc".to_owned(),
            value: ratio(limit, fresh),
            unit: "",
            target: None,
            note: "the same with a fresh allocation per replica".to_owned(),
        });
        let par_one = get("parallel/1MiB-objects/1-threads")?;
        let par_all = get(&format!("parallel/1MiB-objects/{threads}-threads"))?;
        rows.push(Row {
            name: "parallel-speedup".to_owned(),
            value: ratio(par_one, par_all),
            unit: "x",
            target: Some(Target::AtLeast(1.7)),
            note: format!("{threads} threads over 1, many 1 MiB objects"),
        });
        let cycle = get("envelope/cycle/1KiB")?;
        let bare_scenario = get("envelope/put-and-replicate/1KiB")?;
        let engine_full = get("engine/small-objects/1KiB")?;
        let step_one = get("engine/small-objects-replicate-step/1KiB")?;
        let step_all = get("engine/small-objects-replicate-step-all-threads/1KiB")?;
        let per_object = |m: Option<Measure>| {
            m.map(|m| Measure {
                median_ns: m.median_ns / SMALL_OBJECTS,
            })
        };
        // Issue 5: the full replication path (the `replicate` step over 10,000 queued 1 KiB
        // objects, trace off, timed alone) against the bare envelope cycle of one replication.
        // The engine as users run it replicates on every thread; the bare cycle is one thread.
        rows.push(Row {
            name: "small-object-ratio".to_owned(),
            value: ratio(cycle, per_object(step_all)),
            unit: "",
            target: Some(Target::AtLeast(0.5)),
            note: format!(
                "bare cycle (1 thread) over the engine's replicate step ({threads} threads, the default), per 1 KiB object"
            ),
        });
        rows.push(Row {
            name: "small-object-ratio-1-thread".to_owned(),
            value: ratio(cycle, per_object(step_one)),
            unit: "",
            target: None,
            note: "the same with the engine on one thread".to_owned(),
        });
        let micros = |m: Option<Measure>| m.map(|m| m.median_ns / 1e3);
        rows.push(Row {
            name: "envelope-cycle-1KiB".to_owned(),
            value: micros(cycle),
            unit: "us",
            target: None,
            note: "unwrap, reseal, new key, wrap".to_owned(),
        });
        rows.push(Row {
            name: "engine-replicate-step-1KiB".to_owned(),
            value: micros(per_object(step_all)),
            unit: "us",
            target: None,
            note: format!(
                "replicate step of 10,000 objects, {threads} threads: checks, reseal, verify, status, records"
            ),
        });
        rows.push(Row {
            name: "engine-replicate-step-1KiB-1-thread".to_owned(),
            value: micros(per_object(step_one)),
            unit: "us",
            target: None,
            note: "the same on one thread".to_owned(),
        });
        rows.push(Row {
            name: "engine-parallel-speedup".to_owned(),
            value: ratio(step_one, step_all),
            unit: "x",
            target: None,
            note: format!("replicate step, {threads} threads over one"),
        });
        rows.push(Row {
            name: "envelope-put-and-replicate-1KiB".to_owned(),
            value: micros(bare_scenario),
            unit: "us",
            target: None,
            note: "new key, seal, wrap; then the cycle above".to_owned(),
        });
        rows.push(Row {
            name: "engine-scenario-per-object".to_owned(),
            value: micros(per_object(engine_full)),
            unit: "us",
            target: None,
            note: "whole 10,000-object scenario (puts, replicate, report, freeing), 1 thread"
                .to_owned(),
        });
        rows.push(Row {
            name: "scenario-ratio".to_owned(),
            value: ratio(bare_scenario, per_object(engine_full)),
            unit: "",
            target: None,
            note: "bare put + replicate over the whole scenario, per object".to_owned(),
        });
        for size in ["16MiB", "1MiB"] {
            let bytes = if size == "16MiB" { mib16 } else { mib16 / 16.0 };
            for variant in ["sse-s3", "sse-kms", "sse-kms-mrk"] {
                let Some(replication) = get(&format!("engine-object/{variant}/{size}"))? else {
                    continue;
                };
                rows.push(Row {
                    name: format!("engine-replicate-{size}-{variant}"),
                    value: Some(replication.throughput_gib_s(bytes)),
                    unit: "GiB/s",
                    target: None,
                    note: "replicate step of one object through the engine, 1 thread".to_owned(),
                });
            }
        }
        let validate = get_any(criterion_home, marker, "scenario", "parse-validate")?;
        rows.push(Row {
            name: "scenario-parse-validate".to_owned(),
            value: validate.map(|(m, n)| m.median_ns / 1e3 / n),
            unit: "us",
            target: None,
            note: "per shipped scenario: DSL parse, lowering, model validation".to_owned(),
        });
        rows.push(Row {
            name: "stream-peak-rss-mib".to_owned(),
            value: stream.peak_rss_kib.map(|kib| kib as f64 / 1024.0),
            unit: "MiB",
            target: Some(Target::AtMost(64.0)),
            note: match (stream.bytes, stream.seconds) {
                (Some(bytes), Some(s)) if s > 0.0 => format!(
                    "whole process, re-encrypting {} MiB via pipes ({:.2} GiB/s end to end)",
                    bytes >> 20,
                    bytes as f64 / s / f64::from(1u32 << 30)
                ),
                _ => "whole process, re-encrypting 1 GiB via pipes".to_owned(),
            },
        });
        Ok(Summary { rows })
    }

    fn render(&self, opts: &Options, load: &LoadCheck) -> String {
        let mut out = String::new();
        let load = load
            .load_1m
            .map_or_else(|| "unknown".to_owned(), |l| format!("{l:.2}"));
        let _ = writeln!(
            out,
            "\nbenchmark summary: backend {}, RUSTFLAGS `{}`, {} run, load before run {load}",
            opts.backend.name(),
            rustflags(),
            if opts.quick { "quick" } else { "full" },
        );
        let width = self.rows.iter().map(|r| r.name.len()).max().unwrap_or(0) + 1;
        for row in &self.rows {
            // Ratios get three decimals so a value just under its target never prints as met.
            let value = match (row.value, row.unit) {
                (Some(v), "" | "x") => format!("{v:.3}"),
                (Some(v), _) => format!("{v:.2}"),
                (None, _) => "n/a".to_owned(),
            };
            let verdict = match (row.target, row.value) {
                (Some(t), Some(v)) if t.met(v) => format!("target {}: met", t.describe()),
                (Some(t), Some(_)) => format!("target {}: MISSED", t.describe()),
                (Some(t), None) => format!("target {}: not measured", t.describe()),
                (None, _) => String::new(),
            };
            let _ = writeln!(
                out,
                "{:<width$} {:>8} {:<5} {:<28} {}",
                format!("{}:", row.name),
                value,
                row.unit,
                verdict,
                row.note,
            );
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_median_from_criterion_json() {
        let json = r#"{"mean":{"confidence_interval":{"confidence_level":0.95,"lower_bound":1.0,"upper_bound":3.0},"point_estimate":2.0,"standard_error":0.1},"median":{"confidence_interval":{"confidence_level":0.95,"lower_bound":4.0,"upper_bound":6.0},"point_estimate":5.5,"standard_error":0.2}}"#;
        assert_eq!(median_point_estimate(json), Some(5.5));
        assert_eq!(
            median_point_estimate(r#"{"mean":{"point_estimate":2.0}}"#),
            None
        );
        assert_eq!(
            median_point_estimate(r#"{"median":{"point_estimate":0.0}}"#),
            None
        );
    }

    #[test]
    fn parses_options() {
        let args = |a: &[&str]| a.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        let opts = parse_args(&args(&["--quick", "--backend", "aws-lc-rs"]))
            .unwrap()
            .unwrap();
        assert!(opts.quick);
        assert_eq!(opts.backend, Backend::AwsLc);
        assert!(parse_args(&args(&["--help"])).unwrap().is_none());
        let err = parse_args(&args(&["--backend", "openssl"])).unwrap_err();
        assert!(err.to_string().contains("`openssl`"), "{err}");
        assert!(parse_args(&args(&["--backend"])).is_err());
        assert!(parse_args(&args(&["--fast"])).is_err());
    }

    #[test]
    fn targets() {
        assert!(Target::AtLeast(0.9).met(0.9));
        assert!(!Target::AtLeast(0.9).met(0.89));
        assert!(Target::AtMost(64.0).met(10.0));
        assert!(!Target::AtMost(64.0).met(64.5));
    }
}
