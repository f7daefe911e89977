# Cross-building hashrig for 64-bit ARM control boards (Debian's g++-aarch64-linux-gnu and
# the arm64 -dev packages of the libraries, multiarch). Binaries run here under qemu-user:
#   cmake -S . -B build/aarch64 -G Ninja -DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/aarch64-linux-gnu.cmake
# scripts/cross.sh builds and tests with it.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
# Binaries run with the arm64 multiarch runtime the -dev packages install (libc6:arm64:
# /lib/ld-linux-aarch64.so.1 and /lib/aarch64-linux-gnu), loader and libc of one build.
# Not `-L /usr/aarch64-linux-gnu`: that took the cross package's loader (2.36-8cross1),
# which then loaded multiarch's libc.so.6 (2.36-9+deb12u14), and every thread start of
# that mismatched pair spun forever under qemu-user (a plain pthread_create hung).
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64)
set(ENV{PKG_CONFIG_LIBDIR} "/usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig")
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
