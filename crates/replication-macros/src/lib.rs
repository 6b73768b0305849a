//! The `replication_scenario!` macro.
