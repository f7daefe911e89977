#!/usr/bin/env bash
# Cross-builds hashrig for the ARM control boards operators run it on and tests the result
# under qemu-user (issue 12, point 7):
#   aarch64 (g++-aarch64-linux-gnu, arm64 multiarch, qemu-aarch64) and
#   armhf   (g++-arm-linux-gnueabihf, armhf multiarch, qemu-arm).
# For each: every unit test (the SHA-256 core on every backend the emulated CPU has —
# NIST, the 701 mainnet headers, the scan —, the pool, hal, host and firmware suites),
# `hashrig bench --list`, and the cross-built miner mining to accepted shares: its
# embedded default in one process, and `hashrig pool` ⇄ `hashrig run` as two processes
# over TCP (tests/cross/mine_under_qemu.py). The end-to-end suites that start `hashrig`
# as a child need binfmt_misc, which a container lacks: the cross.* tests run those
# processes under the emulator themselves. Installs the toolchains, qemu-user and the
# -dev packages of the target's libraries first (Debian multiarch).
#   bash scripts/cross.sh [--suite|--packages] [aarch64|armhf]...   (default: both; build/<arch>)
# --suite (scripts/test.sh): only `hashrig` and the SHA-256 tests are built, and only
# those and the cross.* tests run. A hash rate under qemu is the emulator's, not a
# performance figure. --packages: only print the Debian packages the arches given need
# (scripts/test.sh installs them beside the first build: dpkg mostly waits on the disk).
set -euo pipefail
cd "$(dirname "$0")/.."
shared_data="${HASHRIG_SHARED_DATA_DIR:-$(pwd)/../shared/data}"
suite=0
list=0
case "${1:-}" in
  --suite)
    suite=1
    shift
    ;;
  --packages)
    list=1
    shift
    ;;
esac
arches=("$@")
if ((${#arches[@]} == 0)); then
  arches=(aarch64 armhf)
fi

# Sets triple and debarch for an arch name, and packages to what building for it needs.
select_arch() {
  case "$1" in
    aarch64)
      triple=aarch64-linux-gnu
      debarch=arm64
      ;;
    armhf)
      triple=arm-linux-gnueabihf
      debarch=armhf
      ;;
    *)
      echo "usage: scripts/cross.sh [--suite|--packages] [aarch64|armhf]..." >&2
      exit 2
      ;;
  esac
  packages=("g++-$triple" qemu-user "libssl-dev:$debarch" "libusb-1.0-0-dev:$debarch"
    "libgtest-dev:$debarch" "libgmock-dev:$debarch" "libboost-dev:$debarch"
    "libsecp256k1-dev:$debarch")
}

if ((list)); then
  for arch in "${arches[@]}"; do
    select_arch "$arch"
    printf '%s\n' "${packages[@]}"
  done | sort -u
  exit 0
fi

for arch in "${arches[@]}"; do
  select_arch "$arch"
  build="build/$arch"
  bash scripts/setup.sh "${packages[@]}"
  echo "== cross: $arch ($build)"
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_TOOLCHAIN_FILE="cmake/toolchains/$triple.cmake" -DCMAKE_UNITY_BUILD=ON \
    -DHASHRIG_BUILD_BENCH=OFF -DHASHRIG_BUILD_MCU=OFF \
    -DHASHRIG_SHARED_DATA_DIR="$shared_data" >/dev/null
  if ((suite)); then
    cmake --build "$build" -j"$(nproc)" --target hashrig sha256_tests
    ctest --test-dir "$build" -j"$(nproc)" --output-on-failure --timeout 900 -L "unit|cross" \
      -R "^(Backends/|BackendTest|DifficultyTest|TargetTest|OpenSslBaselineTest|cross\.)"
  else
    cmake --build "$build" -j"$(nproc)"
    ctest --test-dir "$build" -j"$(nproc)" --output-on-failure --timeout 900 -L "unit|cross"
  fi
done
