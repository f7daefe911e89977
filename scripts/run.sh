#!/usr/bin/env bash
# Builds hashrig and runs the main job: `hashrig run` on its embedded default (a simulated
# S21-profile chain against the built-in local pool). Extra arguments go to `hashrig run`
# (e.g. --duration 30); Ctrl-C stops it with a summary.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_C_COMPILER=gcc -DCMAKE_CXX_COMPILER=g++ >/dev/null
cmake --build build/release -j"$(nproc)" --target hashrig
exec build/release/host/hashrig run "$@"
