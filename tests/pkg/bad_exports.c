/* SPDX-License-Identifier: BSD-3-Clause */
/* bad_exports.c - a shared library that exports what libvregion.so must not
 * (a vri_ internal, an unprefixed name): check_exports_catches expects
 * scripts/check-exports.sh to fail on it. */
int vri_internal_helper(int x);
int helper(int x);
int vr_region_phase_name_not_in_any_header(int x);

int vri_internal_helper(int x) { return x + 1; }
int helper(int x) { return x + 2; }
int vr_region_phase_name_not_in_any_header(int x) { return x + 3; }
