//! The `replication_scenario!` language.
