#!/usr/bin/env bash
# The server soak of issue 8 (docs/perf/soak.md): 1,000 simulated devices against the real
# `komora-sync-server` binary, on SQLite and on PostgreSQL, one long run and a few short repeats
# per store, then medians with their spread.
#
#   bash scripts/soak.sh                 # 10 min + 3 x 2 min per store (about 50 minutes)
#   LONG=0 REPEATS=3 SHORT=2 bash scripts/soak.sh
#
# PostgreSQL runs when KOMORA_TEST_POSTGRES (or SOAK_POSTGRES) holds a URL, for example
# postgres://komora:komora@127.0.0.1:5432/komora_test (each run uses a schema of its own and
# drops it). Results are appended to $OUT (one JSON record a run).
set -euo pipefail
cd "$(dirname "$0")/.."

LONG=${LONG:-10}          # minutes of the long run per store (0: none)
SHORT=${SHORT:-2}         # minutes of each repeat
REPEATS=${REPEATS:-3}     # repeats per store
DEVICES=${DEVICES:-1000}
OUT=${OUT:-target/soak-results.jsonl}
PG=${SOAK_POSTGRES:-${KOMORA_TEST_POSTGRES:-}}

cargo build --release --locked -p komora-sync-server
cargo build --release --locked -p komora-scenarios --bin soak

backends=(sqlite)
if [ -n "$PG" ]; then
    backends+=(postgres)
else
    echo "no PostgreSQL URL (KOMORA_TEST_POSTGRES): SQLite only" >&2
fi

run() {
    local backend=$1 minutes=$2 label=$3
    local args=(--backend "$backend" --devices "$DEVICES" --minutes "$minutes" --json-out "$OUT" --label "$label")
    if [ "$backend" = postgres ]; then
        args+=(--database "$PG")
    fi
    target/release/soak "${args[@]}" || echo "soak run failed its checks: $backend $label" >&2
}

for backend in "${backends[@]}"; do
    if [ "$LONG" != 0 ]; then
        run "$backend" "$LONG" "$LONG min"
    fi
    for _ in $(seq 1 "$REPEATS"); do
        run "$backend" "$SHORT" "$SHORT min"
    done
done
target/release/soak --summarise "$OUT"
