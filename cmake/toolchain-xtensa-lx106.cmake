# SPDX-License-Identifier: BSD-3-Clause
#
# Xtensa lx106 (ESP8266 core, call0 ABI, no hardware divider), bare metal,
# Debian's xtensa-lx106-elf-gcc. The freestanding library build used by
# scripts/size-report.sh. -mlongcalls as in ESP8266 firmware (code in IRAM and
# flash is farther apart than a CALL0 reaches); it makes calls a few bytes
# larger. Debian's libgcc.a for lx106 lacks __udivsi3 and friends: firmware
# links the Espressif libgcc; the tests link tests/harness/xtensa/libgcc_fill.c.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR xtensa)
set(CMAKE_C_COMPILER xtensa-lx106-elf-gcc)
set(CMAKE_ASM_COMPILER xtensa-lx106-elf-gcc)
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)

set(CMAKE_C_FLAGS_INIT "-mlongcalls -ffreestanding")
set(CMAKE_ASM_FLAGS_INIT "-mlongcalls")

set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
