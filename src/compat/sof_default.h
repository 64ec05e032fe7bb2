/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sof_default.h - what the compat layer (sof_pool.c, sof_vpage.c,
 * sof_heap.c) needs from the build's default glue: exactly one of
 * sof_default_posix.c (VREGION_PORT_POSIX), sof_default_flat.c (otherwise)
 * and sof_zephyr.c (SOF mode on Zephyr) implements these, or a firmware's
 * own file replacing it (vregion/sof_compat.h, "GLUE"). With VR_SOF_DEFAULT_POOL=0
 * only the lock pair is needed: the port and heap functions below are
 * static stubs that refuse. Not installed.
 */
#ifndef VR_SOF_DEFAULT_H
#define VR_SOF_DEFAULT_H

#include <errno.h>

#include "vregion/port.h"
#include "vregion/sof_compat.h"

/* Serialise setup and teardown of the default pool (posix: a mutex; flat:
 * nothing, bare metal is single-threaded; Zephyr: a k_mutex). */
void vr_sof_glue_lock(void);
void vr_sof_glue_unlock(void);

struct sys_mm_drv_region;

#if VR_SOF_DEFAULT_POOL
/* Create the default port (defaults of vregion/sof_compat.h) and return it
 * in *port. 0 or a negative errno (nothing left allocated). Called with the
 * glue lock held, at most once between two vr_sof_glue_port_destroy(). */
int vr_sof_glue_port_create(const struct vr_port **port);
/* Destroy it (all pages unmapped, metadata freed). Glue lock held. */
void vr_sof_glue_port_destroy(void);
/* The driver region behind the default port, for vpage_get_region (SOF
 * #11037): a copy owned by the glue (Zephyr), or NULL where there is no
 * memory-management driver (posix, flat). */
const struct sys_mm_drv_region *vr_sof_glue_region(void);

/* The default platform heap (used by sof_heap.c only: SOF on Zephyr keeps
 * its own heap, so the Zephyr glue has none): bytes > 0, align 0 or a power of two. It knows
 * its live blocks: owns() is exact, free() refuses anything else (-EINVAL,
 * nothing done). Thread-safe where the glue is (posix). */
void *vr_sof_glue_heap_alloc(size_t bytes, size_t align);
int vr_sof_glue_heap_free(void *ptr);
bool vr_sof_glue_heap_owns(const void *ptr);
#else
/* No default pool: vr_sof_init must name a port; without heap hooks the
 * platform heap has nothing to give. */
static inline int vr_sof_glue_port_create(const struct vr_port **port)
{
	(void)port;
	return -EINVAL;
}

static inline void vr_sof_glue_port_destroy(void)
{
}

static inline const struct sys_mm_drv_region *vr_sof_glue_region(void)
{
	return NULL;
}

static inline void *vr_sof_glue_heap_alloc(size_t bytes, size_t align)
{
	(void)bytes;
	(void)align;
	return NULL;
}

static inline int vr_sof_glue_heap_free(void *ptr)
{
	(void)ptr;
	return -EINVAL;
}

static inline bool vr_sof_glue_heap_owns(const void *ptr)
{
	(void)ptr;
	return false;
}
#endif

#endif /* VR_SOF_DEFAULT_H */
