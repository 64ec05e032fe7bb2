# SPDX-License-Identifier: BSD-3-Clause
#
# Cortex-M4 (Thumb-2, soft-float ABI), bare metal, Debian's arm-none-eabi-gcc.
# The freestanding library build used by scripts/size-report.sh:
#   cmake -S . -B build-m4 -DCMAKE_TOOLCHAIN_FILE=cmake/toolchain-cortex-m4.cmake \
#         -DCMAKE_BUILD_TYPE=MinSizeRel
# CMAKE_CROSSCOMPILING turns the posix port and vrsim off (see CMakeLists.txt),
# so libvregion.a is the freestanding core. The core is compiled with
# -ffreestanding; it needs only memset/memcpy/memmove/memcmp/strlen from a libc.
# Tests also run with this file on QEMU mps2-an386 (Cortex-M4), but CI uses
# toolchain-cortex-m3-qemu.cmake (mps2-an385), see docs/targets.md.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR arm)
set(CMAKE_C_COMPILER arm-none-eabi-gcc)
set(CMAKE_ASM_COMPILER arm-none-eabi-gcc)
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)

set(CMAKE_C_FLAGS_INIT "-mcpu=cortex-m4 -mthumb -ffreestanding")
set(CMAKE_ASM_FLAGS_INIT "-mcpu=cortex-m4 -mthumb")

set(CMAKE_CROSSCOMPILING_EMULATOR
    timeout;--kill-after=5;120;qemu-system-arm;-M;mps2-an386;-cpu;cortex-m4;-display;none;-monitor;none;-serial;none;-semihosting-config;enable=on,target=native;-kernel)

set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
