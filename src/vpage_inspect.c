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
	st->orphans = pool->orphans;
	st->orphan_pages = 0;
	for (size_t i = pool->orphans ? vr_bitmap_next_set(&pool->starts, pool->orphan_first) :
					vp_pages(pool); i < vp_pages(pool);
	     i = vr_bitmap_next_set(&pool->starts, i + 1))
		if (VP_HDR_KIND(pool->run[i]) == VR_VPAGE_ORPHAN)
			st->orphan_pages += vr_bitmap_count(&pool->mapped, i, VP_HDR_LEN(pool->run[i]));
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

/* The pool's own fields: geometry, one metadata block laid out as init does,
 * a lock iff the port has locks. */
static bool vp_fields_ok(const struct vr_vpage_pool *pool)
{
	const struct vr_port *port = pool->port;
	size_t w = vp_pages(pool), words = VR_BITMAP_WORDS(w);
	const vr_bitmap_word_t *m = pool->meta;

	return pool->used.nbits == w && pool->mapped.nbits == w && pool->starts.nbits == w &&
	       pool->guard_pages < w && pool->page_shift < 8 * sizeof(size_t) &&
	       ((size_t)1 << pool->page_shift) == port->page_size && m &&
	       pool->meta_bytes == vr_vpage_meta_bytes_for(w) && pool->used.words == m &&
	       pool->mapped.words == m + words && pool->starts.words == m + 2 * words &&
	       pool->run == (const uint32_t *)(const void *)(m + 3 * words) &&
	       !pool->lock == !port->lock_create && pool->orphan_first < w;
}

/* What the runs add up to, for the totals check. */
struct vp_sums {
	size_t used, mapped, allocs, orphans, runs, headers;
};

/*
 * One walk over the pages. Each page is either the start of a run (header
 * non-zero), inside a run or its guards (skipped over by the walk), or free.
 * Each run's bits are checked in place; that no bit and no header lies
 * outside the runs follows from the totals (vp_totals_ok).
 */
static int vp_walk(const struct vr_vpage_pool *pool, struct vp_sums *t, struct vp_note *n)
{
	size_t w = vp_pages(pool), g = pool->guard_pages, i;

	for (i = 0; i < w; i++)
		t->headers += pool->run[i] != 0;
	for (i = 0; i < w;) {
		uint32_t h = pool->run[i];
		size_t len = VP_HDR_LEN(h), span = len + g;
		unsigned kind = VP_HDR_KIND(h);

		if (!h) {
			i++;
			continue;
		}
		vp_note(n, VR_LOG_ERR, "bad run header, or run and guards past the window (page, header)",
			i, h);
		if (len == 0 || kind == 0 || span > w - i)
			return -EFAULT;
		vp_note(n, VR_LOG_ERR, "a run's start, used or guard bits wrong (page, pages)", i, len);
		if (vr_bitmap_count(&pool->starts, i, span) != 1 || !vr_bitmap_test(&pool->starts, i) ||
		    !vr_bitmap_all_set(&pool->used, i, span) ||
		    !vr_bitmap_all_clear(&pool->mapped, i + len, g) ||
		    (kind == VR_VPAGE_ORPHAN && i < pool->orphan_first))
			return -EFAULT;
		vp_note(n, VR_LOG_ERR, "allocation not fully mapped (page, pages)", i, len);
		if (kind == VR_VPAGE_ALLOC && !vr_bitmap_all_set(&pool->mapped, i, len))
			return -EFAULT;
		t->allocs += kind == VR_VPAGE_ALLOC;
		t->orphans += kind == VR_VPAGE_ORPHAN;
		t->runs++;
		t->mapped += vr_bitmap_count(&pool->mapped, i, len);
		t->used += span;
		i += span;
	}
	return 0;
}

static int vp_totals_ok(const struct vr_vpage_pool *pool, const struct vp_sums *t,
			struct vp_note *n)
{
	size_t w = vp_pages(pool);

	vp_note(n, VR_LOG_ERR, "used pages: runs, bitmap and counter disagree (run pages, free)",
		t->used, pool->free_vpages);
	if (t->used != w - pool->free_vpages || t->used != vr_bitmap_count(&pool->used, 0, w))
		return -EFAULT;
	vp_note(n, VR_LOG_ERR, "mapped pages: runs, bitmap, counter and port disagree (run pages, counter)",
		t->mapped, pool->mapped_pages);
	if (t->mapped != pool->mapped_pages || t->mapped != vr_bitmap_count(&pool->mapped, 0, w) ||
	    t->mapped > pool->port->phys_pages)
		return -EFAULT;
	vp_note(n, VR_LOG_ERR, "runs: starts, headers and counters disagree (runs, headers)",
		t->runs, t->headers);
	if (t->headers != t->runs || vr_bitmap_count(&pool->starts, 0, w) != t->runs ||
	    t->allocs != pool->live_allocs || t->orphans != pool->orphans ||
	    t->runs - t->allocs - t->orphans != pool->live_reserved)
		return -EFAULT;
	return 0;
}

static int vp_check(const struct vr_vpage_pool *pool, struct vp_note *n)
{
	struct vp_sums t = { 0, 0, 0, 0, 0, 0 };
	int rc;

	if (!vp_fields_ok(pool)) {
		vp_note(n, VR_LOG_ERR, "pool fields corrupted (pages, guard)", vp_pages(pool),
			pool->guard_pages);
		return -EFAULT;
	}
	if (!vr_bitmap_tail_clear(&pool->used) || !vr_bitmap_tail_clear(&pool->mapped) ||
	    !vr_bitmap_tail_clear(&pool->starts)) {
		vp_note(n, VR_LOG_ERR, "bitmap bits set above the window", 0, 0);
		return -EFAULT;
	}
	rc = vp_walk(pool, &t, n);
	if (!rc)
		rc = vp_totals_ok(pool, &t, n);
	return rc;
}

int vr_vpage_validate(struct vr_vpage_pool *pool)
{
	int rc;

	struct vp_note n = { 0, NULL, 0, 0 };

	if (!vri_vpage_enter(pool))
		return -EINVAL;
	rc = vp_check(pool, &n);
	vri_vpage_unlock(pool);
	if (rc)
		vp_log(pool->port, __func__, &n);
	return rc;
}
