#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Issue 9's code-size row: the code a SOF firmware links for SOF's 13
# vpage/vregion functions (vpage_alloc, vpage_free and the 11 vregion_*),
# Cortex-M4, -Os, -ffunction-sections -fdata-sections, linked with
# --gc-sections rooted at those 13 (plus the boot hook where the build has
# one), logging compiled out, asserts off. Code + rodata + data of the
# surviving sections of vregion's objects; memset/memcpy (libc) and what the
# RTOS provides (k_mutex_*, sys_mm_drv_*, sys_cache_*, the log backend) are
# external and not counted.
#
#   tests/zephyr/size_sof.sh [repo-root]
# prints, for the tree at repo-root (default: this one):
#   zephyr  SOF mode on Zephyr: core + src/compat/sof_{pool,vpage,vregion,
#           zephyr}.c + the Zephyr port (against tests/zephyr/stubs headers)
#   flat    the flat build of the issue's 7,744 B figure: core + the compat
#           layer + the flat glue and port (bare metal)
# and per object, so the compat layer's and the glue's shares show.
set -eu
root=$(cd "${1:-$(dirname "$0")/../..}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
cc=arm-none-eabi-gcc
command -v $cc >/dev/null || { echo "$cc not installed" >&2; exit 1; }
tmp=$(mktemp -d)
trap '[ -n "${VR_SIZE_KEEP:-}" ] && cp "$tmp"/*.map "$VR_SIZE_KEEP"/ ; rm -rf "$tmp"' EXIT
flags="-mcpu=cortex-m4 -mthumb -Os -std=gnu11 -ffunction-sections -fdata-sections -DNDEBUG"
roots="vpage_alloc vpage_free vregion_create vregion_set_interim vregion_get vregion_put
vregion_alloc vregion_alloc_coherent vregion_alloc_align vregion_alloc_coherent_align
vregion_free vregion_info vregion_mem_info"
core="port_check trace bitmap vpage vpage_map vpage_inspect heap heap_inspect vregion vregion_inspect"

# build NAME "CFLAGS" SRC... : objects in $tmp/NAME, image $tmp/NAME.elf
build() {
	name=$1
	cfl=$2
	shift 2
	mkdir -p "$tmp/$name"
	for s in "$@"; do
		[ -f "$s" ] || continue
		o="$tmp/$name/$(basename "$s" .c).o"
		# shellcheck disable=SC2086
		$cc $flags $cfl -c "$s" -o "$o"
	done
	us=""
	for r in $roots $extra_roots; do us="$us -Wl,--undefined=$r"; done
	# shellcheck disable=SC2086
	$cc $flags -nostdlib -Wl,--gc-sections -Wl,--entry=0 -Wl,--unresolved-symbols=ignore-all \
		$us -Wl,-Map="$tmp/$name.map" "$tmp/$name"/*.o -o "$tmp/$name.elf"
}

# bytes of text + rodata + data kept from each object (from the link map)
report() {
	name=$1
	awk -v dir="$tmp/$name/" '
		/^Linker script and memory map/ { mapped = 1; next }
		!mapped { next }
		/^ \.(text|rodata|data)[. ]/ || /^ \.(text|rodata|data)$/ { sec = 1; pending = ($2 == "") ; if (!pending) take($2, $3, $4); next }
		pending && /^ +0x/ { take($1, $2, $3); pending = 0; next }
		{ pending = 0 }
		function hex(h,   i, c, v) {
			h = tolower(h); sub("^0x", "", h); v = 0
			for (i = 1; i <= length(h); i++) { c = index("0123456789abcdef", substr(h, i, 1)) - 1; v = v * 16 + c }
			return v
		}
		function take(addr, size, file) {
			if (index(file, dir) != 1) return
			sub(".*/", "", file); s = hex(size); if (s == 0) return
			per[file] += s; tot += s
		}
		END { for (f in per) printf "  %-22s %6d\n", f, per[f]; printf "  %-22s %6d\n", "total", tot }
	' "$tmp/$name.map" | sort -k2 -n
}

src="$root/src"
inc="-I$root/include -I$root/include/vregion/compat -I$src"
core_src=""
for c in $core; do core_src="$core_src $src/$c.c"; done

zdefs="-DVR_STUB_FREESTANDING -I$here/stubs -I$root/zephyr -DCONFIG_VREGION=1 \
-DCONFIG_VREGION_LOG_LEVEL=0 -DCONFIG_MM_DRV_PAGE_SIZE=4096 -DCONFIG_VREGION_SOF=1 -DCONFIG_SOF_VREGIONS=1 \
-DCONFIG_VREGION_SOF_OWN_HEADERS=1 -DCONFIG_VREGION_SOF_BOOT=1 -DCONFIG_CACHE_MANAGEMENT=1 -DCONFIG_DCACHE=1 -DCONFIG_CACHE_DOUBLEMAP=1 \
-DVREGION_USER_CONFIG=\"vregion_zephyr_config.h\""
if [ -f "$src/compat/sof_zephyr.c" ]; then
	extra_roots="z_init_vr_sof_boot"
	# shellcheck disable=SC2086
	build zephyr "$inc $zdefs" $core_src "$src/compat/sof_pool.c" "$src/compat/sof_vpage.c" \
		"$src/compat/sof_vregion.c" "$src/compat/sof_zephyr.c" "$src/port/zephyr/port_zephyr.c"
	echo "zephyr (SOF mode, Zephyr port; Cortex-M4 -Os, no logging), bytes kept per object:"
	report zephyr
fi
extra_roots=""
# shellcheck disable=SC2086
build flat "$inc -DVR_CONFIG_LOG_LEVEL=-1" $core_src "$src/port/flat/port_flat.c" \
	"$src/compat/sof.c" "$src/compat/sof_pool.c" "$src/compat/sof_vpage.c" \
	"$src/compat/sof_vregion.c" "$src/compat/sof_heap.c" "$src/compat/sof_default_flat.c"
echo "flat (core + compat + flat glue and port; Cortex-M4 -Os, no logging), bytes kept per object:"
report flat
