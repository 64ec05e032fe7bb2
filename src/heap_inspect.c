/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * heap_inspect.c - the interim heap's O(n) walker and consistency check.
 * Both read headers through the same checked decoding as alloc/free and
 * never write to the managed buffer.
 */
#include <errno.h>

#include "vregion/heap.h"
#include "heap_internal.h"

int vr_heap_walk(struct vr_heap *h,
		 int (*cb)(void *arg, void *ptr, size_t bytes, bool used), void *arg)
{
	struct hv v;
	uint32_t g, t, n;
	int rc;

	if (!heap_ok(h) || cb == NULL)
		return -EINVAL;
	v = hv_of(h);
	for (g = 1u; g <= v.last; g += n) {
		t = hdr_get(v, g);
		n = t_size(t);
		if (!t_valid(t) || n < min_block(v.shift) || !block_fits(v, g, n)) {
			h->errors++;
			return -EFAULT;
		}
		rc = cb(arg, gran(v, g), ((size_t)n << v.shift) - 4u, !t_says_free(t));
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

/* The control block's own fields agree with each other. */
static bool control_ok(const struct vr_heap *h)
{
	uint32_t n = h->granules, c;

	if (n < min_block(h->shift) || n > VR_HEAP_MAX_GRANULES || h->shift < 3u ||
	    h->shift > 16u || h->nclasses != class_of(n) + 1u || (h->key & T_MAX) != 0u ||
	    h->used > n || h->peak < h->used || (h->base & (((uintptr_t)1u << h->shift) - 1u)))
		return false;
	/* class bitmap: a bit iff the class has a head; none past nclasses */
	for (c = 0; c < VR_HEAP_CLASS_WORDS * WB; c++) {
		bool bit = (h->class_map[c / WB] >> (c % WB)) & 1u;

		if (bit != (c < h->nclasses && h->heads[c] != 0u))
			return false;
	}
	return true;
}

struct tally {
	uint32_t used, nfree;
	size_t nused;
};

/* Every block: a valid header of at least the minimum size inside the
 * heap, PREV_FREE as the block before is, no two free neighbours, the
 * footer of every free block, and the end marker. */
static bool blocks_ok(struct hv v, struct tally *t)
{
	uint32_t g, x, n;
	bool prev_free = false, free;

	for (g = 1u; g <= v.last; g += n) {
		x = hdr_get(v, g);
		n = t_size(x);
		free = t_says_free(x);
		if (!t_valid(x) || n < min_block(v.shift) || !block_fits(v, g, n) ||
		    t_prev_free(x) != prev_free)
			return false;
		if (free) {
			if (prev_free || foot_of(v, g + n) != n)
				return false;
			t->nfree++;
		} else {
			t->nused++;
			t->used += n;
		}
		prev_free = free;
	}
	return g == v.last + 1u && hdr_get(v, g) == (prev_free ? T_PREV_FREE : 0u);
}

/* Every class list: entries are free blocks of that class, PREV names the
 * previous entry (the head's names its class), no cycle (at most nfree
 * steps), and the lists hold every free block. */
static bool lists_ok(const struct vr_heap *h, struct hv v, uint32_t nfree)
{
	uint32_t c, x, pv, t, steps, total = 0;

	for (c = 0; c < h->nclasses; c++) {
		for (x = h->heads[c], pv = HEAD_TAG | c, steps = 0; x != 0u; pv = x, x = next_of(v, x)) {
			if (x > v.last || ++steps > nfree)
				return false;
			t = hdr_get(v, x);
			if (!t_is_free(t) || class_of(t_size(t)) != c || prev_of(v, x) != pv)
				return false;
		}
		total += steps;
	}
	return total == nfree;
}

int vr_heap_validate(struct vr_heap *h)
{
	struct tally t = { 0, 0, 0 };
	struct hv v;

	if (!heap_ok(h))
		return -EINVAL;
	if (!control_ok(h))
		return bad(h);
	v = hv_of(h);
	if (!blocks_ok(v, &t) || t.used != h->used || t.nused != h->allocs - h->frees - h->dropped ||
	    !lists_ok(h, v, t.nfree))
		return bad(h);
	return 0;
}
