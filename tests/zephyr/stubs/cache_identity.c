/* SPDX-License-Identifier: BSD-3-Clause */
/* cache_identity.c - <zephyr/cache.h> of a coherent board with one alias
 * (native_sim, qemu_x86): what the ztest suite's host build links instead
 * of the simulated driver's aliases. */
#include <zephyr/cache.h>

int sys_cache_data_flush_range(void *addr, size_t size)
{
	(void)addr;
	(void)size;
	return 0;
}

int sys_cache_data_invd_range(void *addr, size_t size)
{
	(void)addr;
	(void)size;
	return 0;
}

int sys_cache_data_flush_and_invd_range(void *addr, size_t size)
{
	(void)addr;
	(void)size;
	return 0;
}

void *sys_cache_cached_ptr_get(void *ptr)
{
	return ptr;
}

void *sys_cache_uncached_ptr_get(void *ptr)
{
	return ptr;
}

bool sys_cache_is_ptr_cached(void *ptr)
{
	(void)ptr;
	return false;
}

bool sys_cache_is_ptr_uncached(void *ptr)
{
	(void)ptr;
	return false;
}
