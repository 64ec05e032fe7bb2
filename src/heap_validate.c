/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * heap_validate.c - the interim heap's O(n) walker and consistency check.
 * Both read headers through the same checked decoding as alloc/free and
 * never write to the managed buffer.
 */
#include <errno.h>

#include "vregion/heap.h"
#include "heap_internal.h"

int vr_heap_walk(struct vr_heap *h,
		 int (*cb)(void *arg, void *ptr, size_t bytes, bool used), void *arg)
{
	uint32_t u, t, units;
	int rc;

	if (!heap_ok(h) || cb == NULL)
		return -EINVAL;
	for (u = 1u; u < h->end_u; u += units) {
		t = hdr_get(h, u);
		units = t >> 2;
		if (t > T_MAX || units < 2u || units > h->end_u - u) {
			h->errors++;
			return -EFAULT;
		}
		rc = cb(arg, (void *)(HDR(h, u) + 1), (size_t)units * 8u - 4u, !(t & T_FREE));
		if (rc != 0)
			return rc;
	}
	return 0;
}

static int bad(struct vr_heap *h)
{
	h->errors++;
	return -EFAULT;
}

/* Walk the class lists: every entry a free block of that class, back links
 * consistent, bitmaps agree. Returns the number of entries or -1. */
static long check_lists(const struct vr_heap *h, uint32_t nfree)
{
	uint32_t c, x, pv, t, w, steps;
	long total = 0;

	for (c = 0; c < VR_HEAP_NCLASSES; c++) {
		bool bit = (h->bitmap[c >> 5] >> (c & 31u)) & 1u;

		x = h->heads[c];
		if ((x != 0u) != bit)
			return -1;
		for (pv = 0, steps = 0; x != 0u; pv = x, x = NEXT(h, x)[0]) {
			if (x >= h->end_u || ++steps > nfree)
				return -1;
			t = hdr_get(h, x);
			if (t > T_MAX || (t & 3u) != T_FREE || (t >> 2) < 2u ||
			    (t >> 2) > h->end_u - x || cls(t >> 2) != c ||
			    PREV(h, x)[0] != pv)
				return -1;
		}
		total += steps;
	}
	for (w = 0; w < VR_HEAP_BM_WORDS; w++) {
		if ((h->bitmap[w] != 0u) != ((h->summary >> w) & 1u))
			return -1;
	}
	if (h->summary >> VR_HEAP_BM_WORDS)
		return -1;
	return total;
}

int vr_heap_validate(struct vr_heap *h)
{
	uint32_t u, t, units, used = 0, nfree = 0;
	size_t nused = 0;
	bool prev_free = false;

	if (!heap_ok(h))
		return -EINVAL;
	if (h->end_u < 3u || h->end_u >= (1u << VR_HEAP_UNIT_BITS) + 1u ||
	    h->used_u > h->end_u - 1u || h->peak_u < h->used_u ||
	    (h->kc & T_MAX) != 0u || h->max_req != (h->end_u - 1u) * 8u - 4u)
		return bad(h);
	for (u = 1u; u < h->end_u; u += units) {
		t = hdr_get(h, u);
		units = t >> 2;
		if (t > T_MAX || units < 2u || units > h->end_u - u ||
		    ((t & T_PFREE) != 0u) != prev_free)
			return bad(h);
		if (t & T_FREE) {
			if (prev_free || *FOOT(h, u + units) != units)
				return bad(h);
			nfree++;
		} else {
			nused++;
			used += units;
		}
		prev_free = (t & T_FREE) != 0u;
	}
	if (hdr_get(h, h->end_u) != (prev_free ? T_PFREE : 0u))
		return bad(h);
	if (used != h->used_u || nused != h->allocs - h->frees - h->dropped)
		return bad(h);
	if (check_lists(h, nfree) != (long)nfree)
		return bad(h);
	return 0;
}
