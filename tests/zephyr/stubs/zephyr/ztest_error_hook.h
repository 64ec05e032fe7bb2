/* SPDX-License-Identifier: BSD-3-Clause */
/* Stand-in for <zephyr/ztest_error_hook.h> (CONFIG_ZTEST_FATAL_HOOK):
 * compile-only here. */
#ifndef VR_STUB_ZEPHYR_ZTEST_ERROR_HOOK_H
#define VR_STUB_ZEPHYR_ZTEST_ERROR_HOOK_H

#include <stdbool.h>

void ztest_set_fault_valid(bool valid);

#endif
