/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * compat/sof_vpage.c - SOF's sof/lib/vpage.h over the default pool:
 * vpage_alloc/free, and the calls of SOF's pull requests #11037
 * (vpage_reserve/release/get_region) and #11041 (vpage_get_stats,
 * vpage_for_each_alloc; VR_SOF_VPAGE_STATS). Each call takes one lock, the
 * pool's (the default pool is found with one acquire load once set up).
 */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "sof_internal.h"
#include "sof_default.h"

#include <sof/lib/vpage.h>

void *vpage_alloc(unsigned int pages)
{
	struct vr_vpage_pool *pool = vri_sof_pool();

	if (!pool)
		return NULL;
	if (pages == 0) {
		VR_LOG(vr_vpage_port(pool), VR_LOG_INF, "0 pages requested", 0, 0);
		return NULL;
	}
	return vr_vpage_alloc(pool, pages);
}

void vpage_free(void *ptr)
{
	struct vr_vpage_pool *pool = vri_sof_pool();

	/* errors (NULL, foreign, interior, double free) are logged by vpage */
	if (pool)
		(void)vr_vpage_free(pool, ptr);
}

void *vpage_reserve(unsigned int pages)
{
	struct vr_vpage_pool *pool;

	if (pages == 0)
		return NULL;
	pool = vri_sof_pool();
	return pool ? vr_vpage_reserve(pool, pages) : NULL;
}

void vpage_release(void *ptr)
{
	struct vr_vpage_pool *pool = vri_sof_pool();

	if (pool)
		(void)vr_vpage_release(pool, ptr);
}

const struct sys_mm_drv_region *vpage_get_region(void)
{
	return vri_sof_pool() ? vr_sof_glue_region() : NULL;
}

#if VR_SOF_VPAGE_STATS
static unsigned int clamp_uint(size_t v)
{
	return v > UINT_MAX ? UINT_MAX : (unsigned int)v;
}

void vpage_get_stats(struct vpage_stats *s)
{
	struct vr_vpage_pool *pool;
	struct vr_vpage_stats st;

	if (!s)
		return;
	memset(s, 0, sizeof(*s));
	pool = vri_sof_pool();
	if (!pool || vr_vpage_get_stats(pool, &st))
		return;
	s->region_base = (void *)vr_vpage_port(pool)->window_base;
	s->region_size = st.vpages_total * st.page_size;
	s->total_pages = clamp_uint(st.vpages_total);
	s->free_pages = clamp_uint(st.vpages_free);
	s->num_elems_in_use = clamp_uint(st.live_allocs + st.live_reserved);
	/* no allocation table: the most runs the window can hold at once */
	s->max_allocs = clamp_uint(st.vpages_total / (1 + vri_sof.guard_pages));
}

struct walk {
	void (*cb)(unsigned int idx, unsigned int vpage, unsigned int pages, void *ctx);
	void *ctx;
	uintptr_t base;
	unsigned shift;
	unsigned idx;
};

static int walk_one(void *arg, void *start, size_t npages, enum vr_vpage_kind kind)
{
	struct walk *w = arg;

	(void)kind;
	w->cb(w->idx++, clamp_uint(((uintptr_t)start - w->base) >> w->shift), clamp_uint(npages),
	      w->ctx);
	return 0;
}

void vpage_for_each_alloc(void (*cb)(unsigned int idx, unsigned int vpage, unsigned int pages,
				     void *ctx),
			  void *ctx)
{
	struct vr_vpage_pool *pool = vri_sof_pool();
	struct walk w;

	if (!cb || !pool)
		return;
	w.cb = cb;
	w.ctx = ctx;
	w.base = vr_vpage_port(pool)->window_base;
	w.shift = vr_log2_pow2(vr_vpage_port(pool)->page_size);
	w.idx = 0;
	(void)vr_vpage_for_each(pool, walk_one, &w);
}
#endif /* VR_SOF_VPAGE_STATS */
