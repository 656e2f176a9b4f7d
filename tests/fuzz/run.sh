#!/usr/bin/env bash
# Runs every cargo-fuzz target of policy-portal for a time budget and records what happened.
#
#     tests/fuzz/run.sh [SECONDS_PER_TARGET] [TARGET...]      (default: 180 s, every target)
#
# Needs `cargo install cargo-fuzz`. Works on the stable toolchain through RUSTC_BOOTSTRAP=1 (libFuzzer
# needs -Z flags). Seeds come from tests/fuzz/seeds/<target>/ (committed) and the growing corpus
# lives in tests/fuzz/corpus/<target>/ (not committed). A crash leaves its input in
# tests/fuzz/artifacts/<target>/; copy it to tests/fuzz/regressions/<target>/ once fixed, where
# tests/suite/hardening_props.rs replays it in the normal test suite.
#
# Output: one line per target on stdout and appended to tests/fuzz/results.tsv:
#   date  target  seconds  executions  exec/s  corpus  crashes  status
set -u
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
secs="${1:-180}"
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(front_matter form_syntax form_docx flow_syntax markdown tokenizer)
export RUSTC_BOOTSTRAP=1
cd "$root"
# Build once (release, debug assertions on, address sanitizer off for speed: Rust code is memory
# safe, the fuzzers hunt panics, hangs and memory growth).
cargo fuzz build --fuzz-dir tests/fuzz -s none --debug-assertions >&2 || exit 1
results="$here/results.tsv"
[ -f "$results" ] || printf 'date\ttarget\tseconds\texecutions\texec_per_s\tcorpus\tcrashes\tstatus\n' >"$results"
status_all=0
for t in "${targets[@]}"; do
    mkdir -p "$here/corpus/$t" "$here/artifacts/$t" "$here/seeds/$t"
    log="$here/artifacts/$t.log"
    before=$(ls "$here/artifacts/$t" | wc -l)
    # Build outside the timed run (a no-op unless the sources changed since the build above).
    cargo fuzz build --fuzz-dir tests/fuzz -s none --debug-assertions "$t" >&2 || exit 1
    start=$(date +%s)
    cargo fuzz run --fuzz-dir tests/fuzz -s none --debug-assertions "$t" \
        "$here/corpus/$t" "$here/seeds/$t" -- \
        -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
        -print_final_stats=1 >"$log" 2>&1
    rc=$?
    # libFuzzer's own count of the fuzzing seconds (a crash stops the run early).
    elapsed=$(grep -o 'Done [0-9]* runs in [0-9]* second' "$log" | grep -o 'in [0-9]*' | grep -o '[0-9]*' | tail -1)
    [ -n "$elapsed" ] || elapsed=$(( $(date +%s) - start ))
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
    rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
    corpus=$(ls "$here/corpus/$t" | wc -l)
    crashes=$(( $(ls "$here/artifacts/$t" | wc -l) - before ))
    status=ok
    if [ "$rc" -ne 0 ]; then status="failed(rc=$rc, see tests/fuzz/artifacts/$t.log)"; status_all=1; fi
    line=$(printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s' "$(date -u +%FT%TZ)" "$t" "$elapsed" "${execs:-?}" "${rate:-?}" "$corpus" "$crashes" "$status")
    echo "$line"
    echo "$line" >>"$results"
done
exit $status_all
