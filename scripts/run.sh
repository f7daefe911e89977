#!/usr/bin/env bash
# Builds hashrig (Release) and runs its main job. Extra arguments go to `hashrig bench`.
# Until `hashrig run` exists (issue: host/), the main job is the hash-core benchmark.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_C_COMPILER=gcc -DCMAKE_CXX_COMPILER=g++ >/dev/null
cmake --build build/release -j"$(nproc)" --target hashrig
exec build/release/host/hashrig bench "$@"
