#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# test_check_exports.sh CHECKER BAD.so INCLUDE_DIR: scripts/check-exports.sh
# must fail on bad_exports.c's library and name each of its three bad
# symbols (a vri_ internal, an unprefixed name, a vr_ name no header has).
set -uo pipefail
out=$("$1" "$2" "$3" 2>&1)
rc=$?
fails=0
[ $rc -eq 1 ] || { echo "FAIL: exit status $rc, want 1"; fails=1; }
for s in vri_internal_helper helper vr_region_phase_name_not_in_any_header; do
	echo "$out" | grep -x "  $s" >/dev/null || { echo "FAIL: $s not reported"; fails=1; }
done
[ $fails -eq 0 ] && echo "test_check_exports: the checker names all three bad exports"
[ $fails -eq 0 ] || echo "$out"
exit $fails
