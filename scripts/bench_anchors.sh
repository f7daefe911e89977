#!/usr/bin/env bash
# The anchors side by side (issue 17, point 4): cpuminer-opt (and pooler's minerd) built
# from source trees you point at — never fetched by this script, the build or the tests —
# and `hashrig bench`, run alternately, pinned to one core, several pairs; prints each
# run with its foreign load and the median ratio with its spread.
#
#   scripts/bench_anchors.sh --cpuminer-opt SRC [--minerd SRC] [--pairs N] [--seconds S]
#                            [--backend NAME]... [--cpu C] [--no-avx512-build]
#
# e.g. git clone https://github.com/JayDDee/cpuminer-opt /tmp/src/cpuminer-opt, then
#   scripts/bench_anchors.sh --cpuminer-opt /tmp/src/cpuminer-opt --backend shani2
# Installs the anchors' build dependencies (Debian packages) when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
needed=(automake autoconf make gcc libcurl4-openssl-dev libjansson-dev libgmp-dev zlib1g-dev)
missing=()
for p in "${needed[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo_cmd=()
  [ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
if [ ! -x build/release/host/hashrig ]; then
  bash scripts/setup.sh
  cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build build/release --target hashrig
fi
exec python3 scripts/bench_anchors.py "$@"
