//! portal deletes and writes only what it created, and publishes only what belongs to the site.
//! Each case is a regression test for one item of issue 17, as the parent module's cases are.

#[allow(unused_imports)]
use super::*;
