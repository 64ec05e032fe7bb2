#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# install-check.sh: install vregion into a scratch prefix, then build and run the
# program in tests/install/ against it twice: with pkg-config and with CMake's
# find_package(vregion). Proves the installed headers, library, vregion.pc and
# CMake package work for a user.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# exactly the README's recipe: configure with the default prefix, choose the
# prefix at install time (so vregion.pc must be relocatable)
cmake -S "$top" -B "$work/build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$work/build" -j"$(nproc)" >/dev/null
cmake --install "$work/build" --prefix "$work/prefix" >/dev/null

# 0. every installed header compiles on its own, as C11 and as C++ where a
#    C++ compiler is present (users include them in any order)
n=0
while IFS= read -r h; do
	rel=${h#"$work/prefix/include/"}
	rel=${rel#vregion/compat/}	# SOF's headers: included as <sof/lib/...>, <rtos/...>
	printf '#include <%s>\n#include <%s>\n' "$rel" "$rel" > "$work/hdr.c"
	cc -std=c11 -Wall -Wextra -Werror -pedantic -I"$work/prefix/include" -I"$work/prefix/include/vregion/compat" \
		-fsyntax-only "$work/hdr.c" ||
		{ echo "install-check: $rel is not self-contained" >&2; exit 1; }
	if command -v c++ >/dev/null 2>&1; then
		c++ -x c++ -std=c++17 -Wall -Wextra -Werror -I"$work/prefix/include" \
			-I"$work/prefix/include/vregion/compat" -fsyntax-only "$work/hdr.c" ||
			{ echo "install-check: $rel does not compile as C++" >&2; exit 1; }
	fi
	n=$((n + 1))
done < <(find "$work/prefix/include" -name '*.h' | sort)
echo "install-check: $n installed headers compile on their own"
# nothing but vregion/ at the top of the include directory (SOF's headers must
# not shadow a firmware's own sof/ or rtos/)
top_entries=$(ls "$work/prefix/include")
if [ "$top_entries" != "vregion" ]; then
	echo "install-check: unexpected entries at the top of include/: $top_entries" >&2
	exit 1
fi

# 1. pkg-config
export PKG_CONFIG_PATH="$work/prefix/lib/pkgconfig:$work/prefix/lib/$(gcc -dumpmachine)/pkgconfig"
inc=$(pkg-config --variable=includedir vregion)
if [ "$(realpath "$inc")" != "$(realpath "$work/prefix/include")" ]; then
	echo "install-check: vregion.pc does not point into the install prefix: $inc" >&2
	exit 1
fi
cc -std=c11 -Wall -Wextra -Werror $(pkg-config --cflags vregion) \
	"$top/tests/install/consumer.c" -o "$work/consumer-pc" $(pkg-config --libs vregion)
"$work/consumer-pc"

# 2. CMake package
cmake -S "$top/tests/install" -B "$work/consumer-build" -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/consumer-build" >/dev/null
"$work/consumer-build/consumer"
echo "install-check: pkg-config and find_package consumers passed"
