/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Stand-in for <zephyr/logging/log.h>: LOG_MODULE_REGISTER(name, level) and
 * LOG_ERR/WRN/INF/DBG with Zephyr's level filter, printf format checking,
 * and a sink (tests/zephyr/stubs/zephyr_stubs.c) that counts messages per
 * level and keeps the last lines for the tests (vr_stub_log_*).
 */
#ifndef VR_STUB_ZEPHYR_LOG_H
#define VR_STUB_ZEPHYR_LOG_H

#define LOG_LEVEL_NONE 0
#define LOG_LEVEL_ERR 1
#define LOG_LEVEL_WRN 2
#define LOG_LEVEL_INF 3
#define LOG_LEVEL_DBG 4

__attribute__((format(printf, 3, 4))) void vr_stub_log(int level, const char *module,
						       const char *fmt, ...);

#define LOG_MODULE_REGISTER(name, level)                                         \
	static const int z_stub_log_level __attribute__((unused)) = (level);     \
	static const char z_stub_log_name[] __attribute__((unused)) = #name

#define LOG_MODULE_DECLARE(name, level) LOG_MODULE_REGISTER(name, level)

#define Z_STUB_LOG(lvl, ...)                                                     \
	do {                                                                     \
		if ((lvl) <= z_stub_log_level)                                   \
			vr_stub_log((lvl), z_stub_log_name, __VA_ARGS__);        \
	} while (0)
#define LOG_ERR(...) Z_STUB_LOG(LOG_LEVEL_ERR, __VA_ARGS__)
#define LOG_WRN(...) Z_STUB_LOG(LOG_LEVEL_WRN, __VA_ARGS__)
#define LOG_INF(...) Z_STUB_LOG(LOG_LEVEL_INF, __VA_ARGS__)
#define LOG_DBG(...) Z_STUB_LOG(LOG_LEVEL_DBG, __VA_ARGS__)

/* host bookkeeping, not Zephyr API */
unsigned long vr_stub_log_count(int level);
/* the last line logged by `module` (NULL: any) that contains `needle`, or
 * NULL; lines are "<module>: <text>" */
const char *vr_stub_log_find(const char *module, const char *needle);
void vr_stub_log_reset(void);

#endif
