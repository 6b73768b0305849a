//! Integration tests of `replication-policy` through its public API only: hostile input never
//! panics, the replication policies AWS documents decide the way aws-facts says, and the
//! allocation-free `access_effect` always agrees with `evaluate_access`.

mod effect;
mod garbage;
mod replication;
