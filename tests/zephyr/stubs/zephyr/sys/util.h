/* SPDX-License-Identifier: BSD-3-Clause */
/* Stand-in for <zephyr/sys/util.h>: the few macros vregion's Zephyr code uses. */
#ifndef VR_STUB_ZEPHYR_SYS_UTIL_H
#define VR_STUB_ZEPHYR_SYS_UTIL_H

#define ARG_UNUSED(x) (void)(x)
#define BIT(n) (1UL << (n))

/* IS_ENABLED(CONFIG_X): 1 iff CONFIG_X is defined to 1 (as Zephyr's). */
#define Z_STUB_ENABLED_PLACEHOLDER_1 0,
#define IS_ENABLED(cfg) Z_STUB_ENABLED1(cfg)
#define Z_STUB_ENABLED1(val) Z_STUB_ENABLED2(Z_STUB_ENABLED_PLACEHOLDER_##val)
#define Z_STUB_ENABLED2(arg) Z_STUB_ENABLED3(arg 1, 0, 0)
#define Z_STUB_ENABLED3(ignored, val, ...) val

#endif
