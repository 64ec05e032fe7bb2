/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Stand-in for <zephyr/cache.h>. In Zephyr these are inline; here they are
 * functions of the simulated memory-management driver (tests/zephyr/sim_mm.c),
 * which knows the two aliases of its window (CONFIG_CACHE_DOUBLEMAP) and
 * counts flushes and invalidations (the host is coherent: they do nothing
 * else).
 */
#ifndef VR_STUB_ZEPHYR_CACHE_H
#define VR_STUB_ZEPHYR_CACHE_H

#include <stdbool.h>
#include <stddef.h>

#define __sparse_cache

int sys_cache_data_flush_range(void *addr, size_t size);
int sys_cache_data_invd_range(void *addr, size_t size);
int sys_cache_data_flush_and_invd_range(void *addr, size_t size);
void __sparse_cache *sys_cache_cached_ptr_get(void *ptr);
void *sys_cache_uncached_ptr_get(void __sparse_cache *ptr);
bool sys_cache_is_ptr_cached(void *ptr);
bool sys_cache_is_ptr_uncached(void *ptr);
/* Zephyr: CONFIG_DCACHE_LINE_SIZE_DETECT's run-time line (or the Kconfig or
 * device-tree one, 0 without a d-cache); here sim_mm_dcache_line */
size_t sys_cache_data_line_size_get(void);

#endif
