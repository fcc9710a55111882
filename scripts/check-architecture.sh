#!/usr/bin/env bash
# Fails when a crate depends on what docs/ARCHITECTURE.md says it must not know.
set -euo pipefail
cd "$(dirname "$0")/.."
fail=0
forbid() { # crate, pattern of forbidden dependencies
  local crate=$1 pattern=$2 found
  found=$(cargo tree --locked -p "$crate" -e normal --prefix none 2>/dev/null | awk '{print $1}' | grep -E "^($pattern)$" | sort -u || true)
  if [ -n "$found" ]; then
    echo "architecture: crate '$crate' must not depend on: $(echo $found)"; fail=1
  fi
}
forbid calendar 'domain|sqlx|sqlx-core|tokio|axum|hyper|store|engine|web|integrations'
forbid domain 'sqlx|sqlx-core|tokio|axum|hyper|reqwest|store|engine|web|integrations'
forbid store 'sqlx|sqlx-core|axum|hyper|web|engine'
forbid integrations 'sqlx|sqlx-core|axum|hyper|reqwest|store|engine|web'
forbid integrations-http 'sqlx|sqlx-core|axum|store|engine|web'
forbid engine 'sqlx|sqlx-core|axum|hyper|web|store-sqlite|store-postgres'
forbid store-sqlite 'axum|hyper|engine|web|integrations'
forbid store-postgres 'axum|hyper|engine|web|integrations'
forbid store-sql 'axum|hyper|engine|web|integrations|libsqlite3-sys'
forbid documents 'sqlx|sqlx-core|tokio|axum|hyper|store|engine|web|integrations'
forbid diagram 'sqlx|sqlx-core|tokio|axum|hyper|reqwest|store|engine|web|integrations'
forbid sim-server 'sqlx|sqlx-core|store|engine|web'
# sqlx::Error never leaves the store backends: only they may name sqlx at all.
if grep -rnE "sqlx::|use sqlx" crates/*/src --include=*.rs | grep -v "^crates/store-sqlite/" | grep -v "^crates/store-postgres/" | grep -v "^crates/store-sql/"; then
  echo "architecture: sqlx is named outside the store backends"; fail=1
fi
# Every source file starts with a //! line saying what it is for.
for f in $(git ls-files 'crates/*.rs' 2>/dev/null || find crates -name '*.rs'); do
  if ! head -n 1 "$f" | grep -q '^//!'; then echo "architecture: $f does not start with a //! line"; fail=1; fi
done
[ $fail -eq 0 ] && echo "architecture: ok"
exit $fail
