# Warnings as errors for every target of ours; g++ 12 and clang 14 both stay clean.
add_library(hashrig_warnings INTERFACE)
target_compile_options(hashrig_warnings INTERFACE
  -Wall -Wextra -Werror -Wshadow -Wnon-virtual-dtor -Wcast-align
  -Woverloaded-virtual -Wimplicit-fallthrough)
add_library(hashrig::warnings ALIAS hashrig_warnings)
