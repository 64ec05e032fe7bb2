/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * compat/sof_default_flat.c - the default pool's glue without an MMU (any
 * build without VREGION_PORT_POSIX): a flat port over static buffers sized by
 * the VR_SOF_FLAT_* macros of vregion/sof_compat.h, and a vr_heap over a
 * static buffer as the platform heap. No locks: bare metal, one thread.
 * Freestanding: no libc allocation, no stdio.
 */
#include <errno.h>
#include <string.h>

#include "vregion/port_flat.h"
#include "vregion/heap.h"
#include "vregion/sof_compat.h"
#include "sof_default.h"

void vr_sof_glue_lock(void)
{
}

void vr_sof_glue_unlock(void)
{
}

/* The default port and heap over static buffers (.bss: VR_SOF_FLAT_PAGES *
 * VR_SOF_PAGE_SIZE + VR_SOF_FLAT_META_BYTES + VR_SOF_FLAT_HEAP_BYTES, 1.125
 * MiB with the defaults). VR_SOF_DEFAULT_POOL=0 compiles them out: only the
 * two functions above remain, and sof_default.h's stubs refuse. */
#if VR_SOF_DEFAULT_POOL
static _Alignas(VR_SOF_PAGE_SIZE) uint8_t flat_mem[(size_t)VR_SOF_FLAT_PAGES * VR_SOF_PAGE_SIZE];
static _Alignas(16) uint8_t flat_meta[VR_SOF_FLAT_META_BYTES];
static _Alignas(64) uint8_t flat_heap_mem[VR_SOF_FLAT_HEAP_BYTES];
static struct vr_flat_port flat_port;
static struct vr_heap *flat_heap;

int vr_sof_glue_port_create(const struct vr_port **port)
{
	struct vr_flat_config cfg;
	int rc;

	memset(&cfg, 0, sizeof(cfg));
	cfg.window = flat_mem;
	cfg.window_bytes = sizeof(flat_mem);
	cfg.page_size = VR_SOF_PAGE_SIZE;
	cfg.cache_line = VR_SOF_CACHE_LINE;
	cfg.meta = flat_meta;
	cfg.meta_bytes = sizeof(flat_meta);
	rc = vr_flat_port_init(&flat_port, &cfg);
	if (rc == 0)
		*port = vr_flat_port_get(&flat_port);
	return rc;
}

void vr_sof_glue_port_destroy(void)
{
	(void)vr_flat_port_deinit(&flat_port);
}

const struct sys_mm_drv_region *vr_sof_glue_region(void)
{
	return NULL;	/* no memory-management driver without an MMU */
}

void *vr_sof_glue_heap_alloc(size_t bytes, size_t align)
{
	if (!flat_heap)
		flat_heap = vr_heap_create_in(flat_heap_mem, sizeof(flat_heap_mem));
	return flat_heap ? vr_heap_aligned_alloc(flat_heap, align, bytes) : NULL;
}

int vr_sof_glue_heap_free(void *ptr)
{
	return flat_heap ? vr_heap_free(flat_heap, ptr) : -EINVAL;
}

bool vr_sof_glue_heap_owns(const void *ptr)
{
	return flat_heap && vr_heap_usable_size(flat_heap, ptr) != 0;
}

#endif /* VR_SOF_DEFAULT_POOL */
