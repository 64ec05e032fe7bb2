/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vr_user_config.h - a VREGION_USER_CONFIG header as a firmware would write
 * one (vregion/config.h includes it before its defaults). tests/pkg builds
 * a copy of the library and test_user_config with
 * -DVREGION_USER_CONFIG="vr_user_config.h" and checks each override below
 * took effect.
 */
#ifndef VR_USER_CONFIG_H
#define VR_USER_CONFIG_H

/* Route internal assertions to the firmware's own handler: here counters
 * the test reads (a firmware would log and reset). Active whatever VR_DEBUG
 * is: the override replaces the default, which is empty without VR_DEBUG. */
extern unsigned long vr_user_assert_checked, vr_user_assert_failed;
#define VR_ASSERT(cond) \
	((void)(vr_user_assert_checked++, (cond) ? 0 : (vr_user_assert_failed++, 0)))

/* Keep errors and warnings only: INF and DBG log calls are compiled out. */
#define VR_CONFIG_LOG_LEVEL 1

#endif /* VR_USER_CONFIG_H */
