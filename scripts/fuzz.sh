#!/usr/bin/env bash
# Fuzzes the pure parsers of `domain` (the cargo-fuzz crate in fuzz/, see docs/fuzzing.md):
# installs cargo-fuzz if missing, builds every target, replays fuzz/regressions/, then runs each
# target for SECONDS (default 20). Exits non-zero if any target crashed or broke a property,
# and prints where the crashing input was saved and how to replay it.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]
#   FUZZ_SANITIZER=address scripts/fuzz.sh 600 definition   # longer, with AddressSanitizer
#
# cargo fuzz wants nightly; the machine has only stable, so RUSTC_BOOTSTRAP=1 lets it accept
# the -Z flags. CI uses `--sanitizer none` (the default here): the targets are safe Rust, and the
# sanitizer build takes 95 s instead of 40 s on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

seconds="${1:-20}"
shift || true
sanitizer="${FUZZ_SANITIZER:-none}"
export RUSTC_BOOTSTRAP=1
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
export CARGO_TERM_COLOR=never
cargo_fuzz_version=0.13.2

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "cargo-fuzz missing: installing $cargo_fuzz_version"
  cargo install cargo-fuzz --locked --version "$cargo_fuzz_version"
fi

cd "$root/fuzz"
# cargo fuzz has no --locked: refuse a Cargo.lock that would need changing.
cargo metadata --locked --format-version 1 >/dev/null
# The fuzz crate is outside the workspace, so the workspace's `cargo fmt --all` skips it.
cargo fmt --check

if [ "$#" -gt 0 ]; then
  targets=("$@")
else
  mapfile -t targets < <(cargo fuzz list)
fi
# Debug assertions turn on overflow checks in the code under test.
flags=(--sanitizer "$sanitizer" --debug-assertions)

started=$(date +%s)
echo "== fuzz: building the targets (sanitizer: $sanitizer)"
cargo fuzz build "${flags[@]}" 2>&1 | grep -Ev '^\s+(Compiling|Downloaded|Downloading)' || { echo "fuzz build failed"; exit 1; }
built=$(date +%s)
echo "built in $((built - started)) s"

logs="$CARGO_TARGET_DIR/fuzz-logs"
mkdir -p "$logs"
failed=()
summary=()

# Saved inputs of past findings must not crash.
for t in "${targets[@]}"; do
  [ -d "regressions/$t" ] || continue
  mapfile -t files < <(find "regressions/$t" -type f | sort)
  [ "${#files[@]}" -gt 0 ] || continue
  if cargo fuzz run "${flags[@]}" "$t" "${files[@]}" >"$logs/$t-regressions.log" 2>&1; then
    echo "regressions/$t: ${#files[@]} inputs pass"
  else
    echo "regressions/$t: FAILED (log: $logs/$t-regressions.log)"
    grep -A2 'panicked at' "$logs/$t-regressions.log" | head -n 20 || true
    failed+=("$t (regressions)")
  fi
done

for t in "${targets[@]}"; do
  # libFuzzer writes what it learns to the first directory: a scratch corpus under the target
  # directory, so the hand-made seeds in fuzz/corpus/ stay as they are.
  work="$CARGO_TARGET_DIR/fuzz-corpus/$t"
  mkdir -p "$work" "artifacts/$t"
  log="$logs/$t.log"
  echo "== fuzz: $t for ${seconds} s"
  if cargo fuzz run "${flags[@]}" "$t" "$work" "corpus/$t" -- \
    -max_total_time="$seconds" -timeout=10 -print_final_stats=1 >"$log" 2>&1; then
    status=ok
  else
    status=CRASH
    failed+=("$t")
    grep -A3 'panicked at\|ERROR: libFuzzer\|ERROR: AddressSanitizer' "$log" | head -n 20 || true
    artifact=$(grep -o 'Test unit written to [^ ]*' "$log" | tail -n 1 | sed 's/Test unit written to //')
    if [ -n "$artifact" ]; then
      echo "crash input saved to fuzz/${artifact#"$root/fuzz/"}"
      echo "replay: (cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run --sanitizer $sanitizer --debug-assertions $t ${artifact#"$root/fuzz/"})"
    fi
    echo "full log: $log"
  fi
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')
  speed=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 | grep -o '[0-9]*' || echo '?')
  summary+=("$(printf '%-12s %-6s %12s runs %9s exec/s  cov %s' "$t" "$status" "$runs" "$speed" "$cov")")
done

echo "== fuzz: summary ($(($(date +%s) - started)) s in all, build $((built - started)) s)"
printf '%s\n' "${summary[@]}"
if [ "${#failed[@]}" -gt 0 ]; then
  echo "fuzz: FAILED: ${failed[*]} (inputs under fuzz/artifacts/; see docs/fuzzing.md)"
  exit 1
fi
