//! A deterministic simulator of Amazon S3 replication with encryption.
//!
//! Describe a setup as a [`spec::ScenarioSpec`], check it with [`validate()`] (every problem at
//! once), then [`run()`] the [`ValidSpec`] to learn, per object, what S3 would do and why.

pub mod spec;
