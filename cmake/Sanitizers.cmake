# HASHRIG_SANITIZE: the whole build under AddressSanitizer + UndefinedBehaviorSanitizer.
# Any report is fatal, so a test that trips one fails.
if(HASHRIG_SANITIZE)
  # UBSan's vptr check needs RTTI, which the firmware's portable code is built without
  # (-fno-rtti); every other UBSan check stays on.
  add_compile_options(-fsanitize=address,undefined -fno-sanitize=vptr -fno-sanitize-recover=all
                      -fno-omit-frame-pointer -g)
  add_link_options(-fsanitize=address,undefined)
endif()

# HASHRIG_FUZZ: libFuzzer needs clang; fuzz targets add -fsanitize=fuzzer themselves.
if(HASHRIG_FUZZ AND NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  message(FATAL_ERROR "HASHRIG_FUZZ needs clang (libFuzzer): configure with CXX=clang++-14")
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
  add_test(NAME fuzz.${name}
           COMMAND ${name} -runs=200000 -max_total_time=20 -rss_limit_mb=2048)
  set_tests_properties(fuzz.${name} PROPERTIES LABELS fuzz)
endfunction()
