#!/usr/bin/env bash
# Builds and runs the whole hashrig test suite on a fresh Debian 12 machine:
#   1. g++ 12, Release: every unit and end-to-end test (and the benchmarks build);
#   2. clang 14 with ASan+UBSan: the same tests plus the libFuzzer targets, each run
#      over a fixed number of inputs.
# Both builds use -Wall -Wextra -Werror. Exit status is non-zero if anything fails.
set -euo pipefail
cd "$(dirname "$0")/.."

# Test-only packages: promtool (prometheus) checks a live /metrics scrape; headless
# Chromium, its WebDriver and python3-selenium drive the dashboard's browser test.
bash scripts/setup.sh prometheus chromium chromium-driver python3-selenium

jobs=$(nproc)
shared_data="${HASHRIG_SHARED_DATA_DIR:-$(pwd)/../shared/data}"

echo "== build: g++ Release (build/release)"
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_C_COMPILER=gcc -DCMAKE_CXX_COMPILER=g++ \
  -DHASHRIG_SHARED_DATA_DIR="$shared_data" >/dev/null
cmake --build build/release -j"$jobs"

echo "== build: clang 14 ASan+UBSan with fuzzers (build/asan)"
cmake -S . -B build/asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14 \
  -DHASHRIG_SANITIZE=ON -DHASHRIG_FUZZ=ON -DHASHRIG_BUILD_BENCH=OFF \
  -DHASHRIG_SHARED_DATA_DIR="$shared_data" >/dev/null
cmake --build build/asan -j"$jobs"

echo "== test: g++ Release"
ctest --test-dir build/release -j"$jobs" --output-on-failure --timeout 600

echo "== test: clang 14 ASan+UBSan"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
ctest --test-dir build/asan -j"$jobs" --output-on-failure --timeout 900
