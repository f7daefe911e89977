#!/usr/bin/env bash
# Cross-builds hashrig for a control board's CPU and tests it under qemu-user (issue 12,
# point 7): the SHA-256 core's tests (NIST vectors, the 701 mainnet headers, every backend
# this CPU has: armv8 on aarch64), the protocol and simulator tests, and an end-to-end
# mining run of the cross-built `hashrig` (embedded default: a simulated chain against the
# built-in pool, shares accepted) plus `hashrig bench` listing the backend.
#   bash scripts/cross.sh [aarch64]        (build dir: build/<arch>)
# Under qemu a hash rate is the emulator's, not the CPU's: not a performance figure.
set -euo pipefail
cd "$(dirname "$0")/.."
arch="${1:-aarch64}"
shared_data="${HASHRIG_SHARED_DATA_DIR:-$(pwd)/../shared/data}"
build="build/$arch"

cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_TOOLCHAIN_FILE="cmake/toolchains/$arch-linux-gnu.cmake" \
  -DHASHRIG_BUILD_BENCH=OFF -DHASHRIG_BUILD_MCU=OFF \
  -DHASHRIG_SHARED_DATA_DIR="$shared_data" >/dev/null
cmake --build "$build" -j"$(nproc)" --target hashrig sha256_tests hal_tests
# Only the executables built above have their tests discovered; -L keeps lint and the
# native e2e tests (which spawn the binary directly) out.
ctest --test-dir "$build" -j"$(nproc)" --output-on-failure --timeout 900 -L "unit|cross"
