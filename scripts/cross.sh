#!/usr/bin/env bash
# Cross-builds hashrig for a 64-bit ARM control board and runs what works under qemu-user
# (issue 12, point 7, in part): the SHA-256 core's tests — NIST vectors, the 701 mainnet
# headers, the scan — on every backend the emulated CPU has (armv8 and scalar), and
# `hashrig bench --list` naming the armv8 backend. Installs the cross toolchain, qemu-user
# and the arm64 -dev packages (Debian multiarch) first.
#   bash scripts/cross.sh            (build dir: build/aarch64)
# Not yet: the tests that start threads (the simulated board's silicon thread, the
# daemon's chain threads) hang in pthread_create under Debian 12's qemu-user 7.2 (also
# with glibc.pthread.rseq=0), so the hal tests and an end-to-end mining run are not part
# of this script. A hash rate under qemu is the emulator's, not a performance figure.
set -euo pipefail
cd "$(dirname "$0")/.."
shared_data="${HASHRIG_SHARED_DATA_DIR:-$(pwd)/../shared/data}"
build="build/aarch64"

bash scripts/setup.sh g++-aarch64-linux-gnu qemu-user libssl-dev:arm64 libusb-1.0-0-dev:arm64 \
  libgtest-dev:arm64 libgmock-dev:arm64 libboost-dev:arm64 libsecp256k1-dev:arm64

cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/aarch64-linux-gnu.cmake \
  -DHASHRIG_BUILD_BENCH=OFF -DHASHRIG_BUILD_MCU=OFF \
  -DHASHRIG_SHARED_DATA_DIR="$shared_data" >/dev/null
cmake --build "$build" -j"$(nproc)" --target hashrig sha256_tests
ctest --test-dir "$build" -j"$(nproc)" --output-on-failure --timeout 900 -L "unit|cross" \
  -R "^(Backends/|BackendTest|DifficultyTest|TargetTest|OpenSslBaselineTest|cross\.)"
