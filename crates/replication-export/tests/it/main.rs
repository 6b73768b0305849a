//! Integration tests of `replication-export`: one binary, as the workspace's style asks.

mod exports;
mod refusals;
