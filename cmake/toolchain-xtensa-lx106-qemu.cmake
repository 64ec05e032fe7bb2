# SPDX-License-Identifier: BSD-3-Clause
#
# Xtensa lx106 test build, run under QEMU "-M sim -cpu lx106" with the
# Tensilica ISS simcall semihosting (-semihosting), picolibc as the C library
# of the test images, each run under `timeout 120`. Used by
# scripts/cross-test.sh:
#   cmake -S . -B build-xt -DCMAKE_TOOLCHAIN_FILE=cmake/toolchain-xtensa-lx106-qemu.cmake \
#         -DVREGION_DEBUG=ON && cmake --build build-xt -j2 && (cd build-xt && ctest)
# The compiler flags are those of toolchain-xtensa-lx106.cmake; link options
# (picolibc.specs, linker script, vectors, simcall glue, libgcc fill) come
# from tests/harness (target vr_mini_cmocka).
include(${CMAKE_CURRENT_LIST_DIR}/toolchain-xtensa-lx106.cmake)

set(CMAKE_CROSSCOMPILING_EMULATOR
    timeout;--kill-after=5;120;qemu-system-xtensa;-M;sim;-cpu;lx106;-display;none;-monitor;none;-serial;none;-semihosting;-kernel)
