/* SPDX-License-Identifier: BSD-3-Clause */
/* stress.c - the shared allocator stress rig (see stress.h). */
#include "stress.h"

#include <string.h>

void vr_rng_seed(struct vr_rng *r, uint32_t seed)
{
	r->s = seed * 2654435761u + 0x6d2b79f5u;
	if (r->s == 0)
		r->s = 0x9e3779b9u;
}

uint32_t vr_rng_next(struct vr_rng *r)
{
	uint32_t x = r->s;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	r->s = x;
	return x;
}

size_t vr_rng_range(struct vr_rng *r, size_t lo, size_t hi)
{
	size_t span = hi - lo + 1u;

	if (span == 0)		/* full range */
		return lo + vr_rng_next(r);
	return lo + (size_t)vr_rng_next(r) % span;
}

static inline uint8_t pat(uint32_t tag, size_t i)
{
	uint32_t x = tag * 0x9e3779b1u + (uint32_t)i * 0x85ebca6bu;

	return (uint8_t)(x >> 24 ^ x >> 11);
}

void vr_fill(void *p, size_t n, uint32_t tag)
{
	uint8_t *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		b[i] = pat(tag, i);
}

size_t vr_fill_check(const void *p, size_t n, uint32_t tag)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i < n; i++) {
		if (b[i] != pat(tag, i))
			return i;
	}
	return n;
}

static void do_check(const struct vr_stress_ops *ops, const struct vr_stress_cfg *cfg,
		     struct vr_stress_result *r)
{
	if (cfg->check_every && ops->check != NULL && ops->check(ops->ctx) != 0)
		r->check_errors++;
}

static int free_slot(const struct vr_stress_ops *ops, struct vr_stress_block *b, bool fill,
		     struct vr_stress_result *r)
{
	int err = 0;

	if (fill && vr_fill_check(b->p, b->size, b->tag) != b->size) {
		r->pattern_errors++;
		err = 1;
	}
	if (ops->free(ops->ctx, b->p) != 0) {
		r->free_errors++;
		err = 1;
	}
	r->frees++;
	r->live--;
	r->live_bytes -= b->size;
	b->p = NULL;
	return err;
}

size_t vr_stress_free_all(const struct vr_stress_ops *ops, struct vr_stress_block *slots,
			  size_t nslots, bool fill)
{
	struct vr_stress_result r;
	size_t i, errs = 0;

	memset(&r, 0, sizeof(r));
	for (i = 0; i < nslots; i++) {
		if (slots[i].p != NULL) {
			r.live = 1;
			r.live_bytes = slots[i].size;
			errs += (size_t)free_slot(ops, &slots[i], fill, &r);
		}
	}
	return errs;
}

int vr_stress_run(const struct vr_stress_ops *ops, const struct vr_stress_cfg *cfg,
		  struct vr_stress_block *slots, size_t nslots, struct vr_stress_result *res)
{
	static const size_t aligns[4] = { 0, 16, 32, 64 };
	struct vr_stress_result r;
	struct vr_rng rng;
	size_t op, i, nfree_slots;
	uint32_t tagc;

	memset(&r, 0, sizeof(r));
	r.first_fail_op = SIZE_MAX;
	memset(slots, 0, nslots * sizeof(*slots));
	vr_rng_seed(&rng, cfg->seed);
	tagc = cfg->seed * 7919u;
	for (op = 0; cfg->ops == 0 || op < cfg->ops; op++) {
		bool do_free = r.live > 0 &&
			(r.live == nslots || vr_rng_next(&rng) % 100u < cfg->free_pct);

		if (do_free) {
			/* pick the k-th live slot */
			size_t k = vr_rng_next(&rng) % r.live;

			for (i = 0; i < nslots; i++) {
				if (slots[i].p != NULL && k-- == 0)
					break;
			}
			free_slot(ops, &slots[i], cfg->fill, &r);
		} else {
			size_t size = vr_rng_range(&rng, cfg->min_size, cfg->max_size);
			size_t align = cfg->random_align ? aligns[vr_rng_next(&rng) & 3u] : cfg->align;
			void *p;

			if (r.live == nslots) {
				r.full++;
				continue;
			}
			p = ops->alloc(ops->ctx, size, align);
			if (p == NULL) {
				r.failures++;
				if (r.first_fail_op == SIZE_MAX) {
					r.first_fail_op = op;
					r.fail_live_bytes = r.live_bytes;
				}
				do_check(ops, cfg, &r);
				if (cfg->stop_at_fail)
					break;
				continue;
			}
			if (align > 1 && ((uintptr_t)p & (align - 1u)) != 0)
				r.misaligned++;
			nfree_slots = vr_rng_next(&rng) % (nslots - r.live);
			for (i = 0; i < nslots; i++) {
				if (slots[i].p == NULL && nfree_slots-- == 0)
					break;
			}
			slots[i].p = p;
			slots[i].size = size;
			slots[i].align = align;
			slots[i].tag = ++tagc;
			if (cfg->fill)
				vr_fill(p, size, slots[i].tag);
			r.allocs++;
			r.live++;
			r.live_bytes += size;
			if (r.live > r.max_live)
				r.max_live = r.live;
			if (r.live_bytes > r.max_live_bytes)
				r.max_live_bytes = r.live_bytes;
		}
		do_check(ops, cfg, &r);
	}
	if (cfg->free_all_at_end) {
		for (i = 0; i < nslots; i++) {
			if (slots[i].p != NULL) {
				free_slot(ops, &slots[i], cfg->fill, &r);
				do_check(ops, cfg, &r);
			}
		}
	}
	if (res != NULL)
		*res = r;
	return (r.pattern_errors || r.misaligned || r.free_errors || r.check_errors) ? -1 : 0;
}

void vr_stress_plan(uint32_t seed, size_t nslots, size_t lo, size_t hi, size_t steps,
		    uint32_t *idx, uint32_t *size)
{
	struct vr_rng rng;
	size_t i;

	vr_rng_seed(&rng, seed);
	for (i = 0; i < steps; i++) {
		idx[i] = vr_rng_next(&rng) % (uint32_t)nslots;
		size[i] = (uint32_t)vr_rng_range(&rng, lo, hi);
	}
}
