#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# deps.sh [--list | --missing] PROFILE... : make sure the Debian packages a
# job needs are installed. Installs only what is missing (apt-get, as root or
# through sudo, --no-install-recommends), never upgrades what is there.
# Prints one line saying what it installs and why; apt's output goes to a log
# file ($VR_DEPS_LOG, default build/deps.log), printed only if apt fails.
# Nothing is printed when nothing is missing.
#   --list     print the packages of the profiles, one a line, and exit
#   --missing  print those not installed, one a line, and exit
# Profiles:
#   build  compiler, make, CMake (the library, vrsim, the examples)
#   test   cmocka and pkg-config (the test suites, the install check)
#   tools  python3, rsvg-convert, groff (checks of vrsim's output and man page)
#   clang  clang + compiler-rt (sanitizers, libFuzzer)
#   cross  arm-none-eabi and xtensa-lx106 toolchains, QEMU (emulated targets)
#   bench  valgrind and the peer allocators (jemalloc, mimalloc, tcmalloc)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)

mode=install
case "${1:-}" in
--list) mode=list; shift ;;
--missing) mode=missing; shift ;;
esac

# profile -> packages, and the reason printed when some are missing
declare -A pk=(
	[build]="gcc make cmake libc6-dev"
	[test]="libcmocka-dev pkg-config"
	[tools]="python3 python3-kconfiglib librsvg2-bin groff-base"
	[clang]="clang libclang-rt-dev llvm"
	[cross]="gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm qemu-system-misc gcc-xtensa-lx106 picolibc-xtensa-lx106-elf binutils"
	[bench]="valgrind libjemalloc-dev libmimalloc-dev libgoogle-perftools-dev"
)
declare -A why=(
	[build]="compiler and CMake to build vregion"
	[test]="cmocka and pkg-config for the test suites"
	[tools]="python3, kconfiglib, rsvg-convert and groff for the checks of the Zephyr Kconfig, vrsim's output and man page"
	[clang]="clang for the sanitizer and fuzzer builds"
	[cross]="cross compilers and QEMU for the emulated targets"
	[bench]="valgrind and peer allocators for the benchmarks"
)

installed() {
	# (no `| grep -q` under pipefail: an early exit of grep can SIGPIPE the writer)
	case $(dpkg-query -W -f='${Status}' "$1" 2>/dev/null) in *"install ok installed"*) return 0 ;; esac
	return 1
}

missing=() reasons=()
for profile in "$@"; do
	[ -n "${pk[$profile]:-}" ] || { echo "deps.sh: unknown profile '$profile'" >&2; exit 2; }
	n=0
	for p in ${pk[$profile]}; do
		if [ $mode = list ]; then echo "$p"; continue; fi
		installed "$p" && continue
		case " ${missing[*]} " in *" $p "*) continue ;; esac
		missing+=("$p")
		n=$((n + 1))
	done
	[ $n -gt 0 ] && reasons+=("$profile: ${why[$profile]}")
done
[ $mode = list ] && exit 0
if [ $mode = missing ]; then
	[ ${#missing[@]} -eq 0 ] || printf '%s\n' "${missing[@]}"
	exit 0
fi
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
log=${VR_DEPS_LOG:-$top/build/deps.log}
mkdir -p "$(dirname "$log")"
reason=$(printf '%s; ' "${reasons[@]}")
echo "deps.sh: installing ${missing[*]} (${reason%; })" >&2
if ! { $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q &&
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"; } \
	>"$log" 2>&1 </dev/null; then
	cat "$log" >&2
	echo "deps.sh: apt-get failed (output above, also in $log)" >&2
	exit 1
fi
