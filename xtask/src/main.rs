//! `cargo xtask`: the project's tasks. Dispatch only; each task lives in its own module.

use std::process::ExitCode;

mod bench;
mod import;

const USAGE: &str = "\
usage: cargo xtask <task> [options]

tasks:
  bench [--quick] [--backend aes-gcm|aws-lc-rs]   run the benchmarks and print the summary table
  import DIR [--out FILE] [--name NAME]          turn a directory of AWS CLI outputs into a scenario and run its probes
  export FILE [--scenario NAME] --format aws-cli|cloudformation|terraform --out DIR
                                                 write the configuration a scenario tested, to deploy
  export --shipped --out DIR                     export every shipped scenario that exports, in every format
  scenarios [SUITE...] [--accept] [--help]       run the scenario suites against their snapshots
";

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let task = args.next().unwrap_or_default();
    let rest: Vec<String> = args.collect();
    match task.as_str() {
        "bench" => exit_code(bench::run(&rest)),
        "import" => exit_code(import::run(&rest)),
        "scenarios" => replication_lab_cli::main("cargo xtask scenarios", &rest),
        "export" => exit_code(export(&rest)),
        "" | "help" | "--help" | "-h" => {
            print!("{USAGE}");
            ExitCode::SUCCESS
        }
        other => exit_code(Err(anyhow::anyhow!(
            "unknown task `{other}`; run `cargo xtask help` for the list"
        ))),
    }
}

/// `cargo xtask export`: argument parsing only; `replication-export` does the work.
fn export(args: &[String]) -> anyhow::Result<()> {
    use anyhow::{Context as _, bail};
    use replication_export::Format;
    let (mut file, mut scenario, mut format, mut out, mut shipped) =
        (None, None, None, None, false);
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = |flag: &str| {
            it.next()
                .cloned()
                .with_context(|| format!("`{flag}` needs a value; see `cargo xtask help`"))
        };
        match arg.as_str() {
            "--scenario" => scenario = Some(value("--scenario")?),
            "--format" => format = Some(value("--format")?.parse::<Format>()?),
            "--out" => out = Some(std::path::PathBuf::from(value("--out")?)),
            "--shipped" => shipped = true,
            flag if flag.starts_with('-') => {
                bail!("unknown option `{flag}`; see `cargo xtask help`")
            }
            path if file.is_none() => file = Some(path.to_owned()),
            extra => bail!("one scenario file at a time; `{extra}` is a second one"),
        }
    }
    let out = out.context("say where to write with `--out DIR`")?;
    if shipped {
        let root = xtask::project_root()?;
        let formats = format.map_or_else(|| Format::ALL.to_vec(), |f| vec![f]);
        let mut exported = 0;
        for s in replication_export::shipped(&root)? {
            let exports: Result<Vec<_>, _> = s.valid.and_then(|valid| {
                formats
                    .iter()
                    .map(|f| replication_export::export(&valid, *f))
                    .collect()
            });
            match exports {
                Ok(exports) => {
                    for e in exports {
                        e.write_to(&out.join(&s.scenario).join(e.format().as_str()))?;
                    }
                    exported += 1;
                    println!("exported  {} ({})", s.scenario, s.file);
                }
                Err(e) => println!(
                    "skipped   {} ({}): {}",
                    s.scenario,
                    s.file,
                    e.to_string().lines().next().unwrap_or_default()
                ),
            }
        }
        println!("{exported} scenarios exported into {}", out.display());
        return Ok(());
    }
    let file =
        file.context("name the scenario file: `cargo xtask export FILE --format ... --out DIR`")?;
    let format = format.context("choose `--format aws-cli`, `cloudformation` or `terraform`")?;
    let valid = replication_export::load(std::path::Path::new(&file), &file, scenario.as_deref())?;
    let export = replication_export::export(&valid, format)?;
    export.write_to(&out)?;
    println!(
        "exported scenario {} as {format}: {} files in {}",
        export.scenario(),
        export.files().len(),
        out.display()
    );
    Ok(())
}

/// Prints an error with its causes and turns the result into the process exit code.
fn exit_code(res: anyhow::Result<()>) -> ExitCode {
    match res {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}
