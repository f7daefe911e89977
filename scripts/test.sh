#!/usr/bin/env bash
# Builds and runs the whole hashrig test suite on a fresh Debian 12 machine:
#   1. g++ 12, Release: every unit and end-to-end test, lint (clang-format, clang-tidy per
#      module); the benchmarks build;
#   2. clang 14 with ASan+UBSan: the unit tests again, the end-to-end suites that run in
#      the test process (label e2e-inprocess: the pool loopback, the drivers over PTYs)
#      and the libFuzzer targets, each run for a fixed time;
#   3. aarch64 and armhf cross builds (scripts/cross.sh --suite): the SHA-256 tests and
#      the cross-built miner mining to accepted shares, under qemu-user.
# All builds use -Wall -Wextra -Werror, in unity batches (CMAKE_UNITY_BUILD: the headers
# of a batch are parsed once, by the compilers and by clang-tidy). The suites
# of real processes run once, in the Release build (issue 13, point 6: the suite must stay
# under 25 minutes on 2 cores). Every stage runs even if one before failed; the exit
# status is non-zero if anything failed.
set -euo pipefail
cd "$(dirname "$0")/.."

# What the builds need first. Then, beside the first build (dpkg mostly waits on the disk:
# ~110 s for these on a fresh machine), what only the tests need: promtool (prometheus)
# checks a live /metrics scrape; headless Chromium, its WebDriver and python3-selenium
# drive the dashboard's browser test; the cross stage's toolchains, qemu-user and arm64 /
# armhf libraries. The Release tests wait for it.
bash scripts/setup.sh
mapfile -t cross_packages < <(bash scripts/cross.sh --packages aarch64 armhf)
test_packages_log=$(mktemp)
bash scripts/setup.sh prometheus chromium chromium-driver python3-selenium \
  "${cross_packages[@]}" >"$test_packages_log" 2>&1 &
test_packages=$!

jobs=$(nproc)
shared_data="${HASHRIG_SHARED_DATA_DIR:-$(pwd)/../shared/data}"

echo "== build: g++ Release (build/release)"
# One unity batch per target (CMake's default is 8 sources): clang-tidy reads this build's
# batches (lint.sh), and parses and matches the headers a target's sources share
# (Boost.Asio/Beast, nlohmann/json, GoogleTest) once per batch: 377 s of CPU against 482.
# The other builds keep 8: their largest batch is then their longest step.
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_C_COMPILER=gcc -DCMAKE_CXX_COMPILER=g++ -DCMAKE_UNITY_BUILD=ON \
  -DCMAKE_UNITY_BUILD_BATCH_SIZE=0 \
  -DHASHRIG_SHARED_DATA_DIR="$shared_data" >/dev/null
cmake --build build/release -j"$jobs"

echo "== build: clang 14 ASan+UBSan with fuzzers (build/asan)"
# Without what it does not run: the suites of hashrig processes and the MCU image (Release
# runs those).
cmake -S . -B build/asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14 \
  -DHASHRIG_SANITIZE=ON -DHASHRIG_FUZZ=ON -DHASHRIG_BUILD_BENCH=OFF -DCMAKE_UNITY_BUILD=ON \
  -DHASHRIG_PROCESS_E2E=OFF -DHASHRIG_BUILD_MCU=OFF \
  -DHASHRIG_SHARED_DATA_DIR="$shared_data" >/dev/null
cmake --build build/asan -j"$jobs"

status=0

echo "== setup: the tests' packages (installed beside the builds)"
if ! wait "$test_packages"; then
  status=1
  echo "test.sh: installing the tests' packages failed" >&2
fi
cat "$test_packages_log"
rm -f "$test_packages_log"

# Twice as many tests as cores (both builds): the soak, the conformance suite and most
# end-to-end tests wait on processes or timers far more than they compute, and their
# verdicts hold on a busy machine (issue 13, point 5), so the CPU-bound ones run beside
# them (ASan: 230 s at -j3, 180 s at -j4).
echo "== test: g++ Release (unit, end-to-end, lint)"
ctest --test-dir build/release -j"$((jobs * 2))" --output-on-failure --timeout 600 || status=1

echo "== test: clang 14 ASan+UBSan (unit, in-process end-to-end, fuzz)"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
ctest --test-dir build/asan -j"$((jobs * 2))" --output-on-failure --timeout 900 \
  -L '^(unit|e2e-inprocess|fuzz)$' || status=1

echo "== cross: aarch64 and armhf under qemu-user (build/aarch64, build/armhf)"
bash scripts/cross.sh --suite aarch64 armhf || status=1
if ((status != 0)); then
  echo "test.sh: FAILED (see the stages above)" >&2
fi
exit "$status"
