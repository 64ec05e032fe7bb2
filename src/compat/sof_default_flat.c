/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * compat/sof_default_flat.c - the default pool's glue without an MMU (any
 * build without VREGION_PORT_POSIX): a flat port over static buffers sized by
 * the VR_SOF_FLAT_* macros of vregion/sof_compat.h, and a vr_heap over a
 * static buffer as the platform heap. No locks: bare metal, one thread.
 * Set-up checks the metadata buffer against the sizing of sof_compat.h
 * (METADATA); the port and the glue log through VR_SOF_FLAT_LOG if the build
 * names one. Freestanding: no libc allocation, no stdio.
 */
#include <errno.h>
#include <string.h>

#include "vregion/port_flat.h"
#include "vregion/heap.h"
#include "vregion/sof_compat.h"
#include "sof_default.h"
#include "sof_internal.h"

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

#ifdef VR_SOF_FLAT_LOG
void VR_SOF_FLAT_LOG(void *ctx, enum vr_log_level level, const char *func, const char *msg,
		     uintptr_t a, uintptr_t b);
#define FLAT_LOG_FN VR_SOF_FLAT_LOG
#else
#define FLAT_LOG_FN NULL
#endif

/* Holds the log hook for the glue's own messages, which may come before the
 * flat port exists (VR_LOG needs only log and ctx). */
static const struct vr_port glue_log = { .log = FLAT_LOG_FN };

/* SOF's default DP region (28 KiB): the unit of the capacity set-up logs. */
#define SOF_DP_BYTES (28u * 1024u)

/* One meta_alloc block as the flat port counts it: whole granules. */
static size_t granules(size_t bytes)
{
	return vr_round_up(bytes, VR_FLAT_META_GRANULE);
}

/* Metadata each vregion_create of SOF's default DP size takes: the region's
 * block (vr_region_meta_bytes) and its list node; 0 if the size is refused. */
static size_t dp_region_bytes(void)
{
	size_t align = VR_SOF_CACHE_LINE ? VR_SOF_CACHE_LINE : 16u;	/* as vr_region_create */
	size_t reg = vr_region_meta_bytes(SOF_DP_BYTES, align, VR_SOF_PAGE_SIZE);

	return reg ? granules(reg) + granules(sizeof(struct vri_sof_node)) : 0;
}

/*
 * The sizing of sof_compat.h (METADATA): the pool's block must fit in the
 * flat port's metadata capacity, else -ENOMEM (logged); then log how many
 * regions of 28 KiB fit besides it (computed only when it is logged).
 */
static int check_meta(size_t capacity)
{
	size_t pool = granules(vr_vpage_meta_bytes_for(VR_SOF_FLAT_PAGES)), each;

	if (pool == 0 || capacity < pool) {
		VR_LOGF(&glue_log, VR_LOG_ERR, "vr_sof_glue_port_create",
			"VR_SOF_FLAT_META_BYTES cannot hold the pool's metadata (capacity, pool)",
			capacity, pool);
		return -ENOMEM;
	}
	if (vr_log_enabled(VR_LOG_INF) && glue_log.log) {
		each = dp_region_bytes();
		VR_LOGF(&glue_log, VR_LOG_INF, "vr_sof_glue_port_create",
			"metadata for regions of 28 KiB, nothing else live (regions, bytes_each)",
			each ? (capacity - pool) / each : 0, each);
	}
	return 0;
}

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
	cfg.log = FLAT_LOG_FN;
	rc = vr_flat_port_init(&flat_port, &cfg);
	if (rc == -ENOMEM)	/* not even the page state bytes fit: capacity 0 */
		return check_meta(0);
	if (rc)
		return rc;
	rc = check_meta(vr_flat_port_meta_capacity(&flat_port));
	if (rc) {
		(void)vr_flat_port_deinit(&flat_port);
		return rc;
	}
	*port = vr_flat_port_get(&flat_port);
	return 0;
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
