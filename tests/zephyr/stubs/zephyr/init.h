/* SPDX-License-Identifier: BSD-3-Clause */
/* Stand-in for <zephyr/init.h>: SYS_INIT(fn, level, prio) records fn in a
 * pointer the test calls (z_init_<fn>), instead of the boot sequence. */
#ifndef VR_STUB_ZEPHYR_INIT_H
#define VR_STUB_ZEPHYR_INIT_H

#define SYS_INIT(fn, level, prio) int (*const z_init_##fn)(void) = (fn)

#endif
