/* SPDX-License-Identifier: BSD-3-Clause */
/* fault_port.c - see fault_port.h. */
#include <errno.h>

#include "fault_port.h"

/* Count one call of `kind`; true iff it must fail. */
static bool hit(struct vr_fault_port *fp, enum vr_fault_kind kind)
{
	unsigned long n = ++fp->f[kind].calls;
	bool fail;

	switch (fp->f[kind].mode) {
	case VR_FAULT_ONLY:
		fail = n == fp->f[kind].k;
		break;
	case VR_FAULT_FROM:
		fail = n >= fp->f[kind].k;
		break;
	default:
		fail = false;
		break;
	}
	fp->f[kind].failed += fail;
	return fail;
}

static int f_map(void *ctx, void *vaddr, size_t npages, unsigned perms)
{
	struct vr_fault_port *fp = ctx;

	if (hit(fp, VR_FAULT_MAP))
		return fp->f[VR_FAULT_MAP].err;
	return fp->inner->map(fp->inner->ctx, vaddr, npages, perms);
}

static int f_unmap(void *ctx, void *vaddr, size_t npages)
{
	struct vr_fault_port *fp = ctx;

	if (hit(fp, VR_FAULT_UNMAP))
		return fp->f[VR_FAULT_UNMAP].err;
	return fp->inner->unmap(fp->inner->ctx, vaddr, npages);
}

static int f_protect(void *ctx, void *vaddr, size_t npages, unsigned perms)
{
	struct vr_fault_port *fp = ctx;

	if (hit(fp, VR_FAULT_PROTECT))
		return fp->f[VR_FAULT_PROTECT].err;
	return fp->inner->protect(fp->inner->ctx, vaddr, npages, perms);
}

static void *f_meta_alloc(void *ctx, size_t bytes)
{
	struct vr_fault_port *fp = ctx;

	if (hit(fp, VR_FAULT_META_ALLOC))
		return NULL;
	return fp->inner->meta_alloc(fp->inner->ctx, bytes);
}

static void f_meta_free(void *ctx, void *p, size_t bytes)
{
	struct vr_fault_port *fp = ctx;

	fp->inner->meta_free(fp->inner->ctx, p, bytes);
}

static struct vr_port_lock *f_lock_create(void *ctx)
{
	struct vr_fault_port *fp = ctx;

	if (hit(fp, VR_FAULT_LOCK_CREATE))
		return NULL;
	return fp->inner->lock_create(fp->inner->ctx);
}

static void f_lock_destroy(void *ctx, struct vr_port_lock *lock)
{
	struct vr_fault_port *fp = ctx;

	fp->inner->lock_destroy(fp->inner->ctx, lock);
}

static void f_lock(void *ctx, struct vr_port_lock *lock)
{
	struct vr_fault_port *fp = ctx;

	fp->inner->lock(fp->inner->ctx, lock);
}

static void f_unlock(void *ctx, struct vr_port_lock *lock)
{
	struct vr_fault_port *fp = ctx;

	fp->inner->unlock(fp->inner->ctx, lock);
}

static struct vr_port_lock *f_spin_create(void *ctx)
{
	struct vr_fault_port *fp = ctx;

	return fp->inner->spin_create(fp->inner->ctx);
}

static void f_spin_destroy(void *ctx, struct vr_port_lock *lock)
{
	struct vr_fault_port *fp = ctx;

	fp->inner->spin_destroy(fp->inner->ctx, lock);
}

static uintptr_t f_spin_lock(void *ctx, struct vr_port_lock *lock)
{
	struct vr_fault_port *fp = ctx;

	return fp->inner->spin_lock(fp->inner->ctx, lock);
}

static void f_spin_unlock(void *ctx, struct vr_port_lock *lock, uintptr_t key)
{
	struct vr_fault_port *fp = ctx;

	fp->inner->spin_unlock(fp->inner->ctx, lock, key);
}

static void f_trace(void *ctx, const struct vr_trace_event *ev)
{
	struct vr_fault_port *fp = ctx;

	fp->inner->trace(fp->inner->ctx, ev);
}

static void *f_to_uncached(void *ctx, void *p)
{
	struct vr_fault_port *fp = ctx;

	return fp->inner->to_uncached(fp->inner->ctx, p);
}

static void *f_to_cached(void *ctx, void *p)
{
	struct vr_fault_port *fp = ctx;

	return fp->inner->to_cached(fp->inner->ctx, p);
}

static bool f_is_uncached(void *ctx, const void *p)
{
	struct vr_fault_port *fp = ctx;

	return fp->inner->is_uncached(fp->inner->ctx, p);
}

static void f_cache_flush(void *ctx, void *p, size_t bytes)
{
	struct vr_fault_port *fp = ctx;

	fp->inner->cache_flush(fp->inner->ctx, p, bytes);
}

static void f_cache_invalidate(void *ctx, void *p, size_t bytes)
{
	struct vr_fault_port *fp = ctx;

	fp->inner->cache_invalidate(fp->inner->ctx, p, bytes);
}

static void f_log(void *ctx, enum vr_log_level level, const char *func, const char *msg,
		  uintptr_t a, uintptr_t b)
{
	struct vr_fault_port *fp = ctx;

	fp->inner->log(fp->inner->ctx, level, func, msg, a, b);
}

void vr_fault_port_init(struct vr_fault_port *fp, const struct vr_port *inner)
{
	const struct vr_port *in = inner;

	fp->inner = in;
	fp->port = (struct vr_port){
		.ctx = fp,
		.page_size = in->page_size,
		.window_base = in->window_base,
		.window_pages = in->window_pages,
		.phys_pages = in->phys_pages,
		.cache_line = in->cache_line,
		.map = in->map ? f_map : NULL,
		.unmap = in->unmap ? f_unmap : NULL,
		.protect = in->protect ? f_protect : NULL,
		.to_uncached = in->to_uncached ? f_to_uncached : NULL,
		.to_cached = in->to_cached ? f_to_cached : NULL,
		.is_uncached = in->is_uncached ? f_is_uncached : NULL,
		.cache_flush = in->cache_flush ? f_cache_flush : NULL,
		.cache_invalidate = in->cache_invalidate ? f_cache_invalidate : NULL,
		.lock_create = in->lock_create ? f_lock_create : NULL,
		.lock_destroy = in->lock_destroy ? f_lock_destroy : NULL,
		.lock = in->lock ? f_lock : NULL,
		.unlock = in->unlock ? f_unlock : NULL,
		.spin_create = in->spin_create ? f_spin_create : NULL,
		.spin_destroy = in->spin_destroy ? f_spin_destroy : NULL,
		.spin_lock = in->spin_lock ? f_spin_lock : NULL,
		.spin_unlock = in->spin_unlock ? f_spin_unlock : NULL,
		.meta_alloc = in->meta_alloc ? f_meta_alloc : NULL,
		.meta_free = in->meta_free ? f_meta_free : NULL,
		.log = in->log ? f_log : NULL,
		.trace = in->trace ? f_trace : NULL,
	};
	vr_fault_port_reset(fp);
}

void vr_fault_port_arm(struct vr_fault_port *fp, enum vr_fault_kind kind,
		       enum vr_fault_mode mode, unsigned long k, int err)
{
	if ((unsigned)kind >= VR_FAULT_NKINDS)
		return;
	fp->f[kind].mode = mode;
	fp->f[kind].k = k;
	fp->f[kind].err = err < 0 ? err : -EIO;
	fp->f[kind].calls = 0;
	fp->f[kind].failed = 0;
}

void vr_fault_port_reset(struct vr_fault_port *fp)
{
	for (unsigned i = 0; i < VR_FAULT_NKINDS; i++)
		vr_fault_port_arm(fp, (enum vr_fault_kind)i, VR_FAULT_OFF, 0, 0);
}

unsigned long vr_fault_port_calls(const struct vr_fault_port *fp, enum vr_fault_kind kind)
{
	return (unsigned)kind < VR_FAULT_NKINDS ? fp->f[kind].calls : 0;
}

unsigned long vr_fault_port_failed(const struct vr_fault_port *fp, enum vr_fault_kind kind)
{
	return (unsigned)kind < VR_FAULT_NKINDS ? fp->f[kind].failed : 0;
}
