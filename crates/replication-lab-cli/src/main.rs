//! `replication-lab`: the scenario runner as a command, for any repository that keeps its suites
//! in `scenarios/<suite>/*.scenario`. Install with `cargo install --path crates/replication-lab-cli`.

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    replication_lab_cli::main("replication-lab", &args)
}
