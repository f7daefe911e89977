# hashrig_module(NAME SOURCES src... [FREESTANDING] [INCLUDE dir] [PUBLIC deps...]
#                [PRIVATE deps...])
# One module = one folder = one target (STYLE R1): hashrig_NAME with the alias
# hashrig::NAME, its public headers under INCLUDE (default: include), warnings as errors,
# and for FREESTANDING modules (built for the MCU too) no exceptions and no RTTI.
function(hashrig_module name)
  cmake_parse_arguments(M "FREESTANDING" "INCLUDE" "SOURCES;PUBLIC;PRIVATE" ${ARGN})
  add_library(hashrig_${name} ${M_SOURCES})
  add_library(hashrig::${name} ALIAS hashrig_${name})
  if(NOT M_INCLUDE)
    set(M_INCLUDE include)
  endif()
  target_include_directories(hashrig_${name} PUBLIC ${M_INCLUDE})
  if(M_FREESTANDING)
    target_compile_options(hashrig_${name} PRIVATE -fno-exceptions -fno-rtti)
  endif()
  target_link_libraries(hashrig_${name} PUBLIC ${M_PUBLIC} PRIVATE ${M_PRIVATE} hashrig::warnings)
endfunction()
