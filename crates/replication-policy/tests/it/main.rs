//! Integration tests of `replication-policy` through its public API only: hostile input never
//! panics, and the replication policies AWS documents decide the way aws-facts says.

mod garbage;
mod replication;
