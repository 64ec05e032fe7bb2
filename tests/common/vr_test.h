/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vr_test.h - what every test file includes instead of <cmocka.h>.
 *
 * On the host the tests run under cmocka. On emulated targets (Cortex-M,
 * Xtensa) there is no cmocka, so tests/harness/ provides a small harness with
 * the same macros, printing "N passed, N failed". Tests must therefore use only
 * this subset of cmocka:
 *   assert_true, assert_false, assert_int_equal, assert_int_not_equal,
 *   assert_ptr_equal, assert_ptr_not_equal, assert_null, assert_non_null,
 *   assert_memory_equal, assert_in_range, fail, fail_msg, print_message,
 *   cmocka_unit_test, cmocka_unit_test_setup_teardown,
 *   cmocka_run_group_tests (setup/teardown may be NULL).
 * Tests that need the posix port, fork or threads are host-only and are
 * registered with POSIX in tests/CMakeLists.txt.
 */
#ifndef VR_TEST_H
#define VR_TEST_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>

#ifdef VR_TEST_MINI
#include "mini_cmocka.h"
#else
#include <cmocka.h>
#endif

/* VR_CONFIG_TRACK comes from the build (vregion's compile definitions). */
#if defined(VR_CONFIG_TRACK) && VR_CONFIG_TRACK == 1
#include <sanitizer/asan_interface.h>
#elif defined(VR_CONFIG_TRACK) && VR_CONFIG_TRACK == 2
#include <valgrind/memcheck.h>
#endif

/*
 * A test that touches region memory nobody allocated on purpose (to check
 * the port's zeroing, to corrupt a heap header, to fill a whole region)
 * exposes it first: in a build with sanitizer annotations (VR_CONFIG_TRACK,
 * src/track.h) that memory is poisoned, and touching it is exactly the user
 * bug the annotations report. Nothing in other builds.
 */
static inline void vr_test_expose(const void *p, size_t n)
{
#if defined(VR_CONFIG_TRACK) && VR_CONFIG_TRACK == 1
	__asan_unpoison_memory_region(p, n);
#elif defined(VR_CONFIG_TRACK) && VR_CONFIG_TRACK == 2
	(void)VALGRIND_MAKE_MEM_DEFINED(p, n);
#else
	(void)p;
	(void)n;
#endif
}

#endif
