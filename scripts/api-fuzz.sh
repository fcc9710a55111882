#!/usr/bin/env bash
# Fuzzes the HTTP API with schemathesis against the OpenAPI document the service serves
# (/api/openapi.json): builds and starts `shaqyru serve` on a fresh SQLite file and a free port,
# runs schemathesis as a demo account for a bounded time, then stops the server. A 5xx answer
# (check not_a_server_error) fails the run. See docs/fuzzing.md.
#
#   scripts/api-fuzz.sh                         # CI: 20 examples an operation, at most 120 s
#   API_FUZZ_SECONDS=900 API_FUZZ_EXAMPLES=200 scripts/api-fuzz.sh
#   API_FUZZ_CHECKS=all API_FUZZ_ACCOUNT=supervisor scripts/api-fuzz.sh
#
# Every command needs an Idempotency-Key header; the document declares it on each command, so
# schemathesis makes a fresh one per request (a fixed one would turn most requests into replays).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

seconds="${API_FUZZ_SECONDS:-120}"
examples="${API_FUZZ_EXAMPLES:-20}"
checks="${API_FUZZ_CHECKS:-not_a_server_error}"
# The front-office operator opens cases, the commonest command; any demo account works.
account="${API_FUZZ_ACCOUNT:-sc_operator@sc-astana-1}"
target_dir="${CARGO_TARGET_DIR:-$root/target}"
venv="$root/target/api-fuzz-venv"
requirements="$root/scripts/api-fuzz-requirements.txt"
export CARGO_TERM_COLOR=never

echo "== api-fuzz: schemathesis"
if ! cmp -s "$requirements" "$venv/requirements.txt" 2>/dev/null; then
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$requirements"
  cp "$requirements" "$venv/requirements.txt"
fi
"$venv/bin/schemathesis" --version

echo "== api-fuzz: building shaqyru"
cargo build --locked -q -p shaqyru
bin="$target_dir/debug/shaqyru"

tmp=$(mktemp -d)
server=""
cleanup() {
  if [ -n "$server" ] && kill -0 "$server" 2>/dev/null; then
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT

: >"$tmp/server.log"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
RUST_LOG="${RUST_LOG:-warn}" "$bin" serve --database "$tmp/db.sqlite" --listen "127.0.0.1:$port" >"$tmp/server.log" 2>&1 &
server=$!

for _ in $(seq 1 120); do
  grep -q 'serving on http://' "$tmp/server.log" && grep -q 'Demo password' "$tmp/server.log" && break
  kill -0 "$server" 2>/dev/null || { echo "the server exited:"; cat "$tmp/server.log"; exit 1; }
  sleep 0.5
done
base=$(grep -o 'serving on http://[^ ]*' "$tmp/server.log" | head -n 1 | sed 's/serving on //')
token=$(awk -v who="$account" '$1 == who { print $NF }' "$tmp/server.log" | head -n 1)
if [ -z "$base" ] || [ -z "$token" ]; then
  echo "cannot read the address or the token of $account from the server's output:"
  sed -E 's/[A-Za-z0-9_-]{24,}/<token>/g' "$tmp/server.log"
  exit 1
fi
echo "server at $base, fuzzing as $account for at most $seconds s, $examples examples an operation, checks: $checks"

status=0
started=$(date +%s)
# From the temporary directory: schemathesis keeps replay data in ./.schemathesis/.
(cd "$tmp" && "$venv/bin/schemathesis" run "$base/api/openapi.json" \
  --header "Authorization: Bearer $token" \
  --checks "$checks" \
  --max-examples "$examples" \
  --max-time "$seconds" \
  --request-timeout 10 \
  --workers 2 \
  --no-color \
  --report junit --report-dir "$target_dir/api-fuzz-report") || status=$?
echo "api-fuzz: schemathesis took $(($(date +%s) - started)) s (report: $target_dir/api-fuzz-report)"

if ! kill -0 "$server" 2>/dev/null; then
  echo "api-fuzz: the server died during the run:"
  tail -n 50 "$tmp/server.log"
  status=1
elif grep -qiE 'panicked|ERROR' "$tmp/server.log"; then
  echo "api-fuzz: the server logged errors:"
  grep -iE -A3 'panicked|ERROR' "$tmp/server.log" | head -n 40
fi
exit "$status"
