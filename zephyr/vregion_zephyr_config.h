/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vregion_zephyr_config.h - vregion's build knobs (vregion/config.h) from
 * Kconfig, for every source the Zephyr module compiles (zephyr/CMakeLists.txt
 * passes it as VREGION_USER_CONFIG; Zephyr's autoconf.h is already
 * included by the build). One place, so the core never sees CONFIG_*.
 */
#ifndef VREGION_ZEPHYR_CONFIG_H
#define VREGION_ZEPHYR_CONFIG_H

/* Zephyr's levels are 0 (off) .. 4 (debug); vregion's -1 (none) .. 3 */
#ifdef CONFIG_VREGION_LOG_LEVEL
#define VR_CONFIG_LOG_LEVEL (CONFIG_VREGION_LOG_LEVEL - 1)
#else	/* CONFIG_LOG=n: the template defines no level; nothing to log to */
#define VR_CONFIG_LOG_LEVEL (-1)
#endif
#ifndef CONFIG_VREGION_LOG_STRINGS
#define VR_CONFIG_LOG_STRINGS 0
#endif

#ifdef CONFIG_VREGION_DEBUG
#define VR_DEBUG 1
#endif

/* the trace hook's NULL test per operation goes with the option */
#ifdef CONFIG_VREGION_TRACE_LOG
#define VR_CONFIG_TRACE 1
#else
#define VR_CONFIG_TRACE 0
#endif

/* SOF mode: the glue in src/compat/sof_zephyr.c makes the default port */
#ifdef CONFIG_VREGION_GUARD_PAGES
#define VR_SOF_GUARD_PAGES CONFIG_VREGION_GUARD_PAGES
#endif
#if defined(CONFIG_VREGION_SOF_SEAL) && defined(CONFIG_VREGION_SOF_GUARD)
#define VR_SOF_REGION_FLAGS (VR_REGION_SEAL | VR_REGION_GUARD)
#elif defined(CONFIG_VREGION_SOF_SEAL)
#define VR_SOF_REGION_FLAGS VR_REGION_SEAL
#elif defined(CONFIG_VREGION_SOF_GUARD)
#define VR_SOF_REGION_FLAGS VR_REGION_GUARD
#endif
#ifdef CONFIG_VREGION_SOF_VPAGE_STATS
#define VR_SOF_VPAGE_STATS 1
#else
#define VR_SOF_VPAGE_STATS 0
#endif
#ifdef CONFIG_VREGION_SOF_SYSCALLS
#define VR_SOF_SYSCALLS 1
#endif

#endif /* VREGION_ZEPHYR_CONFIG_H */
