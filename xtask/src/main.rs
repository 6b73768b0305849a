//! `cargo xtask`: the project's tasks. Dispatch only; each task lives in its own module.

use std::process::ExitCode;

mod bench;

const USAGE: &str = "\
usage: cargo xtask <task> [options]

tasks:
  bench [--quick] [--backend aes-gcm|aws-lc-rs]   run the benchmarks and print the summary table
  scenarios [SUITE...] [--accept] [--help]       run the scenario suites against their snapshots
";

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let task = args.next().unwrap_or_default();
    let rest: Vec<String> = args.collect();
    match task.as_str() {
        "bench" => exit_code(bench::run(&rest)),
        "scenarios" => replication_lab_cli::main("cargo xtask scenarios", &rest),
        "" | "help" | "--help" | "-h" => {
            print!("{USAGE}");
            ExitCode::SUCCESS
        }
        other => exit_code(Err(anyhow::anyhow!(
            "unknown task `{other}`; run `cargo xtask help` for the list"
        ))),
    }
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
