#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# deps.sh PROFILE... : make sure the Debian packages a job needs are installed.
# Installs what is missing with apt-get (as root, or through sudo), never
# upgrades what is there. Profiles:
#   build  compiler, CMake, pkg-config, cmocka (host build and tests)
#   clang  clang + compiler-rt (sanitizers, libFuzzer)
#   cross  arm-none-eabi and xtensa-lx106 toolchains, QEMU (emulated target tests)
#   bench  valgrind and the peer allocators (jemalloc, mimalloc, tcmalloc)
#   tools  python3, rsvg-convert, groff (vrsim output and man page checks in tests)
set -euo pipefail

pkgs=()
for profile in "$@"; do
	case "$profile" in
	build) pkgs+=(gcc make cmake pkg-config libcmocka-dev libc6-dev) ;;
	clang) pkgs+=(clang libclang-rt-dev llvm) ;;
	cross) pkgs+=(gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm
		      qemu-system-misc gcc-xtensa-lx106 picolibc-xtensa-lx106-elf binutils) ;;
	bench) pkgs+=(valgrind libjemalloc-dev libmimalloc-dev libgoogle-perftools-dev) ;;
	tools) pkgs+=(python3 librsvg2-bin groff-base) ;;
	*) echo "deps.sh: unknown profile '$profile'" >&2; exit 2 ;;
	esac
done

missing=()
for p in "${pkgs[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing+=("$p")
	fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
	echo "deps.sh: missing packages (${missing[*]}) and no apt-get: install them by hand" >&2
	exit 1
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
		echo "deps.sh: need root to install: ${missing[*]}" >&2; exit 1
	fi
fi
echo "deps.sh: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq >&2
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
