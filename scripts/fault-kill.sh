#!/usr/bin/env bash
# Fault campaign "kill -9" (issue 8; docs/RELIABILITY.md): the `komora` command is killed with
# SIGKILL at random instants while it saves, edits, imports a batch file and syncs with a real
# server; after every kill the vault must open, keep every acknowledged save and hold no
# operation twice. Bounded in time; repeatable schedule from the seed. Not part of
# scripts/test.sh (a 20-round run is: cli/tests/kill_campaign.rs).
#
#   bash scripts/fault-kill.sh                         # 300 rounds, at most 6 minutes, seed 20261129
#   bash scripts/fault-kill.sh --rounds 2000 --max-seconds 3600 --seed 7 --verbose
#   PROFILE=debug bash scripts/fault-kill.sh           # the debug build instead of release
#
# FAULT_SEED, FAULT_ROUNDS and FAULT_MAX_SECONDS set the defaults; flags given here win.
# Exits 0 when every check passed, 1 on any violation (the work folder is then kept and
# printed), 2 on a usage error.
set -euo pipefail
cd "$(dirname "$0")/.."

profile=${PROFILE:-release}
case "$profile" in
    release) build_flag=--release ;;
    debug) build_flag= ;;
    *) echo "PROFILE is release or debug" >&2; exit 2 ;;
esac
cargo build $build_flag -p komora-cli --bin komora -p komora-scenarios --bin fault_kill

exec "target/$profile/fault_kill" \
    --komora "target/$profile/komora" \
    --seed "${FAULT_SEED:-20261129}" \
    --rounds "${FAULT_ROUNDS:-300}" \
    --max-seconds "${FAULT_MAX_SECONDS:-360}" \
    "$@"
