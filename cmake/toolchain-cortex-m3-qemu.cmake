# SPDX-License-Identifier: BSD-3-Clause
#
# Cortex-M3 test build, run under QEMU mps2-an385 with ARM semihosting
# (newlib rdimon). ctest prefixes every test with the emulator below, each
# run under `timeout 120`. Used by scripts/cross-test.sh:
#   cmake -S . -B build-m3 -DCMAKE_TOOLCHAIN_FILE=cmake/toolchain-cortex-m3-qemu.cmake \
#         -DVREGION_DEBUG=ON && cmake --build build-m3 -j2 && (cd build-m3 && ctest)
# Link options of the test images (rdimon.specs, linker script, vector table)
# come from tests/harness (target vr_mini_cmocka), not from here, so the
# library itself is built exactly as for firmware. -display/-monitor/-serial
# none: QEMU must not touch stdin (CI has none).
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR arm)
set(CMAKE_C_COMPILER arm-none-eabi-gcc)
set(CMAKE_ASM_COMPILER arm-none-eabi-gcc)
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)

set(CMAKE_C_FLAGS_INIT "-mcpu=cortex-m3 -mthumb -ffreestanding")
set(CMAKE_ASM_FLAGS_INIT "-mcpu=cortex-m3 -mthumb")

set(CMAKE_CROSSCOMPILING_EMULATOR
    timeout;--kill-after=5;120;qemu-system-arm;-M;mps2-an385;-cpu;cortex-m3;-display;none;-monitor;none;-serial;none;-semihosting-config;enable=on,target=native;-kernel)

set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
