#!/usr/bin/env bash
# The test command of the README: installs what the tests need and is not on a fresh machine
# (cargo-nextest; poppler-utils and zbar-tools, with which the document tests read PDFs and QR
# codes; Chromium, the Noto fonts and the e2e/ npm packages for the browser tests and the BPMN
# check), makes sure the machine's PostgreSQL runs, then runs every test of the workspace.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v cargo-nextest >/dev/null 2>&1; then
  echo "cargo-nextest missing: installing it"
  cargo install cargo-nextest --locked
fi

need=()
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
command -v zbarimg >/dev/null 2>&1 || need+=(zbar-tools)
command -v psql >/dev/null 2>&1 || need+=(postgresql-client)
[ -x /usr/bin/chromium ] || need+=(chromium)
[ -d /usr/share/fonts/truetype/noto ] || need+=(fonts-noto-core)
command -v node >/dev/null 2>&1 || need+=(nodejs npm)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing ${need[*]}"
  sudo_=""; [ "$(id -u)" -ne 0 ] && sudo_="sudo"
  $sudo_ apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_ apt-get install -y -qq "${need[@]}" >/dev/null
fi

# The browser tests' and the BPMN check's packages, exactly as locked.
if [ ! -d e2e/node_modules/playwright-core ] || [ e2e/package-lock.json -nt e2e/node_modules/.package-lock.json ]; then
  echo "installing the e2e/ npm packages"
  npm ci --prefix e2e --no-audit --no-fund >/dev/null
fi

pg_up() { (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; }
if ! pg_up && [ -d /etc/postgresql ]; then
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start || true
  for _ in 1 2 3 4 5 6 7 8 9 10; do pg_up && break; sleep 1; done
fi
if ! pg_up; then
  echo "PostgreSQL is not reachable at 127.0.0.1:5432 (set SHAQYRU_TEST_POSTGRES to another server)" >&2
  [ -n "${SHAQYRU_TEST_POSTGRES:-}" ] || exit 1
fi

exec cargo nextest run --workspace --locked --no-fail-fast "$@"
