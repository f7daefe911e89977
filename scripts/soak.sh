#!/usr/bin/env bash
# The soak (issue 13, point 7): `hashrig run` on four boards (two simulated chains, a
# Bitaxe-like board, a hashrig-firmware board) against `hashrig pool` through the fault
# proxy, for MINUTES, while the pool restarts, chains are unplugged, a board overheats,
# SIGHUP comes and the API and /metrics are hammered. Ends with the ledger (every share
# reconciled against the pool's log) and exit 0 only when every goal holds.
#
#   scripts/soak.sh MINUTES [--build DIR] [--dir DIR] [--seed N] [--fault-gap S] ...
#
# `python3 scripts/soak.py --help` lists the options; docs/RELIABILITY.md has the figures.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -lt 1 ]; then
  echo "usage: scripts/soak.sh MINUTES [--build DIR] [--dir DIR] [--seed N] ..." >&2
  exit 2
fi
build=build/release
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  if [ "${args[$i]}" = --build ]; then build=${args[$((i + 1))]}; fi
done
if [ ! -f "$build/build.ninja" ]; then
  bash scripts/setup.sh
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release
fi
cmake --build "$build" --target hashrig hashrig-fw-sim hashrig-fault-proxy >/dev/null
exec python3 scripts/soak.py "$@" --build "$build"
