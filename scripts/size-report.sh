#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# size-report.sh - code size of the freestanding core on Cortex-M4 and Xtensa
# lx106, asserts off (VREGION_DEBUG=OFF, -DNDEBUG), -Os (CMake MinSizeRel),
# -ffunction-sections -fdata-sections. The one command behind the code-size
# tables of docs/performance.md, which it generates:
#
#   scripts/size-report.sh                 print the report (both targets)
#   scripts/size-report.sh --update-doc    also rewrite the generated blocks
#                                          of docs/performance.md in place
#   scripts/size-report.sh --check-doc     exit 1 iff those blocks differ from
#                                          what --update-doc would write now
#                                          (the "Generated ... from commit"
#                                          line aside): for CI
#   scripts/size-report.sh m4 | xt         one target only (no doc modes)
#
# Figures with a target are printed in the team's one form,
#   | figure | measured | peer (same run) | ratio | target | status |
# status met, missed or info; a missed target is information: it never
# changes the exit status. The exit status is 1 only when a build, a link
# or the freestanding check fails (or --check-doc finds a stale block).
#
# What it prints, per target:
#   1. per object of libvregion.a, grouped by component: code (.text and, on
#      Xtensa, .literal), .rodata, .data, .bss from `size -A`; `size`'s
#      Berkeley ".text" column is code + rodata. The SOF default pool's static
#      buffers (sof_default_flat: VR_SOF_FLAT_* macros) are .bss, shown apart.
#   2. the interim heap's init + alloc + aligned_alloc + free: an image is
#      linked with --gc-sections whose only roots are those four functions;
#      every input section of heap.c that survives is counted: the four
#      functions, every static helper they call that was not inlined, and the
#      constants and (Xtensa) literal pools they use. Sections from other
#      objects (libgcc helpers) are listed apart; memset/memcpy are not
#      counted (libc). Target (issue 9): <= 1362 B on Cortex-M4, Zephyr's
#      sys_heap, the heap it replaces in SOF.
#   3. the whole core: code + rodata + data of every object except the SOF
#      default pool's glue.
#   3b. the run-time core: an image linked with --gc-sections whose roots are
#      the functions declared in the public headers and defined by the
#      library, less *_validate, *_stats, *_for_each, *_walk and the text
#      helpers (vregion/names.h, version.h, vr_trace_format and friends; the
#      glue is not a root and never counted), by component, for three builds of the
#      library (in <build>/<t>-nostr and <t>-min): default logging,
#      -DVR_CONFIG_LOG_STRINGS=0 (middle profile: calls kept, strings gone)
#      and -DVR_CONFIG_LOG_LEVEL=-1 -DVR_CONFIG_TRACE=0 (minimal profile: no log call, no string, no trace hook, as the Zephyr module builds by default;
#      target: round 1's 4 KiB core). Then the minimal profile again with
#      fewer roots (SOF API, native API, own port, region API, lifetime use,
#      vpage, heap): what each kind of firmware links.
#   3c. SOF's API (issue 9): the image rooted at exactly SOF's 13 functions
#      (vpage_alloc, vpage_free and the 11 vregion_* functions), for the
#      same three builds: bytes by component (core + compat + flat port;
#      the default pool's glue shown, not counted) and the largest functions
#      kept. Target: <= 3606 B on Cortex-M4 with logging compiled out
#      (upstream SOF's vpage.c + vregion.c + mem_blocks + sys_heap + k_heap,
#      published in the issue, not measured here).
#      The same image in SOF mode on Zephyr (tests/zephyr/size_sof.sh: the
#      module's sources against the stand-in Zephyr headers), a summary row.
#   4. freestanding check (fails the script): the objects' undefined symbols,
#      minus what the library defines, may only be memset memcpy memmove
#      memcmp strlen and libgcc helpers; and the whole library links into an
#      image with -nostdlib plus our own mem*/strlen (and, on Xtensa, the
#      libgcc fill for Debian's incomplete libgcc) and -lgcc.
#   5. sizeof/alignof of every struct defined in the public headers (and,
#      marked private, in src/*_internal.h) on the 32-bit targets: compiled
#      into an object as sized arrays and read back with nm -S, nothing runs.
#
# env: VR_SIZE_BUILD build root (default <repo>/build-cross/size), VR_JOBS (2)
set -u
set -o pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${VR_SIZE_BUILD:-$ROOT/build-cross/size}
JOBS=${VR_JOBS:-2}
# targets (Cortex-M4 bytes) and the published peers they come from
HEAP_TARGET=1362	# issue 9: Zephyr sys_heap, the heap vregion's replaces in SOF
HEAP_PEERS="Zephyr sys_heap 1362 B, TLSF 1249 B, o1heap 610 B (published, not measured here)"
SOF_TARGET=3606		# issue 9: upstream SOF's vpage/vregion stack
SOF_PEER="upstream SOF vpage.c + vregion.c + mem_blocks + sys_heap + k_heap 3606 B (published, not measured here)"
CORE_TARGET=4096	# round 1: a 4 KiB core
# SOF's API: the 13 functions a SOF firmware calls
SOF_ROOTS="vpage_alloc vpage_free vregion_create vregion_set_interim vregion_get vregion_put
vregion_alloc vregion_alloc_coherent vregion_alloc_align vregion_alloc_coherent_align
vregion_free vregion_info vregion_mem_info"
update_doc=0
check_doc=0
targets=()
for a in "$@"; do
	case $a in
	--update-doc) update_doc=1 ;;
	--check-doc) check_doc=1 ;;
	m4 | xt) targets+=("$a") ;;
	-h | --help) sed -n '3,22p' "$0"; exit 0 ;;
	*) echo "size-report: unknown argument '$a'" >&2; exit 2 ;;
	esac
done
if [ ${#targets[@]} -gt 0 ] && [ $((update_doc + check_doc)) -gt 0 ]; then
	echo "size-report: --update-doc and --check-doc need both targets" >&2
	exit 2
fi
[ ${#targets[@]} -eq 0 ] && targets=(m4 xt)

declare -A tcfile=([m4]=toolchain-cortex-m4.cmake [xt]=toolchain-xtensa-lx106.cmake)
declare -A prefix=([m4]=arm-none-eabi- [xt]=xtensa-lx106-elf-)
declare -A cpuflags=([m4]="-mcpu=cortex-m4 -mthumb" [xt]="-mlongcalls")
declare -A tname=([m4]="Cortex-M4 (Thumb-2, arm-none-eabi-gcc 12.2, -Os)"
	[xt]="Xtensa lx106 (call0, -mlongcalls, xtensa-lx106-elf-gcc 12.2, -Os)")

fail=0
declare -A S_sof=() S_sofnostr=() S_sofmin=() S_core=() S_heap=() S_lean=() S_strs=() S_nostr=() S_min=() S_wnostr=() S_wmin=() S_heapmin=() S_regmin=() S_lifemin=()
v() { echo "${1:--}"; }
report=$(mktemp)
trap 'rm -f "$report"' EXIT
out() { printf '%s\n' "$*" | tee -a "$report"; }

# components in the order of every table; component() maps objects to them
COMPONENTS=("port (vr_port_check)" bitmap vpage heap vregion trace names version "flat port"
	"SOF compat" "SOF default pool glue")
# component of an object (archive member name)
component() {
	case $1 in
	port_check.c.*) echo "port (vr_port_check)" ;;
	bitmap.c.*) echo "bitmap" ;;
	vpage*.c.*) echo "vpage" ;;
	heap*.c.*) echo "heap" ;;
	vregion*.c.*) echo "vregion" ;;
	port_flat*.c.*) echo "flat port" ;;
	sof_default*.c.*) echo "SOF default pool glue" ;;
	sof*.c.* | compat*.c.*) echo "SOF compat" ;;
	*) echo "${1%%.c.*}" ;;
	esac
}

# code rodata data bss of one object, from size -A
sizes_of() {
	"${P}size" -A "$1" | awk '
		$1 ~ /^\.(text|literal)/ { c += $2 }
		$1 ~ /^\.rodata/ { r += $2 }
		$1 ~ /^\.s?data/ { d += $2 }
		$1 ~ /^\.s?bss/ || $1 == "COMMON" { b += $2 }
		END { printf "%d %d %d %d\n", c, r, d, b }'
}

# Build the library for target $1 again with extra compiler flags $3 (a
# logging profile) in $BUILD/$1-$2; prints the archive's path.
profile_lib() {
	local d=$BUILD/$1-$2
	# CFLAGS is read only when a build tree is first configured (and
	# -DCMAKE_C_FLAGS would replace the toolchain's CPU flags): a tree made
	# with other flags is made again, never reused with stale objects
	if [ "$(cat "$d.flags" 2>/dev/null)" != "$3" ]; then
		rm -rf "$d"
		printf '%s' "$3" >"$d.flags"
	fi
	if ! CFLAGS="-ffunction-sections -fdata-sections $3" cmake -S "$ROOT" -B "$d" \
		-DCMAKE_TOOLCHAIN_FILE="$ROOT/cmake/${tcfile[$1]}" -DCMAKE_BUILD_TYPE=MinSizeRel \
		-DVREGION_DEBUG=OFF -DVREGION_BUILD_TESTS=OFF >"$d.log" 2>&1 ||
		! cmake --build "$d" -j "$JOBS" --target vregion >>"$d.log" 2>&1; then
		cat "$d.log" >&2
		echo "size-report: $1: build with $3 FAILED" >&2
		return 1
	fi
	echo "$d/src/libvregion.a"
}

# gc_image LIB TAG ROOTSFILE: link LIB into an image with --gc-sections whose
# only roots are the functions listed in ROOTSFILE (one a line), then write
# "<member> <bytes>" (code + rodata + data kept, per archive member) to
# $work/TAG.objs. Uses $P, $cflags, $fill, $work of the current target.
gc_image() {
	local u="" r entry
	entry=$(head -1 "$3")
	for r in $(cat "$3"); do u="$u -Wl,--undefined=$r"; done
	# shellcheck disable=SC2086
	if ! "${P}gcc" $cflags -nostdlib -Wl,--gc-sections -Wl,-e,"$entry" $u \
		"$1" "$work/memfuncs.o" $fill -lgcc -Wl,-Map="$work/$2.map" -o "$work/$2.elf" \
		>"$work/$2.log" 2>&1; then
		cat "$work/$2.log"
		return 1
	fi
	map_sections "$work/$2.map" | awk '$1 ~ /libvregion\.a\(/ && $2 !~ /bss/ {
		m = $1; sub(/.*libvregion\.a\(/, "", m); sub(/\)$/, "", m); s[m] += $3 }
		END { for (m in s) print m, s[m] }' >"$work/$2.objs"
}

# Sum input sections of a GNU ld map file kept in the output, by object.
# Prints: "<object> <section> <size>" for every allocated input section.
map_sections() {
	awk '
		function hex(x,   i, v, c) { x = tolower(x); sub(/^0x/, "", x); v = 0; for (i = 1; i <= length(x); i++) { c = index("0123456789abcdef", substr(x, i, 1)); v = v * 16 + c - 1 }; return v }
		/^Linker script and memory map/ { on = 1; next }
		!on { next }
		/^ \.[^ ]+$/ { pend = $1; next }
		pend != "" && /^ +0x[0-9a-f]+ +0x[0-9a-f]+ / {
			print $3, pend, hex($2); pend = ""; next }
		{ pend = "" }
		/^ \.[^ ]+ +0x[0-9a-f]+ +0x[0-9a-f]+ / { print $4, $1, hex($3) }
	' "$1" | awk '$2 ~ /^\.(text|literal|rodata|s?data|s?bss)/ && $3 > 0'
}

# sof_image: section 3c for the current target ($t, $work, PLIB[]): the
# gc'ed image rooted at SOF's 13 functions in the three logging builds, by
# component, the glue apart, and the largest functions of the build with
# logging compiled out.
sof_image() {
	local prof comp m s label big gcode gbss
	declare -A SC=() ST=()
	printf '%s\n' $SOF_ROOTS >"$work/sof.roots"
	for prof in full nostr min; do
		[ -n "${PLIB[$prof]:-}" ] || continue
		if ! gc_image "${PLIB[$prof]}" "sof-$prof" "$work/sof.roots"; then
			out "**SOF API image link FAILED ($prof)**"
			fail=1
			continue
		fi
		while read -r m s; do
			comp=$(component "$m")
			SC[$prof,$comp]=$((${SC[$prof,$comp]:-0} + s))
			[ "$comp" = "SOF default pool glue" ] || ST[$prof]=$((${ST[$prof]:-0} + s))
		done <"$work/sof-$prof.objs"
	done
	S_sof[$t]=${ST[full]:-}
	S_sofnostr[$t]=${ST[nostr]:-}
	S_sofmin[$t]=${ST[min]:-}
	out ""
	out "SOF's API: an image linked with \`--gc-sections\` whose roots are exactly SOF's 13 functions ($(echo $SOF_ROOTS | sed 's/ /, /g')): what a SOF firmware links through the compat layer, over the default pool's flat port. Code + rodata + data kept, by component, in the three builds; the default pool's glue (static buffers, set-up) is shown, not counted."
	out ""
	out "| component | default logging | LOG_STRINGS=0 | logging and tracing compiled out (LOG_LEVEL=-1, TRACE=0) |"
	out "|---|---:|---:|---:|"
	for comp in "${COMPONENTS[@]}"; do
		[ -n "${SC[full,$comp]:-}${SC[min,$comp]:-}" ] || continue
		label=$comp
		[ "$comp" = "SOF default pool glue" ] && label="($comp, not counted)"
		out "| $label | $(v "${SC[full,$comp]:-}") | $(v "${SC[nostr,$comp]:-}") | $(v "${SC[min,$comp]:-}") |"
	done
	out "| **SOF API image** (core + compat + flat port) | **$(v "${ST[full]:-}")** | **$(v "${ST[nostr]:-}")** | **$(v "${ST[min]:-}")** |"
	[ -f "$work/sof-min.map" ] || return 0
	gbss=$(map_sections "$work/sof-min.map" | awk '$1 ~ /sof_default/ && $2 ~ /bss/ { s += $3 } END { print s + 0 }')
	gcode=$(map_sections "$work/sof-min.map" | awk '$1 ~ /sof_default/ && $2 !~ /bss/ { s += $3 } END { print s + 0 }')
	# largest functions kept (LOG_LEVEL=-1): .text.<fn> plus, on Xtensa, .literal.<fn>
	big=$(map_sections "$work/sof-min.map" | awk '$1 ~ /libvregion\.a\(/ && $1 !~ /sof_default/ && $2 ~ /^\.(text|literal)\./ {
		m = $1; sub(/.*libvregion\.a\(/, "", m); sub(/\.c\.obj\)$/, "", m)
		f = $2; sub(/^\.(text|literal)\./, "", f); s[f " (" m ")"] += $3 }
		END { for (k in s) print s[k], k }' | sort -k1,1nr -k2 | head -12 |
		awk '{ n = $1; $1 = ""; sub(/^ /, ""); printf "%s %d, ", $0, n }' | sed 's/, $//')
	out ""
	out "Largest functions kept with logging compiled out (bytes, object): ${big:-?}. The glue in that image: $gcode B of code and data, $gbss B of .bss (the static window, metadata and heap buffers)."
}

for t in "${targets[@]}"; do
	P=${prefix[$t]}
	for tool in ${P}gcc ${P}size ${P}nm ${P}ar cmake; do
		command -v "$tool" >/dev/null || { echo "size-report: $tool not found" >&2; exit 2; }
	done
	dir=$BUILD/$t
	work=$dir/work
	rm -rf "$work"
	mkdir -p "$work"
	# CFLAGS (not -DCMAKE_C_FLAGS, which would replace the toolchain's CPU flags)
	if ! CFLAGS="-ffunction-sections -fdata-sections" cmake -S "$ROOT" -B "$dir" \
		-DCMAKE_TOOLCHAIN_FILE="$ROOT/cmake/${tcfile[$t]}" -DCMAKE_BUILD_TYPE=MinSizeRel \
		-DVREGION_DEBUG=OFF -DVREGION_BUILD_TESTS=OFF >"$dir.log" 2>&1 ||
		! cmake --build "$dir" -j "$JOBS" --target vregion >>"$dir.log" 2>&1; then
		cat "$dir.log"
		echo "size-report: $t: build FAILED" >&2
		fail=1
		continue
	fi
	lib=$dir/src/libvregion.a
	flags=$(sed -n 's/^C_FLAGS = //p' "$dir/src/CMakeFiles/vregion.dir/flags.make")
	(cd "$work" && "${P}ar" x "$lib")
	objs=$(cd "$work" && ls *.obj *.o 2>/dev/null | sort)

	out ""
	out "### ${tname[$t]}"
	out ""
	out "Flags: \`$flags\`"
	out ""
	out "| component | object | code | .rodata | .data | .bss |"
	out "|---|---|---:|---:|---:|---:|"
	declare -A cc=() cr=() cd=() cb=()
	tc=0 tr=0 td=0 tb=0
	order=$(printf '%s|' "${COMPONENTS[@]}")
	objs=$(for o in $objs; do
		comp=$(component "$o")
		i=$(echo "$order" | tr '|' '\n' | grep -nxF "$comp" | cut -d: -f1)
		echo "${i:-99} $o"
	done | sort -n -k1,1 -k2,2 | awk '{ print $2 }')
	for o in $objs; do
		comp=$(component "$o")
		# an object of a component not listed yet: its own line in every table
		printf '%s\n' "${COMPONENTS[@]}" | grep -xF "$comp" >/dev/null || COMPONENTS+=("$comp")
		read -r c r d b < <(sizes_of "$work/$o")
		out "| $comp | ${o%.obj} | $c | $r | $d | $b |"
		cc[$comp]=$((${cc[$comp]:-0} + c)); cr[$comp]=$((${cr[$comp]:-0} + r))
		cd[$comp]=$((${cd[$comp]:-0} + d)); cb[$comp]=$((${cb[$comp]:-0} + b))
		if [ "$comp" != "SOF default pool glue" ]; then
			tc=$((tc + c)); tr=$((tr + r)); td=$((td + d)); tb=$((tb + b))
		fi
	done
	out ""
	out "| component (sum) | code | .rodata | .data | .bss | code+rodata+data |"
	out "|---|---:|---:|---:|---:|---:|"
	for comp in "${COMPONENTS[@]}"; do
		[ -n "${cc[$comp]:-}" ] || continue
		out "| $comp | ${cc[$comp]} | ${cr[$comp]} | ${cd[$comp]} | ${cb[$comp]} | $((${cc[$comp]} + ${cr[$comp]} + ${cd[$comp]})) |"
	done
	core=$((tc + tr + td))
	S_core[$t]=$core
	out "| **core** (all but the default pool glue) | $tc | $tr | $td | $tb | **$core** |"
	unset cc cr cd cb

	strs=$(for o in $objs; do
		case $(component "$o") in "SOF default pool glue") continue ;; esac
		"${P}size" -A "$work/$o" | awk '$1 ~ /^\.rodata/ && $1 ~ /(\.str[0-9]|__func__)/ { s += $2 } END { print s + 0 }'
	done | awk '{ s += $1 } END { print s + 0 }')
	out ""
	S_strs[$t]=$strs
	out "Of the core's .rodata, $strs bytes are strings: log messages and __func__ names passed to the port's log hook."

	# largest functions (nm -S sizes; on Xtensa without their literal pools)
	big=$(cd "$work" && for o in *.obj; do
		"${P}nm" -S --size-sort "$o" | awk -v o="${o%.c.obj}" '$3 ~ /^[tT]$/ { print $2, o ":" $4 }'
	done | awk 'function hex(x,   i, v, c) { x = tolower(x); v = 0; for (i = 1; i <= length(x); i++) { c = index("0123456789abcdef", substr(x, i, 1)); v = v * 16 + c - 1 }; return v }
		{ print hex($1), $2 }' | sort -rn | head -12 | awk '{ printf "%s %d, ", $2, $1 }' | sed 's/, $//')
	out ""
	out "Largest functions (bytes): $big."

	# ---- freestanding check: undefined symbols ----
	"${P}nm" -g --defined-only "$work"/*.obj 2>/dev/null | awk 'NF == 3 { print $3 }' | sort -u >"$work/defined"
	"${P}nm" -u "$work"/*.obj 2>/dev/null | awk 'NF == 2 { print $2 }' | sort -u >"$work/undef"
	ext=$(comm -23 "$work/undef" "$work/defined")
	libc=$(echo "$ext" | grep -xE 'memset|memcpy|memmove|memcmp|strlen' | tr '\n' ' ' | sed 's/ $//')
	libgcc=$(echo "$ext" | grep -E '^__(aeabi_|(u?(div|mod|divmod)[sdt]i[34])|(u?mul[sdt]i3)|umulsidi3|(clz|ctz|ffs|popcount|parity|bswap)[sd]i2|(ashl|ashr|lshr)[sd]i3|(u?cmp)di2)' | tr '\n' ' ' | sed 's/ $//')
	other=$(echo "$ext" | grep -vxE 'memset|memcpy|memmove|memcmp|strlen' |
		grep -vE '^__(aeabi_|(u?(div|mod|divmod)[sdt]i[34])|(u?mul[sdt]i3)|umulsidi3|(clz|ctz|ffs|popcount|parity|bswap)[sd]i2|(ashl|ashr|lshr)[sd]i3|(u?cmp)di2)' |
		grep -v '^$' | tr '\n' ' ' | sed 's/ $//')
	out ""
	out "External symbols the core needs: libc: ${libc:-none}; libgcc: ${libgcc:-none}."
	users=""
	for sym in $libgcc $other; do
		who=$(cd "$work" && for o in *.obj; do
			"${P}nm" -u "$o" | awk -v s="$sym" 'NF == 2 && $2 == s { f = 1 } END { exit !f }' && echo "${o%.c.obj}"
		done | tr '\n' ' ' | sed 's/ $//')
		users="$users$sym ($who); "
	done
	[ -n "$users" ] && out "Used by: ${users%; }."
	if [ -n "$other" ]; then
		out "**FREESTANDING CHECK FAILED**: also needs: $other"
		fail=1
	fi

	# ---- freestanding link of the whole library ----
	cat >"$work/memfuncs.c" <<'EOF'
/* byte loops: enough to link; the link check proves nothing else is needed */
#include <stddef.h>
void *memset(void *d, int c, size_t n);
void *memcpy(void *restrict d, const void *restrict s, size_t n);
void *memmove(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
void *memset(void *d, int c, size_t n) { unsigned char *p = d; while (n--) *p++ = (unsigned char)c; return d; }
void *memcpy(void *restrict d, const void *restrict s, size_t n) { unsigned char *p = d; const unsigned char *q = s; while (n--) *p++ = *q++; return d; }
void *memmove(void *d, const void *s, size_t n) { unsigned char *p = d; const unsigned char *q = s; if (p < q) while (n--) *p++ = *q++; else while (n--) p[n] = q[n]; return d; }
int memcmp(const void *a, const void *b, size_t n) { const unsigned char *p = a, *q = b; for (; n; n--, p++, q++) if (*p != *q) return *p - *q; return 0; }
size_t strlen(const char *s) { size_t n = 0; while (s[n]) n++; return n; }
EOF
	# the heap entry: roots of the gc'ed image are exactly these four
	cat >"$work/heap_entry.c" <<'EOF'
#include "vregion/heap.h"
void vr_size_entry(void);
void *volatile vr_size_roots[4];
void vr_size_entry(void)
{
	vr_size_roots[0] = (void *)(uintptr_t)vr_heap_init;
	vr_size_roots[1] = (void *)(uintptr_t)vr_heap_alloc;
	vr_size_roots[2] = (void *)(uintptr_t)vr_heap_aligned_alloc;
	vr_size_roots[3] = (void *)(uintptr_t)vr_heap_free;
}
EOF
	fill=""
	[ "$t" = xt ] && fill="$ROOT/tests/harness/xtensa/libgcc_fill.c"
	cflags="${cpuflags[$t]} -ffreestanding -Os -ffunction-sections -fdata-sections -std=c11 -I$ROOT/include -I$ROOT/include/vregion/compat"
	# shellcheck disable=SC2086
	"${P}gcc" $cflags -c "$work/memfuncs.c" -o "$work/memfuncs.o" &&
		"${P}gcc" $cflags -c "$work/heap_entry.c" -o "$work/heap_entry.o" || fail=1
	if [ -n "$fill" ]; then
		"${P}gcc" $cflags -c "$fill" -o "$work/libgcc_fill.o" || fail=1
		fill=$work/libgcc_fill.o
	fi
	# shellcheck disable=SC2086
	if ! "${P}gcc" $cflags -nostdlib -Wl,--gc-sections -Wl,-e,vr_heap_init \
		-Wl,--whole-archive "$lib" -Wl,--no-whole-archive "$work/memfuncs.o" $fill -lgcc \
		-Wl,-Map="$work/core.map" -o "$work/core.elf" >"$work/core.log" 2>&1; then
		cat "$work/core.log"
		out "**FREESTANDING LINK FAILED** (-nostdlib + own mem*/strlen + -lgcc): see above"
		fail=1
	else
		note=""
		[ -n "$fill" ] && note=" (+ tests/harness/xtensa/libgcc_fill.c: Debian's lx106 libgcc lacks __udivsi3 and friends)"
		out "Freestanding link: the whole library links with \`-nostdlib\`, our own memset/memcpy/memmove/memcmp/strlen and \`-lgcc\`$note: OK."
	fi

	# ---- heap: init + alloc + aligned_alloc + free ----
	# shellcheck disable=SC2086
	if ! "${P}gcc" $cflags -nostdlib -Wl,--gc-sections -Wl,-e,vr_size_entry \
		"$work/heap_entry.o" "$lib" "$work/memfuncs.o" $fill -lgcc \
		-Wl,-Map="$work/heap.map" -o "$work/heap.elf" >"$work/heap.log" 2>&1; then
		cat "$work/heap.log"
		out "**heap image link FAILED**"
		fail=1
		continue
	fi
	map_sections "$work/heap.map" >"$work/heap.sections"
	hsum=$(awk '$1 ~ /\(heap\.c\.obj\)$/ { s += $3 } END { print s + 0 }' "$work/heap.sections")
	S_heap[$t]=$hsum
	hcode=$(awk '$1 ~ /\(heap\.c\.obj\)$/ && $2 ~ /^\.(text|literal)/ { s += $3 } END { print s + 0 }' "$work/heap.sections")
	hro=$(awk '$1 ~ /\(heap\.c\.obj\)$/ && $2 ~ /^\.rodata/ { s += $3 } END { print s + 0 }' "$work/heap.sections")
	hdata=$(awk '$1 ~ /\(heap\.c\.obj\)$/ && $2 ~ /^\.s?(data|bss)/ { s += $3 } END { print s + 0 }' "$work/heap.sections")
	funcs=$(awk '$1 ~ /\(heap\.c\.obj\)$/ && $2 ~ /^\.text\./ { sub(/^\.text\./, "", $2); printf "%s %d, ", $2, $3 }' "$work/heap.sections" | sed 's/, $//')
	others=$(awk '$1 !~ /\(heap\.c\.obj\)$/ && $1 !~ /(heap_entry|memfuncs)\.o$/ { n = $1; sub(/.*\(/, "", n); sub(/\)$/, "", n); printf "%s %s %d, ", n, $2, $3 }' "$work/heap.sections" | sed 's/, $//')
	out ""
	out "Interim heap, init + alloc + aligned_alloc + free (gc'ed image rooted at these four; heap.c sections kept): **$hsum bytes** = code $hcode + rodata $hro + data/bss $hdata."
	out "Functions kept (bytes of .text.<name>; Thumb literal pools are inside, Xtensa .literal is counted in code above): ${funcs:-?}."
	[ -n "$others" ] && out "Also pulled in from other objects (not counted above): $others."
	# ---- the run-time core under three logging builds (profiles) ----
	# Roots: every function declared in a public header and defined by the
	# library, except the introspection functions (*_validate, *_stats,
	# *_for_each, *_walk). Internal globals (vri_*)
	# and the SOF default pool's glue are not roots: they count only when a
	# root needs them, and the glue's sections are never counted.
	hdrs_api=$(ls "$ROOT"/include/vregion/*.h "$ROOT"/include/vregion/compat/sof/lib/*.h 2>/dev/null | grep -v port_posix.h)
	# shellcheck disable=SC2086
	grep -ohE '\b[a-z_][a-z0-9_]*[[:space:]]*\(' $hdrs_api | sed 's/[[:space:]]*($//' | sort -u >"$work/hdr_names"
	# less introspection, and the text helpers for users' logs and tools
	# (vregion/names.h, version.h, the trace text form): the core never
	# calls them, a firmware links them only if it prints
	comm -12 "$work/hdr_names" "$work/defined" | grep -vE '_(validate|stats|for_each|walk)$' |
		grep -vE '^vr_(strerror|region_phase_name|log_level_name|version|version_number|trace_format|trace_header|trace_op_name)$' >"$work/roots"
	nroots=$(grep -c . "$work/roots")
	declare -A RT=() RTT=() WH=() PLIB=()
	minlib=""
	for prof in full nostr min; do
		case $prof in
		full) plib=$lib ;;
		nostr) plib=$(profile_lib "$t" nostr "-DVR_CONFIG_LOG_STRINGS=0") || { fail=1; continue; } ;;
		min) plib=$(profile_lib "$t" min "-DVR_CONFIG_LOG_LEVEL=-1 -DVR_CONFIG_TRACE=0") || { fail=1; continue; }
			minlib=$plib ;;
		esac
		PLIB[$prof]=$plib
		# whole library, not gc'ed (all objects but the glue)
		pw=$work/obj-$prof
		mkdir -p "$pw" && (cd "$pw" && "${P}ar" x "$plib")
		WH[$prof]=$(for o in "$pw"/*.obj; do
			case $(component "$(basename "$o")") in "SOF default pool glue") continue ;; esac
			sizes_of "$o"
		done | awk '{ s += $1 + $2 + $3 } END { print s + 0 }')
		# the run-time image
		if ! gc_image "$plib" "rt-$prof" "$work/roots"; then
			out "**run-time image link FAILED ($prof)**"
			fail=1
			continue
		fi
		while read -r m s; do
			comp=$(component "$m")
			RT[$prof,$comp]=$((${RT[$prof,$comp]:-0} + s))
			[ "$comp" = "SOF default pool glue" ] || RTT[$prof]=$((${RTT[$prof]:-0} + s))
		done <"$work/rt-$prof.objs"
		# the heap's four functions in this build (heap.c sections)
		# shellcheck disable=SC2086
		if [ "$prof" = min ] && "${P}gcc" $cflags -nostdlib -Wl,--gc-sections -Wl,-e,vr_size_entry \
			"$work/heap_entry.o" "$plib" "$work/memfuncs.o" $fill -lgcc \
			-Wl,-Map="$work/heap-min.map" -o "$work/heap-min.elf" >"$work/heap-min.log" 2>&1; then
			S_heapmin[$t]=$(map_sections "$work/heap-min.map" | awk '$1 ~ /\(heap\.c\.obj\)$/ { s += $3 } END { print s + 0 }')
		fi
	done
	S_lean[$t]=${RTT[full]:-}
	S_nostr[$t]=${RTT[nostr]:-}
	S_min[$t]=${RTT[min]:-}
	S_wnostr[$t]=${WH[nostr]:-}
	S_wmin[$t]=${WH[min]:-}
	out ""
	out "Run-time core: an image linked with \`--gc-sections\` whose roots are the $nroots functions declared in the public headers and defined by the library, less the introspection functions (\`*_validate\`, \`*_stats\`, \`*_for_each\`, \`*_walk\`) and the text helpers a firmware links only if it prints (\`vregion/names.h\`, \`vregion/version.h\`, \`vr_trace_format\` and friends): what a firmware keeps. Code + rodata + data of the library's sections that survive, by component; the SOF default pool's glue (kept because \`vr_sof_init\` calls it) is shown, not counted. Three builds of the same sources: default logging; \`-DVR_CONFIG_LOG_STRINGS=0\` (log calls kept, strings dropped: the hook gets level and values); **minimal profile** \`-DVR_CONFIG_LOG_LEVEL=-1 -DVR_CONFIG_TRACE=0\` (no log call, no string, no trace hook: upstream has no tracing, and the Zephyr module compiles it out unless CONFIG_VREGION_TRACE_LOG)."
	out ""
	out "| component | default logging | LOG_STRINGS=0 | minimal profile (LOG_LEVEL=-1, TRACE=0) |"
	out "|---|---:|---:|---:|"
	for comp in "${COMPONENTS[@]}"; do
		[ -n "${RT[full,$comp]:-}${RT[min,$comp]:-}" ] || continue
		label=$comp
		[ "$comp" = "SOF default pool glue" ] && label="($comp, not counted)"
		out "| $label | $(v "${RT[full,$comp]:-}") | $(v "${RT[nostr,$comp]:-}") | $(v "${RT[min,$comp]:-}") |"
	done
	out "| **run-time core** (gc'ed image) | **$(v "${RTT[full]:-}")** | **$(v "${RTT[nostr]:-}")** | **$(v "${RTT[min]:-}")** |"
	out "| whole library for comparison (all objects but the glue, not gc'ed) | $core | $(v "${WH[nostr]:-}") | $(v "${WH[min]:-}") |"
	out "| interim heap's init + alloc + aligned_alloc + free (heap.c does not log) | $hsum | | $(v "${S_heapmin[$t]:-}") |"
	# ---- minimal profile: what each use of the library links ----
	if [ -n "${minlib:-}" ]; then
		out ""
		out "Minimal profile (\`-DVR_CONFIG_LOG_LEVEL=-1 -DVR_CONFIG_TRACE=0\`), by what the firmware calls: the same gc'ed image with fewer roots (\`^vr_sof_\` etc. are patterns over the root list above). Bytes kept per object; the glue is not counted."
		out ""
		out "| roots | kept per object | total |"
		out "|---|---|---:|"
		n=0
		while IFS='|' read -r label how pat; do
			n=$((n + 1))
			case $how in
			all) cp "$work/roots" "$work/sub$n.roots" ;;
			not) grep -vE "$pat" "$work/roots" >"$work/sub$n.roots" ;;
			only) grep -E "$pat" "$work/roots" >"$work/sub$n.roots" ;;
			list) echo "$pat" | tr ' ' '\n' >"$work/sub$n.roots" ;;
			esac
			if ! gc_image "$minlib" "sub$n" "$work/sub$n.roots"; then
				out "| $label | link FAILED | |"
				fail=1
				continue
			fi
			per=$(grep -v sof_default "$work/sub$n.objs" | sort | awk '{ m = $1; sub(/\.c\.obj$/, "", m); printf "%s %d, ", m, $2 }' | sed 's/, $//')
			tot=$(grep -v sof_default "$work/sub$n.objs" | awk '{ s += $2 } END { print s + 0 }')
			[ "$n" = 5 ] && S_regmin[$t]=$tot
			[ "$n" = 6 ] && S_lifemin[$t]=$tot
			out "| $label | $per | $tot |"
		done <<'SUBSETS'
1. every run-time function (the minimal-profile row above)|all|
2. the SOF API only (vpage_*, vregion_*, vr_sof_*: what SOF links through the compat layer)|only|^(vpage_|vregion_|vr_sof_)
3. the native API only (no SOF compat layer)|not|^(vpage_|vregion_|vr_sof_)
4. 3 with the firmware's own port (no flat port)|not|^(vpage_|vregion_|vr_sof_|vr_flat_port_)
5. the region API only, plus vr_vpage_pool_init (pulls in vpage, bitmap and the heap)|only|^(vr_region_|vr_vpage_pool_init$)
6. lifetime use only: vr_vpage_pool_init, vr_region_create, vr_region_alloc, vr_region_put|list|vr_vpage_pool_init vr_region_create vr_region_alloc vr_region_alloc_slow_ vr_region_put
7. the page allocator only (vr_vpage_*)|only|^vr_vpage_
8. the heap's run-time API only (vr_heap_*)|only|^vr_heap_
9. the heap's init + alloc + aligned_alloc + free|list|vr_heap_init vr_heap_alloc vr_heap_aligned_alloc vr_heap_free
SUBSETS
	fi
	unset RT RTT WH
	sof_image
	unset PLIB

	# ---- sizeof / alignof of the structs ----
	out ""
	out "| struct | header | sizeof | alignof |"
	out "|---|---|---:|---:|"
	hdrs=$(ls "$ROOT"/include/vregion/*.h "$ROOT"/include/vregion/compat/sof/lib/*.h 2>/dev/null | grep -v port_posix.h)
	priv=$(ls "$ROOT"/src/*_internal.h 2>/dev/null)
	incl=""
	for h in $hdrs; do incl="$incl#include \"${h#"$ROOT"/include/}\"\n"; done
	for h in $hdrs $priv; do
		rel=${h#"$ROOT"/}
		for s in $(grep -oE '^struct [a-z_0-9]+ \{' "$h" | awk '{ print $2 }'); do
			src="$work/sz_$s.c"
			{
				printf '%b' "$incl"
				case $h in */src/*) echo "#include \"$(basename "$h")\"" ;; esac
				echo "char vr_sizeof_x[sizeof(struct $s)];"
				echo "char vr_alignof_x[_Alignof(struct $s)];"
			} >"$src"
			if "${P}gcc" ${cpuflags[$t]} -ffreestanding -std=c11 -fno-common -I"$ROOT/include" -I"$ROOT/src" \
				-c "$src" -o "$work/sz_$s.o" 2>/dev/null; then
				sz=$("${P}nm" -S "$work/sz_$s.o" | awk 'function hex(x,   i, v, c) { x = tolower(x); sub(/^0x/, "", x); v = 0; for (i = 1; i <= length(x); i++) { c = index("0123456789abcdef", substr(x, i, 1)); v = v * 16 + c - 1 }; return v } $4 == "vr_sizeof_x" { print hex($2) }')
				al=$("${P}nm" -S "$work/sz_$s.o" | awk 'function hex(x,   i, v, c) { x = tolower(x); sub(/^0x/, "", x); v = 0; for (i = 1; i <= length(x); i++) { c = index("0123456789abcdef", substr(x, i, 1)); v = v * 16 + c - 1 }; return v } $4 == "vr_alignof_x" { print hex($2) }')
			else
				sz="n/a"; al="n/a"
			fi
			case $h in */src/*) s="$s (private)" ;; esac
			out "| $s | $rel | $sz | $al |"
		done
	done
done

# ---- SOF mode on Zephyr (tests/zephyr/size_sof.sh: the module's sources
# against the stand-in Zephyr headers, same roots, Cortex-M4) ----
S_sofzephyr=""
case " ${targets[*]} " in
*" m4 "*)
	if ! S_sofzephyr=$("$ROOT/tests/zephyr/size_sof.sh" "$ROOT" 2>"$BUILD/size_sof.log" |
		awk '/^zephyr/ { z = 1; next } /^flat/ { z = 0 } z && $1 == "total" { print $2 }') ||
		[ -z "$S_sofzephyr" ]; then
		cat "$BUILD/size_sof.log" >&2
		echo "size-report: tests/zephyr/size_sof.sh FAILED" >&2
		fail=1
	fi
	;;
esac

# ---- summary: every figure in the one form ----
# row FIGURE BYTES [PEER_TEXT PEER_BYTES] [TARGET_BYTES]: ratio = bytes /
# peer bytes; status met / missed against the target, info without one.
row() {
	local ratio=- target=- status=info m=-
	if [ -n "$2" ]; then
		m="$2 B"
		[ -n "${4:-}" ] && ratio=$(awk -v a="$2" -v b="$4" 'BEGIN { printf "%.2fx", a / b }')
		if [ -n "${5:-}" ]; then
			target="<= $5 B"
			if [ "$2" -le "$5" ]; then status=met; else status=missed; fi
		fi
	fi
	echo "| $1 | $m | ${3:--} | $ratio | $target | $status |"
}
summary=$(mktemp)
{
	echo "| figure | measured | peer (same run) | ratio | target | status |"
	echo "|---|---:|---|---:|---:|---|"
	row "SOF's API: image for its 13 vpage/vregion functions (core + compat + flat port, gc'ed), logging and tracing compiled out, Cortex-M4 -Os" \
		"${S_sofmin[m4]:-}" "$SOF_PEER" $SOF_TARGET $SOF_TARGET
	row "the same, log calls kept without strings (\`VR_CONFIG_LOG_STRINGS=0\`)" "${S_sofnostr[m4]:-}" "$SOF_PEER" $SOF_TARGET
	row "the same, default logging (with strings)" "${S_sof[m4]:-}" "$SOF_PEER" $SOF_TARGET
	row "SOF's API image, logging compiled out, Xtensa lx106 -Os" "${S_sofmin[xt]:-}"
	row "SOF's API image in SOF mode on Zephyr (core + compat + Zephyr port and boot hook, \`tests/zephyr/size_sof.sh\`), logging and tracing compiled out, Cortex-M4 -Os" \
		"$S_sofzephyr" "$SOF_PEER" $SOF_TARGET $SOF_TARGET
	row "interim heap: init + alloc + aligned_alloc + free (gc'ed, heap.c sections), Cortex-M4 -Os" \
		"${S_heap[m4]:-}" "$HEAP_PEERS" $HEAP_TARGET $HEAP_TARGET
	row "the same, Xtensa lx106 -Os" "${S_heap[xt]:-}"
	row "run-time core, logging and tracing compiled out (\`VR_CONFIG_LOG_LEVEL=-1 VR_CONFIG_TRACE=0\`: every public function but introspection and text helpers, gc'ed), Cortex-M4" \
		"${S_min[m4]:-}" "" "" $CORE_TARGET
	row "the same, \`VR_CONFIG_LOG_STRINGS=0\`" "${S_nostr[m4]:-}"
	row "the same, default logging" "${S_lean[m4]:-}"
	row "run-time core, logging compiled out, Xtensa lx106" "${S_min[xt]:-}"
	row "logging compiled out: region API + vr_vpage_pool_init only (own port, no compat), Cortex-M4" "${S_regmin[m4]:-}"
	row "logging compiled out: lifetime use only (pool init, region create/alloc/put), Cortex-M4" "${S_lifemin[m4]:-}"
	row "whole library (all objects but the default pool glue, not gc'ed), default logging, Cortex-M4" "${S_core[m4]:-}"
	row "of it, log-message and __func__ strings, Cortex-M4" "${S_strs[m4]:-}"
} >"$summary"
echo ""
echo "### Summary"
echo ""
cat "$summary"

# ---- the generated blocks of docs/performance.md ----
doc=$ROOT/docs/performance.md
# write_doc OUT: the doc with both blocks replaced by this run's
write_doc() {
	local stamp dirty="" b1 b2
	git -C "$ROOT" status --porcelain -- src include 2>/dev/null | grep . >/dev/null &&
		dirty=" plus uncommitted changes in src/ or include/"
	stamp="Generated $(date -u +%Y-%m-%d) from commit $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$dirty."
	b1=$(mktemp) b2=$(mktemp)
	{
		echo '<!-- size-summary:begin (generated by scripts/size-report.sh --update-doc; edit the script, not this block) -->'
		echo "$stamp"
		echo ""
		cat "$summary"
		echo '<!-- size-summary:end -->'
	} >"$b1"
	{
		echo '<!-- size-report:begin (generated by scripts/size-report.sh --update-doc; edit the script, not this block) -->'
		echo "$stamp"
		cat "$report"
		echo ""
		echo '<!-- size-report:end -->'
	} >"$b2"
	awk -v f1="$b1" -v f2="$b2" '
		/<!-- size-summary:begin/ { while ((getline l < f1) > 0) print l; skip = 1; next }
		/<!-- size-summary:end -->/ { skip = 0; next }
		/<!-- size-report:begin/ { while ((getline l < f2) > 0) print l; skip = 1; next }
		/<!-- size-report:end -->/ { skip = 0; next }
		!skip { print }' "$doc" >"$1"
	rm -f "$b1" "$b2"
}
if [ $((update_doc + check_doc)) -gt 0 ]; then
	for m in size-summary size-report; do
		grep -qF "<!-- $m:begin" "$doc" && grep -qF "<!-- $m:end -->" "$doc" || {
			echo "size-report: $doc has no $m block (add its begin/end markers)" >&2
			fail=1
		}
	done
fi
if [ $fail -eq 0 ] && [ $((update_doc + check_doc)) -gt 0 ]; then
	new=$(mktemp)
	write_doc "$new"
	if [ $update_doc -eq 1 ]; then
		cat "$new" >"$doc"
		echo "size-report: updated the generated blocks of $doc"
	else
		if diff <(grep -v '^Generated .* from commit ' "$doc") <(grep -v '^Generated .* from commit ' "$new") >"$new.diff"; then
			echo "size-report: the generated blocks of $doc are current"
		else
			echo "size-report: STALE: the generated blocks of $doc differ from this run (scripts/size-report.sh --update-doc rewrites them):"
			head -20 "$new.diff"
			stale=1
		fi
		rm -f "$new.diff"
	fi
	rm -f "$new"
fi
rm -f "$summary"

[ $fail -ne 0 ] && { echo "size-report: FAILED"; exit 1; }
[ "${stale:-0}" -ne 0 ] && exit 1
exit 0
