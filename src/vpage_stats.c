/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vpage_stats.c - read-only views of a vpage pool: statistics, iteration
 * over live runs, and the full consistency check.
 */
#include "vpage_internal.h"

int vr_vpage_get_stats(struct vr_vpage_pool *pool, struct vr_vpage_stats *st)
{
	const struct vr_port *port;

	if (!vp_ok(pool) || !st)
		return -EINVAL;
	port = pool->port;
	vp_lock(pool);
	st->page_size = port->page_size;
	st->vpages_total = port->window_pages;
	st->vpages_free = pool->free_vpages;
	st->ppages_total = port->phys_pages;
	st->ppages_free = port->phys_pages > pool->mapped_pages ?
			  port->phys_pages - pool->mapped_pages : 0;
	st->live_allocs = pool->live_allocs;
	st->live_reserved = pool->live_reserved;
	st->largest_free_run = vr_bitmap_longest_clear_run(&pool->used);
	st->failures = pool->failures;
	vp_unlock(pool);
	return 0;
}

int vr_vpage_for_each(struct vr_vpage_pool *pool,
		      int (*cb)(void *arg, void *start, size_t npages, enum vr_vpage_kind kind),
		      void *arg)
{
	size_t w;
	int rc = 0;

	if (!vp_ok(pool) || !cb)
		return -EINVAL;
	w = vp_pages(pool);
	vp_lock(pool);
	for (size_t i = vr_bitmap_next_set(&pool->starts, 0); i < w && !rc;
	     i = vr_bitmap_next_set(&pool->starts, i + 1)) {
		uint32_t h = pool->run[i];

		rc = cb(arg, vp_addr(pool, i), VP_HDR_LEN(h), (enum vr_vpage_kind)VP_HDR_KIND(h));
	}
	vp_unlock(pool);
	return rc;
}

#define BAD(msg, a, b) do { \
		VR_LOGF(pool->port, VR_LOG_ERR, "vr_vpage_validate", msg, a, b); \
		return -EFAULT; \
	} while (0)

/*
 * One walk over the pages. Each page is either the start of a run (header
 * non-zero), inside a run or its guards (skipped over by the walk), or free;
 * the bitmaps and the counters must agree with that tiling.
 */
static int vp_check(struct vr_vpage_pool *pool)
{
	size_t w = vp_pages(pool), g = pool->guard_pages;
	size_t used = 0, mapped = 0, allocs = 0, reserved = 0;
	size_t i = 0;

	vr_bitmap_word_t *m = pool->meta;
	size_t words = VR_BITMAP_WORDS(w);

	/* the pool's own fields: geometry, one metadata block laid out as init
	 * does, a lock iff the port has locks */
	if (pool->used.nbits != w || pool->mapped.nbits != w || pool->starts.nbits != w ||
	    g >= w || pool->page_shift >= 8 * sizeof(size_t) ||
	    ((size_t)1 << pool->page_shift) != pool->port->page_size ||
	    !m || pool->meta_bytes != vr_vpage_meta_bytes_for(w) || pool->used.words != m ||
	    pool->mapped.words != m + words || pool->starts.words != m + 2 * words ||
	    pool->run != (uint32_t *)(void *)(m + 3 * words) ||
	    !pool->lock != !pool->port->lock_create)
		BAD("pool fields corrupted (pages, guard)", w, g);
	if (!vr_bitmap_tail_clear(&pool->used) || !vr_bitmap_tail_clear(&pool->mapped) ||
	    !vr_bitmap_tail_clear(&pool->starts))
		BAD("bitmap bits set above the window", w, 0);
	while (i < w) {
		uint32_t h = pool->run[i];
		size_t len = VP_HDR_LEN(h), span = len + g;
		unsigned kind = VP_HDR_KIND(h);

		if (!h) {
			if (vr_bitmap_test(&pool->used, i) || vr_bitmap_test(&pool->mapped, i) ||
			    vr_bitmap_test(&pool->starts, i))
				BAD("page outside every run is used, mapped or a start (page)", i, 0);
			i++;
			continue;
		}
		if (len == 0 || (kind != VR_VPAGE_ALLOC && kind != VR_VPAGE_RESERVED))
			BAD("bad run header (page, header)", i, h);
		if (span > w - i)
			BAD("run (with guards) runs past the window (page, pages)", i, len);
		if (!vr_bitmap_test(&pool->starts, i) ||
		    vr_bitmap_count(&pool->starts, i, span) != 1)
			BAD("start bits disagree with the run (page, pages)", i, len);
		if (!vr_bitmap_all_set(&pool->used, i, span))
			BAD("run or guard page not marked used (page, pages)", i, len);
		for (size_t j = i + 1; j < i + span; j++)
			if (pool->run[j])
				BAD("run header inside another run (page, inner page)", i, j);
		if (g && !vr_bitmap_all_clear(&pool->mapped, i + len, g))
			BAD("guard page mapped (page, pages)", i, len);
		if (kind == VR_VPAGE_ALLOC) {
			if (!vr_bitmap_all_set(&pool->mapped, i, len))
				BAD("allocation not fully mapped (page, pages)", i, len);
			allocs++;
		} else {
			reserved++;
		}
		mapped += vr_bitmap_count(&pool->mapped, i, len);
		used += span;
		i += span;
	}
	if (used != w - pool->free_vpages || used != vr_bitmap_count(&pool->used, 0, w))
		BAD("free page count wrong (used pages, counter)", used, pool->free_vpages);
	if (mapped != pool->mapped_pages || mapped != vr_bitmap_count(&pool->mapped, 0, w))
		BAD("mapped page count wrong (mapped pages, counter)", mapped, pool->mapped_pages);
	if (pool->mapped_pages > pool->port->phys_pages)
		BAD("more pages mapped than physical pages (mapped, phys)", pool->mapped_pages,
		    pool->port->phys_pages);
	if (allocs != pool->live_allocs || reserved != pool->live_reserved)
		BAD("live run counters wrong (allocations, reservations)", allocs, reserved);
	return 0;
}

int vr_vpage_validate(struct vr_vpage_pool *pool)
{
	int rc;

	if (!vp_ok(pool))
		return -EINVAL;
	vp_lock(pool);
	rc = vp_check(pool);
	vp_unlock(pool);
	return rc;
}
