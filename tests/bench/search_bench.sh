#!/usr/bin/env bash
# Search benchmark: portal's index against Pagefind on the same 10,000-page synthetic corpus.
# usage: tests/bench/run search [N]      (default N=10000; work files go to /tmp/search-bench)
# Needs: python3, node/npm (Pagefind is installed under /tmp, never committed), chromium.
set -euo pipefail
N=${1:-10000}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
W=/tmp/search-bench
mkdir -p "$W"
cd "$ROOT"
cargo build --release -q
PORTAL="${CARGO_TARGET_DIR:-$ROOT/target}/release/portal"

echo "== corpus: $N pages (gen_corpus.py, plain workload)"
python3 ../shared/bench/gen_corpus.py ../shared/seeds "$W/corpus" "$N" --no-siblings
python3 tests/bench/portal_corpus.py "$W/corpus/zola" "$W/site"
python3 tests/bench/portal_corpus.py "$W/corpus/zola" "$W/site-nosearch" --no-search

secs() { local s e; s=$(date +%s.%N); "$@" >/dev/null 2>&1; e=$(date +%s.%N); echo "$e - $s" | bc; }
echo "== portal build (median of 3)"
med() { sort -n | sed -n 2p; }
T_NO=$(for i in 1 2 3; do secs "$PORTAL" build --root "$W/site-nosearch"; done | med)
T_YES=$(for i in 1 2 3; do secs "$PORTAL" build --root "$W/site"; done | med)
echo "build without search: $T_NO s   with search: $T_YES s   indexing share: $(echo "scale=3; ($T_YES - $T_NO) / $T_NO * 100" | bc) %"

echo "== pagefind (npm package, installed under $W/pf)"
if [ ! -x "$W/pf/node_modules/.bin/pagefind" ]; then
  (mkdir -p "$W/pf" && cd "$W/pf" && npm init -y >/dev/null && npm install --silent pagefind >/dev/null)
fi
rm -rf "$W/pf-site" && cp -r "$W/site-nosearch/public" "$W/pf-site"
T_PF=$(secs "$W/pf/node_modules/.bin/pagefind" --site "$W/pf-site")
echo "pagefind $(cat "$W/pf/node_modules/pagefind/package.json" | python3 -c 'import json,sys;print(json.load(sys.stdin)["version"])') index time: $T_PF s"
cp tests/bench/pagefind.html "$W/pf-site/pf.html"

html=$(find "$W/site/public" -name '*.html' -not -path '*/search/*' -printf '%s\n' | awk '{s+=$1} END {print s}')
ours=$(find "$W/site/public/search" -type f -not -name index.html -printf '%s\n' | awk '{s+=$1} END {print s}')
pf=$(find "$W/pf-site/pagefind" -type f -printf '%s\n' | awk '{s+=$1} END {print s}')
echo "HTML indexed: $html bytes; portal index: $ours bytes ($(echo "scale=3; $ours/$html" | bc)x HTML, $(find "$W/site/public/search" -type f | wc -l) files); pagefind: $pf bytes ($(echo "scale=3; $pf/$html" | bc)x HTML)"

echo "== queries in Chromium, exact-substring truth on the corpus"
BENCH_SITE="$W/site" BENCH_PAGEFIND="$W/pf-site" BENCH_BUILD_NOSEARCH="$T_NO" cargo test --release -q --test suite -- --ignored --exact --nocapture bench::search::search_benchmark
