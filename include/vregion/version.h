/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vregion/version.h - the library's version, at compile time and at run time.
 *
 * GENERATED from the one version of the project, `project(vregion VERSION ...)`
 * in CMakeLists.txt, by CMake at configure time (template: cmake/version.h.in).
 * Do not edit: change the version in CMakeLists.txt and configure.
 * scripts/check-generated.sh fails when this file is stale.
 *
 * Versions follow semantic versioning. While the major version is 0, a new
 * minor version may change the API or ABI (the shared library's SONAME is
 * libvregion.so.0.MINOR, and find_package(vregion X.Y) accepts only X.Y.*);
 * a new patch version changes neither.
 *
 * Compile time: VREGION_VERSION_MAJOR, _MINOR, _PATCH, VREGION_VERSION_STRING
 * ("0.2.0") and VREGION_VERSION_NUMBER (MAJOR << 16 | MINOR << 8 | PATCH, for
 * #if comparisons). Run time: vr_version() and vr_version_number() return
 * the version of the library actually linked, which differs from the macros
 * when a program runs against another build of the shared library.
 */
#ifndef VREGION_VERSION_H
#define VREGION_VERSION_H

#define VREGION_VERSION_MAJOR 0
#define VREGION_VERSION_MINOR 2
#define VREGION_VERSION_PATCH 0
#define VREGION_VERSION_STRING "0.2.0"
#define VREGION_VERSION_NUMBER \
	((VREGION_VERSION_MAJOR << 16) | (VREGION_VERSION_MINOR << 8) | VREGION_VERSION_PATCH)

#ifdef __cplusplus
extern "C" {
#endif

/* The linked library's version as "MAJOR.MINOR.PATCH" (a static string).
 * O(1), thread-safe, never fails. */
const char *vr_version(void);

/* The linked library's VREGION_VERSION_NUMBER. O(1), thread-safe, never fails. */
unsigned long vr_version_number(void);

#ifdef __cplusplus
}
#endif

#endif /* VREGION_VERSION_H */
