//! Integration tests of the model: one binary, a module per area, each test naming the fact of
//! `docs/aws-facts.md` it checks (or, in `study_note`, the claim of the study note).

mod encryption;
mod expectations;
mod fixture;
mod iam;
mod integrity;
mod kms;
mod mrk;
mod names;
mod permissions;
mod prerequisites;
mod replicated;
mod smoke;
mod study_note;
mod validation;
