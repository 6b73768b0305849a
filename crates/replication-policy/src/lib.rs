//! IAM policy documents in AWS's JSON grammar.
