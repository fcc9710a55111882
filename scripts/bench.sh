#!/usr/bin/env bash
# The benchmark suite (see docs/benchmarks.md): builds the release binaries, then measures.
#   scripts/bench.sh            everything: pure, durable, api, memory, queries (1M cases), deadlines, documents
#   scripts/bench.sh PART ...   one part with its options, e.g. `queries --cases 10000000`, `deadlines`
# Measurements, not tests: CI never runs this. Needs the PostgreSQL server of the tests
# (127.0.0.1:5432, user postgres, database test; `--postgres none` skips it) and `psql`.
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-all}
[ $# -gt 0 ] && shift
target=${CARGO_TARGET_DIR:-target}
if [ "$what" != deadlines ] && [ "$what" != documents ]; then
  cargo build --release --locked -q -p shaqyru -p bench
  "$target/release/bench" --server "$target/release/shaqyru" --data-dir "$target/bench-data" "$what" "$@"
fi
if [ "$what" = all ] || [ "$what" = deadlines ]; then
  cargo bench --locked -q -p engine --bench deadlines
fi
if [ "$what" = all ] || [ "$what" = documents ]; then
  cargo bench --locked -q -p documents --bench render
fi
