/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * region_model.h - the lifetime placement rule of vregion/vregion.h
 * (ALIGNMENT) as an executable model, the ONE copy shared by the tests
 * (test_region_model.c) and the fuzzer (fuzz_region.c). Written from the
 * header's words, not from the library's code:
 *   - the effective alignment is max(align, min_align), and for a coherent
 *     request also at least the cache line, whose size is rounded up to the
 *     line first (a size whose rounding overflows fails);
 *   - 0 is the default alignment; an alignment that is not a power of two
 *     fails, as does size 0;
 *   - the object starts at the bump pointer aligned up to that alignment; it
 *     must fit before the end of the lifetime part (bounds checked before
 *     any rounding);
 *   - the bump pointer then moves past the object rounded up to the cache
 *     line when the effective alignment IS the line, else to min_align.
 * Addresses are plain numbers: a model over offsets uses bump 0 and end =
 * the region size.
 */
#ifndef VR_REGION_MODEL_H
#define VR_REGION_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vr_lt_model {
	uintptr_t bump;		/* the bump pointer */
	uintptr_t end;		/* end of the lifetime part */
	size_t min_align;	/* the region's effective minimum alignment */
	size_t line;		/* the port's cache line (1 without a cache) */
};

static inline size_t vr_model_up(size_t x, size_t a)
{
	return (x + a - 1) & ~(a - 1);
}

/* The request as vregion.h normalises it: *size (coherent: rounded to the
 * line) and *align (effective). false iff it fails whatever the space. */
static inline bool vr_model_request(const struct vr_lt_model *m, size_t *size, size_t *align,
				    bool coherent)
{
	size_t a = *align;

	if (*size == 0 || (a & (a - 1)))
		return false;
	if (coherent) {
		if (*size > SIZE_MAX - (m->line - 1))
			return false;
		*size = vr_model_up(*size, m->line);
		if (a < m->line)
			a = m->line;
	}
	*align = a < m->min_align ? m->min_align : a;
	return true;
}

/* Where a normalised request lands: true and *at (the new bump pointer in
 * *bump_after), or false if it does not fit. */
static inline bool vr_model_place(const struct vr_lt_model *m, size_t size, size_t a,
				  uintptr_t *at, uintptr_t *bump_after)
{
	uintptr_t p;
	size_t round;

	if (a - 1 > UINTPTR_MAX - m->bump)
		return false;
	p = (m->bump + a - 1) & ~(uintptr_t)(a - 1);
	if (p > m->end || size > (size_t)(m->end - p))
		return false;
	round = a == m->line ? a : m->min_align;
	*at = p;
	*bump_after = p + vr_model_up(size, round);
	return true;
}

/* One lifetime allocation: true and *at (the bump pointer moves), or false
 * (nothing changes). */
static inline bool vr_model_alloc(struct vr_lt_model *m, size_t size, size_t align, bool coherent,
				  uintptr_t *at)
{
	uintptr_t nb;

	if (!vr_model_request(m, &size, &align, coherent) ||
	    !vr_model_place(m, size, align, at, &nb))
		return false;
	m->bump = nb;
	return true;
}

#endif /* VR_REGION_MODEL_H */
