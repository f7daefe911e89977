#!/usr/bin/env bash
# Style checks (R15): clang-format over every C++ file, and clang-tidy with the root
# .clang-tidy over every translation unit of a configured build.
#   scripts/lint.sh format            check formatting only
#   scripts/lint.sh tidy BUILD_DIR [PATH_PREFIX...]
#                                     clang-tidy on every entry of BUILD_DIR's
#                                     compile_commands.json (unity batches or files), every
#                                     source or those under the prefixes (one at a time:
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
    pattern='.'
    if ((${#prefixes[@]} > 0)); then
      pattern="^($(IFS='|'; echo "${prefixes[*]}"))"
      mapfile -t units < <(printf '%s\n' "${units[@]}" | grep -E "$pattern")
      jobs=1
    fi
    # What clang-tidy reads: each entry of the build's compile database. A unity build's
    # entries are its batches (CMAKE_UNITY_BUILD: sources #included together, the headers
    # parsed once, about 3x less work than each file alone); clang-tidy reports what it
    # finds in the sources a batch includes (.clang-tidy's HeaderFilterRegex), and the
    # batch's own #include of a .cc is the build's, not a finding. A batch is checked if
    # its first source is under the prefixes (a batch holds one target's sources).
    root=$(pwd)
    mapfile -t entries < <(grep -o '"file": "[^"]*"' "$build/compile_commands.json" |
      sed 's/^"file": "//; s/"$//')
    checked=()
    covered=()
    for entry in "${entries[@]}"; do
      if [[ "$entry" == */Unity/unity_*.cxx ]]; then
        mapfile -t sources < <(sed -n 's|^#include "\(.*\)"$|\1|p' "$entry")
      else
        sources=("$entry")
      fi
      ((${#sources[@]} > 0)) || continue
      first=${sources[0]#"$root"/}
      [[ "$first" =~ $pattern ]] || continue
      checked+=("$entry")
      for source in "${sources[@]}"; do covered+=("${source#"$root"/}"); done
    done
    # Every unit must be in some entry: a source no build compiles is not checked either.
    mapfile -t missing < <(comm -23 <(printf '%s\n' "${units[@]}" | sort -u) \
      <(printf '%s\n' "${covered[@]}" | sort -u))
    if ((${#missing[@]} > 0)); then
      echo "clang-tidy: not in $build/compile_commands.json (configure it with every module):" >&2
      printf '  %s\n' "${missing[@]}" >&2
      exit 1
    fi
    # A source that #includes a .cc would hide it from the check above.
    if grep -n '^#include ".*\.cc"' "${units[@]}"; then
      echo "clang-tidy: a source includes a .cc file" >&2
      exit 1
    fi
    printf '%s\n' "${checked[@]}" |
      xargs -r -P "$jobs" -n 1 clang-tidy --quiet -p "$build" --checks=-bugprone-suspicious-include
    echo "clang-tidy: ${#units[@]} files clean (${#checked[@]} compile commands)"
    ;;
  *)
    echo "usage: lint.sh format | tidy BUILD_DIR" >&2
    exit 2
    ;;
esac
