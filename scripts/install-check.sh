#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# install-check.sh: install vregion into a scratch prefix as the README says,
# then prove the installed tree works for a user:
#   0. what is installed: every header compiles on its own (C11 and C++),
#      vregion_all.h includes every header of vregion's own API, nothing but
#      vregion/ at the top of include/, the static library, the shared one
#      with its SONAME links, exporting only public names
#      (scripts/check-exports.sh), version.h with the project's version,
#      vrsim's manual page and schema once docs/ has them;
#   1. tests/install/consumer.c and every program in examples/ built alone
#      with `cc x.c $(pkg-config --cflags --libs vregion)` (shared) and with
#      vregion-static.pc (static), then run;
#   2. the consumer built with CMake's find_package(vregion), linking
#      vregion::vregion (shared) and vregion::vregion_static, then run.
# Each shared build must need libvregion.so (readelf NEEDED), each static
# one must not.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
say() { echo "install-check: $*"; }
die() { echo "install-check: $*" >&2; exit 1; }

# the README's recipe: configure with the default prefix, choose the prefix
# at install time (so vregion.pc must be relocatable). Tests and examples
# are not built here (nothing of them is installed; ./test.sh runs them).
cmake -S "$top" -B "$work/build" -DCMAKE_BUILD_TYPE=Release -DVREGION_BUILD_TESTS=OFF \
	-DVREGION_BUILD_EXAMPLES=OFF >"$work/build.log" 2>&1 &&
	cmake --build "$work/build" -j"$(nproc)" >>"$work/build.log" 2>&1 &&
	cmake --install "$work/build" --prefix "$work/prefix" >>"$work/build.log" 2>&1 ||
	{ cat "$work/build.log" >&2; die "build or install failed"; }
p=$work/prefix
version=$(sed -n 's/^project(vregion VERSION \([0-9.]*\).*/\1/p' "$top/CMakeLists.txt")

# ---- 0. the installed tree ----
n=0
while IFS= read -r h; do
	rel=${h#"$p/include/"}
	rel=${rel#vregion/compat/}	# SOF's headers: included as <sof/lib/...>, <rtos/...>
	printf '#include <%s>\n#include <%s>\n' "$rel" "$rel" > "$work/hdr.c"
	cc -std=c11 -Wall -Wextra -Werror -pedantic -I"$p/include" -I"$p/include/vregion/compat" \
		-fsyntax-only "$work/hdr.c" || die "$rel is not self-contained"
	if command -v c++ >/dev/null 2>&1; then
		c++ -x c++ -std=c++17 -Wall -Wextra -Werror -I"$p/include" \
			-I"$p/include/vregion/compat" -fsyntax-only "$work/hdr.c" ||
			die "$rel does not compile as C++"
	fi
	n=$((n + 1))
done < <(find "$p/include" -name '*.h' | sort)
say "$n installed headers compile on their own (C11, C++17)"
# the umbrella header names every header of vregion/ (SOF's live in compat/)
for h in "$p"/include/vregion/*.h; do
	b=$(basename "$h")
	[ "$b" = vregion_all.h ] && continue
	grep -q "#include \"vregion/$b\"" "$p/include/vregion/vregion_all.h" ||
		die "vregion/vregion_all.h does not include vregion/$b"
done
# nothing but vregion/ at the top of include/ (SOF's headers must not shadow
# a firmware's own sof/ or rtos/)
[ "$(ls "$p/include")" = vregion ] || die "unexpected entries at the top of include/: $(ls "$p/include")"
grep -q "#define VREGION_VERSION_STRING \"$version\"" "$p/include/vregion/version.h" ||
	die "installed version.h does not say $version"

export PKG_CONFIG_PATH="$p/lib/pkgconfig:$p/lib/$(gcc -dumpmachine)/pkgconfig"
libdir=$(pkg-config --variable=libdir vregion)
[ "$(realpath "$(pkg-config --variable=includedir vregion)")" = "$(realpath "$p/include")" ] ||
	die "vregion.pc does not point into the install prefix"
[ "$(pkg-config --modversion vregion)" = "$version" ] || die "vregion.pc has version $(pkg-config --modversion vregion)"
[ -f "$libdir/libvregion.a" ] || die "no libvregion.a in $libdir"
so=$(ls "$libdir"/libvregion.so.*.*.* 2>/dev/null | head -1)
[ -n "$so" ] || die "no libvregion.so.X.Y.Z in $libdir"
soname=$(readelf -d "$so" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
[ -n "$soname" ] && [ -L "$libdir/$soname" ] && [ -L "$libdir/libvregion.so" ] ||
	die "shared library links missing (SONAME '$soname')"
"$top/scripts/check-exports.sh" "$so" "$p/include" "$libdir/libvregion.a" >"$work/exports.log" ||
	{ cat "$work/exports.log" >&2; die "libvregion.so exports internal names"; }
say "libvregion.a and $(basename "$so") (SONAME $soname); $(sed 's/^check-exports: //' "$work/exports.log")"
# vrsim's manual page and JSON schema (issue 12), once they exist
if [ -f "$top/docs/vrsim.1" ]; then
	[ -f "$p/share/man/man1/vrsim.1" ] || die "docs/vrsim.1 exists but is not installed in share/man/man1"
fi
if [ -f "$top/docs/vrsim.schema.json" ]; then
	[ -n "$(find "$p/share" -name vrsim.schema.json 2>/dev/null)" ] ||
		die "docs/vrsim.schema.json exists but is not installed under share/"
fi

# ---- 1. pkg-config: every program, shared and static ----
# link_check EXE shared|static: the binary needs libvregion.so iff shared
link_check() {
	if readelf -d "$1" | grep 'NEEDED.*libvregion\.so' >/dev/null; then	# not -q: pipefail
		[ "$2" = shared ] || die "$(basename "$1") (static build) needs libvregion.so"
	else
		[ "$2" = static ] || die "$(basename "$1") (shared build) does not need libvregion.so"
	fi
}
progs=("$top/tests/install/consumer.c" "$top"/examples/*.c)
for src in "${progs[@]}"; do
	name=$(basename "$src" .c)
	for kind in shared static; do
		pc=vregion
		[ $kind = static ] && pc=vregion-static
		exe=$work/$name-$kind
		# shellcheck disable=SC2046
		cc -std=c11 -Wall -Wextra -Werror "$src" -o "$exe" $(pkg-config --cflags --libs $pc) ||
			die "$name does not build alone against the prefix ($pc.pc)"
		link_check "$exe" $kind
		# no LD_LIBRARY_PATH: vregion.pc puts the prefix's lib/ on the run path
		"$exe" >"$work/$name-$kind.out" 2>&1 ||
			{ cat "$work/$name-$kind.out" >&2; die "$name ($kind) failed"; }
	done
done
say "${#progs[@]} programs (consumer + examples/) built alone with pkg-config, shared and static, and ran"

# ---- 2. CMake package ----
for kind in shared static; do
	st=OFF
	[ $kind = static ] && st=ON
	b=$work/cmake-consumer-$kind
	cmake -S "$top/tests/install" -B "$b" -DCMAKE_PREFIX_PATH="$p" -DCONSUMER_STATIC=$st \
		-DVREGION_WANT_VERSION="${version%.*}" >"$b.log" 2>&1 &&
		cmake --build "$b" >>"$b.log" 2>&1 || { cat "$b.log" >&2; die "find_package consumer ($kind) failed to build"; }
	link_check "$b/consumer" $kind
	"$b/consumer" >"$b.out" 2>&1 || { cat "$b.out" >&2; die "find_package consumer ($kind) failed"; }
done
say "find_package(vregion ${version%.*}) consumers passed: vregion::vregion (shared), vregion::vregion_static"
