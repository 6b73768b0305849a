//! Integration tests of the model: one binary, a module per area, each test naming the fact of
//! `docs/aws-facts.md` it checks.

mod fixture;
mod smoke;
