# Cross-building hashrig for 32-bit ARM control boards (armhf: the Zynq and Cortex-A7/A8
# controllers of many S9/S17/S19-era rigs) with Debian's g++-arm-linux-gnueabihf and the
# armhf -dev packages of the libraries (multiarch). Binaries run here under qemu-user:
#   cmake -S . -B build/armhf -G Ninja -DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/arm-linux-gnueabihf.cmake
# scripts/cross.sh builds and tests with it. The SHA-256 core has only its scalar backend
# there (no SHA-2 instructions on those cores).
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR arm)
set(CMAKE_LIBRARY_ARCHITECTURE arm-linux-gnueabihf)
set(CMAKE_C_COMPILER arm-linux-gnueabihf-gcc)
set(CMAKE_CXX_COMPILER arm-linux-gnueabihf-g++)
# GCC's note that std::map's argument passing changed in GCC 7.1 (-Wpsabi) concerns only
# code linked with objects of GCC 6 or older, which a build of its own never is.
set(CMAKE_CXX_FLAGS_INIT "-Wno-psabi")
# The armhf multiarch runtime (libc6:armhf, /lib/ld-linux-armhf.so.3), loader and libc of
# one build; see aarch64-linux-gnu.cmake for why not `-L /usr/arm-linux-gnueabihf`.
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-arm)
set(ENV{PKG_CONFIG_LIBDIR} "/usr/lib/arm-linux-gnueabihf/pkgconfig:/usr/share/pkgconfig")
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
