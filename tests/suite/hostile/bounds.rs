//! Bounded time and clear errors on pathological content: nesting, cycles, repetition, numbering, encodings.
//! Each case is a regression test for one item of issue 17, as the parent module's cases are.

#[allow(unused_imports)]
use super::*;
