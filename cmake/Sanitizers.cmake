# HASHRIG_SANITIZE: the whole build under AddressSanitizer + UndefinedBehaviorSanitizer.
# Any report is fatal, so a test that trips one fails.
if(HASHRIG_SANITIZE)
  # -O1 with line tables only, as ASan's own documentation builds: reports keep file and
  # line, and the build takes far less than at -O2 -g (issue 13, point 6: RelWithDebInfo's
  # full debug info of the Boost/GoogleTest-heavy units was most of the suite's build).
  if(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    set(hashrig_debug_info -gline-tables-only)
  else()
    set(hashrig_debug_info -g1)
  endif()
  # UBSan's vptr check needs RTTI, which the firmware's portable code is built without
  # (-fno-rtti); every other UBSan check stays on.
  add_compile_options(-fsanitize=address,undefined -fno-sanitize=vptr -fno-sanitize-recover=all
                      -fno-omit-frame-pointer -O1 ${hashrig_debug_info})
  add_link_options(-fsanitize=address,undefined)
endif()

# HASHRIG_FUZZ: libFuzzer needs clang; fuzz targets add -fsanitize=fuzzer themselves.
# Every library is built with coverage instrumentation (fuzzer-no-link): without it
# libFuzzer saw only the edges of the fuzz targets' own files, not of the parsers and
# sessions they drive, and could not steer (issue 13, point 9). The sanitizer runtime
# of HASHRIG_SANITIZE provides the coverage callbacks to the other executables.
if(HASHRIG_FUZZ AND NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  message(FATAL_ERROR "HASHRIG_FUZZ needs clang (libFuzzer): configure with CXX=clang++-14")
endif()
if(HASHRIG_FUZZ)
  if(NOT HASHRIG_SANITIZE)
    message(FATAL_ERROR "HASHRIG_FUZZ needs HASHRIG_SANITIZE=ON (its runtime serves the coverage hooks)")
  endif()
  # Not the compute kernels (tests/fuzz/coverage_ignorelist.txt: SHA-256 rounds, CRCs),
  # whose loop counters only slowed every execution down.
  add_compile_options(-fsanitize=fuzzer-no-link
    -fsanitize-coverage-ignorelist=${CMAKE_SOURCE_DIR}/tests/fuzz/coverage_ignorelist.txt)
endif()

# hashrig_add_fuzzer(NAME SOURCE LIBS...): a libFuzzer binary, plus a ctest that runs
# it over a fixed number of inputs so the suite exercises every parser under ASan.
function(hashrig_add_fuzzer name source)
  if(NOT HASHRIG_FUZZ)
    return()
  endif()
  add_executable(${name} ${source})
  target_compile_options(${name} PRIVATE -fsanitize=fuzzer)
  target_link_options(${name} PRIVATE -fsanitize=fuzzer)
  target_link_libraries(${name} PRIVATE ${ARGN} hashrig::warnings)
  # Seeded from the corpus kept in the tree (tests/fuzz/corpus, from ../shared/data and the
  # long runs of scripts/fuzz_long.sh); what a run finds goes to the build tree only.
  set(seeds ${CMAKE_SOURCE_DIR}/tests/fuzz/corpus/${name})
  set(found ${CMAKE_CURRENT_BINARY_DIR}/corpus-${name})
  file(MAKE_DIRECTORY ${found})
  set(corpus)
  if(EXISTS ${seeds})
    set(corpus ${found} ${seeds})
  endif()
  # 5 s each (10 s until the kernels left the coverage: most targets now run as many
  # inputs in 5 s as they did in 10).
  add_test(NAME fuzz.${name}
           COMMAND ${name} -runs=200000 -max_total_time=5 -rss_limit_mb=2048 ${corpus})
  set_tests_properties(fuzz.${name} PROPERTIES LABELS fuzz)
endfunction()
