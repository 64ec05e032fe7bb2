/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vpage_inspect.c - read-only views of a vpage pool: statistics, iteration
 * over live runs, and the full consistency check.
 */
#include "vpage_internal.h"

int vr_vpage_get_stats(struct vr_vpage_pool *pool, struct vr_vpage_stats *st)
{
	const struct vr_port *port;

	if (!st || !vri_vpage_enter(pool))
		return -EINVAL;
	port = pool->port;
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
	vri_vpage_unlock(pool);
	return 0;
}

int vr_vpage_for_each(struct vr_vpage_pool *pool,
		      int (*cb)(void *arg, void *start, size_t npages, enum vr_vpage_kind kind),
		      void *arg)
{
	size_t w;
	int rc = 0;

	if (!cb || !vri_vpage_enter(pool))
		return -EINVAL;
	w = vp_pages(pool);
	for (size_t i = vr_bitmap_next_set(&pool->starts, 0); i < w && !rc;
	     i = vr_bitmap_next_set(&pool->starts, i + 1)) {
		uint32_t h = pool->run[i];

		rc = cb(arg, vp_addr(pool, i), VP_HDR_LEN(h), (enum vr_vpage_kind)VP_HDR_KIND(h));
	}
	vri_vpage_unlock(pool);
	return rc;
}

/*
 * One walk over the pages. Each page is either the start of a run (header
 * non-zero), inside a run or its guards (skipped over by the walk), or free.
 * Each run's bits are checked in place; that no bit and no header lies
 * outside the runs follows from the totals: every bitmap's population and
 * the number of non-zero headers must equal what the runs account for.
 */
static int vp_check(struct vr_vpage_pool *pool)
{
	const struct vr_port *port = pool->port;
	size_t w = vp_pages(pool), g = pool->guard_pages, words = VR_BITMAP_WORDS(w);
	size_t used = 0, mapped = 0, allocs = 0, runs = 0, headers = 0, i;
	vr_bitmap_word_t *m = pool->meta;
	uintptr_t a = w, b = g;
	const char *why = "pool fields corrupted (pages, guard)";

	/* the pool's own fields: geometry, one metadata block laid out as init
	 * does, a lock iff the port has locks */
	if (pool->used.nbits != w || pool->mapped.nbits != w || pool->starts.nbits != w ||
	    g >= w || pool->page_shift >= 8 * sizeof(size_t) ||
	    ((size_t)1 << pool->page_shift) != port->page_size ||
	    !m || pool->meta_bytes != vr_vpage_meta_bytes_for(w) || pool->used.words != m ||
	    pool->mapped.words != m + words || pool->starts.words != m + 2 * words ||
	    pool->run != (uint32_t *)(void *)(m + 3 * words) || !pool->lock != !port->lock_create)
		goto bad;
	why = "bitmap bits set above the window";
	if (!vr_bitmap_tail_clear(&pool->used) || !vr_bitmap_tail_clear(&pool->mapped) ||
	    !vr_bitmap_tail_clear(&pool->starts))
		goto bad;
	for (i = 0; i < w; i++)
		headers += pool->run[i] != 0;
	for (i = 0; i < w;) {
		uint32_t h = pool->run[i];
		size_t len = VP_HDR_LEN(h), span = len + g;
		unsigned kind = VP_HDR_KIND(h);

		if (!h) {
			i++;
			continue;
		}
		a = i;
		b = h;
		why = "bad run header, or run and guards past the window (page, header)";
		if (len == 0 || (kind != VR_VPAGE_ALLOC && kind != VR_VPAGE_RESERVED) ||
		    span > w - i)
			goto bad;
		b = len;
		why = "a run's start, used or guard bits wrong (page, pages)";
		if (vr_bitmap_count(&pool->starts, i, span) != 1 || !vr_bitmap_test(&pool->starts, i) ||
		    !vr_bitmap_all_set(&pool->used, i, span) ||
		    !vr_bitmap_all_clear(&pool->mapped, i + len, g))
			goto bad;
		why = "allocation not fully mapped (page, pages)";
		if (kind == VR_VPAGE_ALLOC && !vr_bitmap_all_set(&pool->mapped, i, len))
			goto bad;
		allocs += kind == VR_VPAGE_ALLOC;
		runs++;
		mapped += vr_bitmap_count(&pool->mapped, i, len);
		used += span;
		i += span;
	}
	a = used;
	b = pool->free_vpages;
	why = "used pages: runs, bitmap and counter disagree (run pages, free counter)";
	if (used != w - pool->free_vpages || used != vr_bitmap_count(&pool->used, 0, w))
		goto bad;
	a = mapped;
	b = pool->mapped_pages;
	why = "mapped pages: runs, bitmap, counter and port disagree (run pages, counter)";
	if (mapped != pool->mapped_pages || mapped != vr_bitmap_count(&pool->mapped, 0, w) ||
	    mapped > port->phys_pages)
		goto bad;
	a = runs;
	b = headers;
	why = "runs: starts, headers and counters disagree (runs, headers)";
	if (headers != runs || vr_bitmap_count(&pool->starts, 0, w) != runs ||
	    allocs != pool->live_allocs || runs - allocs != pool->live_reserved)
		goto bad;
	return 0;
bad:
	VR_LOGF(port, VR_LOG_ERR, "vr_vpage_validate", why, a, b);
	return -EFAULT;
}

int vr_vpage_validate(struct vr_vpage_pool *pool)
{
	int rc;

	if (!vri_vpage_enter(pool))
		return -EINVAL;
	rc = vp_check(pool);
	vri_vpage_unlock(pool);
	return rc;
}
