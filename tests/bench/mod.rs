//! The benchmarks: `#[ignore]`d tests of the `suite` test binary (`tests/suite/main.rs` includes this
//! folder as its `bench` module), each started by `tests/bench/run NAME` (see `README.md` here).
//! They print figures and never fail on timings.

mod flow_layout;
mod forms;
mod page_weight;
mod scope;
mod search;
