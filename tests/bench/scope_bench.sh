#!/usr/bin/env bash
# Scope lookup latency in headless Chromium on the sample site (from file://), with the Rust matcher
# as the peer in the same run (tests/bench/scope.rs). usage: tests/bench/run scope [ROUNDS]   (default 5)
# Needs chromium. Prints median / p95 / max; nothing is asserted. PROFILE=debug skips the release
# build (the browser figures do not depend on it; the Rust peer does).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
if [ "${PROFILE:-release}" = release ]; then REL=--release; else REL=; fi
BENCH_ROUNDS=${1:-5} cargo test $REL -q --test suite -- --ignored --exact --nocapture bench::scope::scope_benchmark 2>&1 | grep -v '^running\|^test \|^$'
