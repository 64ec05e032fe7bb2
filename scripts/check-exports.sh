#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# check-exports.sh LIBVREGION.so INCLUDE_DIR [LIBVREGION.a]
# The shared library exports only the public names (cmake/vregion.map):
#   1. every dynamic symbol it defines is vr_* or SOF's vpage_*, vregion_*,
#      sof_* (no vri_* internal, no other name);
#   2. every exported vr_* name is mentioned in a header under INCLUDE_DIR
#      (a public name that no header declares is an internal one misnamed);
#   3. with the static archive: each of its global symbols is either
#      exported by the .so or a vri_* internal (a cross-file internal named
#      otherwise breaks the naming convention of docs/design.md).
# Prints what it checked; exits 1 on the first kind of failure found.
set -euo pipefail
so=${1:?usage: check-exports.sh LIB.so INCLUDE_DIR [LIB.a]}
inc=${2:?usage: check-exports.sh LIB.so INCLUDE_DIR [LIB.a]}
ar=${3:-}
nm_=${NM:-nm}
fail=0
for f in "$so" ${ar:+"$ar"}; do
	[ -f "$f" ] || { echo "check-exports: no such file: $f (not built?)" >&2; exit 1; }
done

exported=$("$nm_" -D --defined-only "$so" | awk 'NF >= 3 { print $3 }' | sed 's/@.*//' | sort -u)
[ -n "$exported" ] || { echo "check-exports: $so exports nothing" >&2; exit 1; }
n=$(echo "$exported" | wc -l)

bad=$(echo "$exported" | grep -vE '^(vr_|vpage_|vregion_|sof_)' || true)
if [ -n "$bad" ]; then
	echo "check-exports: $so exports names outside vr_*/vpage_*/vregion_*/sof_*:" >&2
	echo "$bad" | sed 's/^/  /' >&2
	fail=1
fi

words=$(grep -rhoE '\b(vr|vpage|vregion|sof)_[A-Za-z0-9_]*' "$inc" --include='*.h' | sort -u)
undeclared=$(comm -23 <(echo "$exported" | grep '^vr_') <(echo "$words") || true)
if [ -n "$undeclared" ]; then
	echo "check-exports: exported but in no header under $inc (an internal: name it vri_*, or declare it):" >&2
	echo "$undeclared" | sed 's/^/  /' >&2
	fail=1
fi

if [ -n "$ar" ]; then
	globals=$("$nm_" -g --defined-only "$ar" 2>/dev/null | awk 'NF == 3 { print $3 }' | sort -u)
	hidden=$(comm -23 <(echo "$globals") <(echo "$exported") | grep -v '^vri_' || true)
	if [ -n "$hidden" ]; then
		echo "check-exports: global in $(basename "$ar") but neither exported nor vri_*:" >&2
		echo "$hidden" | sed 's/^/  /' >&2
		fail=1
	fi
	nint=$(echo "$globals" | grep -c '^vri_' || true)
	[ $fail -eq 0 ] && echo "check-exports: $n names exported, all public; $nint vri_* internals of the archive stay local"
else
	[ $fail -eq 0 ] && echo "check-exports: $n names exported, all public"
fi
exit $fail
