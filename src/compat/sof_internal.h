/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sof_internal.h - the state of SOF's default pool, shared by the files of
 * the compat layer:
 *   sof_pool.c     set-up and teardown (vr_sof_init, vr_sof_deinit)
 *   sof_vpage.c    sof/lib/vpage.h
 *   sof_vregion.c  sof/lib/vregion.h (and the list of live regions)
 *   sof_heap.c     the platform heap behind rtos/alloc.h (hosts and bare
 *                  metal; SOF on Zephyr keeps its own)
 *   sof_zephyr.c   the glue of SOF mode on Zephyr (CONFIG_VREGION_SOF)
 *   sof_syscall.c  the userspace verifiers of SOF mode
 * plus one default glue (sof_default.h). Not installed.
 *
 * Locking: the glue lock serialises set-up and teardown only. Once set up,
 * `ready` is read with one acquire load and every other field is read
 * without a lock (they do not change until vr_sof_deinit, which must not
 * race with other calls), so a vpage call takes only the pool's lock. The
 * region list has its own lock (a port lock), taken by create, put and the
 * walks.
 */
#ifndef VR_SOF_INTERNAL_H
#define VR_SOF_INTERNAL_H

#include <stdatomic.h>

/* SOF mode on Zephyr: SOF's sof/lib/vregion.h declares the API only #if
 * CONFIG_SOF_VREGIONS and otherwise defines static inline stubs that the
 * definitions here would collide with (and SOF's callers would call). Our
 * zephyr/Kconfig defaults it to y with CONFIG_VREGION_SOF. */
#if defined(CONFIG_VREGION_SOF) && !defined(CONFIG_SOF_VREGIONS)
#error "CONFIG_VREGION_SOF needs CONFIG_SOF_VREGIONS=y (SOF's sof/lib/vregion.h declares the API only then)"
#endif

#include "vregion/sof_compat.h"
#include "vregion/vpage.h"
#include "../util.h"

/* One live region on the list: vregion_create takes it from the port's
 * metadata, a second block besides the region's own (the flat default's
 * sizing counts it). */
struct vri_sof_node {
	struct vri_sof_node *next;
	struct vregion *vr;
};

struct vri_sof {
	atomic_bool ready;		/* everything below is set up */
	bool own_port;			/* port made by the glue */
	const struct vr_port *port;
	struct vr_vpage_pool pool;
	size_t min_align;
	size_t guard_pages;
	unsigned region_flags;
	void *(*heap_alloc)(void *, struct k_heap *, uint32_t, size_t, size_t);
	void (*heap_free)(void *, struct k_heap *, void *);
	bool (*heap_owns)(void *, struct k_heap *, const void *);
	void *heap_ctx;
	size_t heap_live;		/* platform-heap blocks handed out (glue lock:
				 * no read-modify-write atomics on every target) */
	struct vr_port_lock *list_lock;	/* NULL: a port without locks */
	struct vri_sof_node *regions;	/* live regions, creation order */
};

extern struct vri_sof vri_sof;

/* The pool, set up with the defaults if needed (glue lock); NULL iff that
 * failed. */
struct vr_vpage_pool *vri_sof_pool_slow(void);

/* The pool: one acquire load once set up, no lock. */
static inline struct vr_vpage_pool *vri_sof_pool(void)
{
	if (VR_LIKELY(atomic_load_explicit(&vri_sof.ready, memory_order_acquire)))
		return &vri_sof.pool;
	return vri_sof_pool_slow();
}

static inline bool vri_sof_ready(void)
{
	return atomic_load_explicit(&vri_sof.ready, memory_order_acquire);
}

/* The list lock (no-op on a port without locks). */
static inline void vri_sof_list_lock(void)
{
	if (vri_sof.list_lock)
		vri_sof.port->lock(vri_sof.port->ctx, vri_sof.list_lock);
}

static inline void vri_sof_list_unlock(void)
{
	if (vri_sof.list_lock)
		vri_sof.port->unlock(vri_sof.port->ctx, vri_sof.list_lock);
}

/* Live regions in the list (sof_vregion.c); glue lock held by the caller
 * of vr_sof_deinit. */
size_t vri_sof_regions_live(void);

/*
 * For the syscall verifiers (sof_syscall.c): if vr is a live region of the
 * list, take a reference, store its size and cached base, and return true;
 * else return false and touch nothing (vr is never read through before it
 * is found in the list). Drop the reference with vregion_put-semantics by
 * vri_sof_region_unpin, which returns NULL iff that released the region.
 */
bool vri_sof_region_pin(struct vregion *vr, size_t *size, uintptr_t *start);
struct vregion *vri_sof_region_unpin(struct vregion *vr);

/* SOF's function names for the calls that become syscalls (SOF #11108):
 * with VR_SOF_SYSCALLS SOF's header declares vregion_* as __syscall and the
 * layer defines their z_impl_vregion_* implementations. */
#if VR_SOF_SYSCALLS
#define VRI_SOF_SYSCALL(name) z_impl_##name
#else
#define VRI_SOF_SYSCALL(name) name
#endif

#endif /* VR_SOF_INTERNAL_H */
