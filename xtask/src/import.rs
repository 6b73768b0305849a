//! `cargo xtask import DIR [--out FILE] [--name NAME]`: a thin shell around
//! `replication_import`, which reads the directory, writes nothing unless everything reads, and
//! returns the scenario and its probe results.

use std::path::PathBuf;

use anyhow::{Context as _, bail};

pub(crate) const USAGE: &str = "\
usage: cargo xtask import DIR [--out FILE] [--name NAME]

Reads a directory of AWS CLI outputs (layout and the commands that fetch each file:
docs/import.md), writes a scenario that reproduces the setup with probe uploads, runs it and
prints, per source bucket and encryption type, what replicates and what fails, with the fix.

  --out FILE    the scenario file to write (default: DIR with `.scenario` added); its folder
                must exist, and `json_file` paths in it are relative to that folder
  --name NAME   the scenario's name (default: the folder's name)
";

pub(crate) fn run(args: &[String]) -> anyhow::Result<()> {
    let mut dir = None;
    let mut out = None;
    let mut name = None;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--help" | "-h" => {
                print!("{USAGE}");
                return Ok(());
            }
            "--out" => out = Some(PathBuf::from(args.next().context("`--out` needs a file")?)),
            "--name" => name = Some(args.next().context("`--name` needs a name")?.clone()),
            flag if flag.starts_with('-') => bail!("unknown option `{flag}`\n\n{USAGE}"),
            path if dir.is_none() => dir = Some(PathBuf::from(path)),
            extra => bail!("one directory at a time; `{extra}` is a second one\n\n{USAGE}"),
        }
    }
    let Some(dir) = dir else {
        bail!("name the directory of AWS CLI outputs\n\n{USAGE}");
    };
    let out = out.unwrap_or_else(|| {
        let mut file = dir.clone().into_os_string();
        file.push(".scenario");
        PathBuf::from(file)
    });
    let mut config = replication_import::ImportConfig::new(&dir, &out);
    config.name = name;
    let imported = match replication_import::import(&config) {
        Ok(i) => i,
        Err(problems) => {
            for p in &problems {
                eprintln!("{p}");
            }
            bail!(
                "{} problem{} in `{}`; nothing was written",
                problems.len(),
                if problems.len() == 1 { "" } else { "s" },
                dir.display()
            );
        }
    };
    replication_import::write_scenario(&out, &imported.text)
        .with_context(|| format!("cannot write `{}`", out.display()))?;
    println!(
        "wrote {} (scenario `{}`, {} probe uploads)\n",
        out.display(),
        imported.name,
        imported.probes.len()
    );
    print!("{}", imported.summary());
    Ok(())
}
