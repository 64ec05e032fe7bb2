/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The Zephyr port's compile-time geometry (vregion/config.h) from Kconfig:
 * VR_ZEPHYR_PAGE_SIZE is CONFIG_MM_DRV_PAGE_SIZE, else CONFIG_MMU_PAGE_SIZE,
 * else 4096; VR_ZEPHYR_CACHE_LINE is CONFIG_DCACHE_LINE_SIZE if > 0, else 64.
 * Built once per Kconfig combination (tests/zephyr/CMakeLists.txt), each
 * with the values it must give (WANT_PAGE, WANT_LINE).
 */
#include <stdio.h>

#include "vregion/config.h"

int main(void)
{
	int bad = 0;

	if ((unsigned long)VR_ZEPHYR_PAGE_SIZE != (unsigned long)WANT_PAGE) {
		printf("VR_ZEPHYR_PAGE_SIZE %lu, want %lu\n", (unsigned long)VR_ZEPHYR_PAGE_SIZE,
		       (unsigned long)WANT_PAGE);
		bad = 1;
	}
	if ((unsigned long)VR_ZEPHYR_CACHE_LINE != (unsigned long)WANT_LINE) {
		printf("VR_ZEPHYR_CACHE_LINE %lu, want %lu\n", (unsigned long)VR_ZEPHYR_CACHE_LINE,
		       (unsigned long)WANT_LINE);
		bad = 1;
	}
	if (!bad)
		printf("geometry: page %lu, line %lu\n", (unsigned long)VR_ZEPHYR_PAGE_SIZE,
		       (unsigned long)VR_ZEPHYR_CACHE_LINE);
	return bad;
}
