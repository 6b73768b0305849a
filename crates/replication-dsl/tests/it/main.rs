//! Integration tests of the scenario language through its runtime entry points: the grammar
//! end to end, error recovery, every rejection code, and a deterministic fuzz run that must never
//! panic.

mod fuzz;
mod grammar;
mod recovery;
mod rejections;
