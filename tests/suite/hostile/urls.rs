//! No unsafe URL and no ill-formed XML in anything portal writes; `serve` redirects and hosts.
//! Each case is a regression test for one item of issue 17, as the parent module's cases are.

#[allow(unused_imports)]
use super::*;
