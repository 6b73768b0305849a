//! The `replication-lab` binary as an installed user runs it: in a repository that is not this
//! workspace (a temporary folder with only `scenarios/`), found from a nested folder or given by
//! `--root`.

mod json;
mod outside;
