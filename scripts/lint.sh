#!/usr/bin/env bash
# Style checks (R15): clang-format over every C++ file, and clang-tidy with the root
# .clang-tidy over every translation unit of a configured build.
#   scripts/lint.sh format            check formatting only
#   scripts/lint.sh tidy BUILD_DIR [PATH_PREFIX...]
#                                     clang-tidy using BUILD_DIR/compile_commands.json, on
#                                     every unit or those under the prefixes (one at a time:
#                                     ctest runs the per-module checks side by side)
set -euo pipefail
cd "$(dirname "$0")/.."

mode="${1:-format}"
mapfile -t files < <(git ls-files '*.cc' '*.h' 2>/dev/null || find sha256 host bench tests -name '*.cc' -o -name '*.h')

case "$mode" in
  format)
    clang-format --dry-run --Werror "${files[@]}"
    echo "clang-format: ${#files[@]} files clean"
    ;;
  tidy)
    build="${2:?usage: lint.sh tidy BUILD_DIR [PATH_PREFIX...]}"
    shift 2
    prefixes=("$@")
    # Not the MCU board support (firmware/targets/mps2_an386): register-level code for
    # another target, in no host compile database; arm-none-eabi-g++ builds it with
    # -Wall -Wextra -Werror. Nor the AArch64 SHA-2 backend (sha256/src/armv8.cc), in no x86
    # compile database: scripts/cross.sh builds it with the same warnings as errors.
    mapfile -t units < <(printf '%s\n' "${files[@]}" | grep '\.cc$' | grep -v '^tests/fuzz/' |
      grep -v '^firmware/targets/mps2_an386/' | grep -v '^sha256/src/armv8\.cc$')
    jobs=$(nproc)
    if ((${#prefixes[@]} > 0)); then
      mapfile -t units < <(printf '%s\n' "${units[@]}" | grep -E "^($(IFS='|'; echo "${prefixes[*]}"))")
      jobs=1
    fi
    # One clang-tidy per file, as many at once as there are cores (or one at a time).
    printf '%s\n' "${units[@]}" | xargs -r -P "$jobs" -n 1 clang-tidy --quiet -p "$build"
    echo "clang-tidy: ${#units[@]} files clean"
    ;;
  *)
    echo "usage: lint.sh format | tidy BUILD_DIR" >&2
    exit 2
    ;;
esac
