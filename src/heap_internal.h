/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * heap_internal.h - private helpers of the interim heap (heap*.c only).
 *
 * Units: a block index u names the 8-byte granule whose header word sits at
 * hb + 8u (so its payload is at hb + 8u + 4). Unit 0 is never a block, so 0
 * means "none" in links and class heads. The header word is stored encoded
 * (see heap.h); hdr_get() returns the decoded fields, valid iff <= T_MAX:
 *   bit 0 T_FREE, bit 1 T_PFREE (previous block free), bits 2..22 size (units).
 * A free block holds NEXT (word 1) and PREV (word 2) links and its size in its
 * last word, read as FOOT() of the following block.
 */
#ifndef VREGION_HEAP_INTERNAL_H
#define VREGION_HEAP_INTERNAL_H

#include "vregion/heap.h"

#if defined(__GNUC__) || defined(__clang__)
#define VR_HEAP_INLINE inline __attribute__((always_inline))
#else
#define VR_HEAP_INLINE inline
#endif

#define T_FREE		1u
#define T_PFREE		2u
#define T_DEAD		(T_FREE | T_PFREE)	/* size 0: an absorbed header */
#define T_MAX		((1u << 23) - 1u)
#define T_KEYMASK	(~T_MAX)
#define T_BAD		0xffffffffu
#define NO_CLASS	0xffffffffu
#define HEAP_MAGIC	0x48ea9c5du

/*
 * Header multiplier and its inverse mod 2^32. HDR_MUL was chosen (by search)
 * so that for every s in 1..255 and byte k in 0..3, (s << 8k) * HDR_MUL mod
 * 2^32 is at least 2^23 away from 0: a change confined to one byte of a
 * stored header then always moves the decoded key bits (tested).
 */
#define HDR_MUL		0xa4ff1383u
#define HDR_MUL_INV	0xab67132bu

#define HDR(h, u)	((uint32_t *)((h)->hb + ((uintptr_t)(u) << 3)))
#define NEXT(h, u)	(HDR(h, u) + 1)
#define PREV(h, u)	(HDR(h, u) + 2)
#define FOOT(h, u)	(HDR(h, u) - 1)

static inline uint32_t hdr_get(const struct vr_heap *h, uint32_t u)
{
	return ((*HDR(h, u) ^ u) * HDR_MUL) - h->kc;
}

static inline void hdr_put(struct vr_heap *h, uint32_t u, uint32_t t)
{
	*HDR(h, u) = ((t + h->kc) * HDR_MUL_INV) ^ u;
}

static inline void hdr_dead(struct vr_heap *h, uint32_t u)
{
	*HDR(h, u) = h->dead ^ u;
}

/* Size class of a block of n >= 2 units. */
static inline uint32_t cls(uint32_t n)
{
	uint32_t fl;

	if (n < (1u << VR_HEAP_SL_BITS))
		return n;
	fl = 31u - vr_clz32(n);
	return ((fl - VR_HEAP_SL_BITS) << VR_HEAP_SL_BITS) + (n >> (fl - VR_HEAP_SL_BITS));
}

/* First non-empty class >= c (c <= VR_HEAP_NCLASSES), or NO_CLASS. */
static inline uint32_t bm_find(const struct vr_heap *h, uint32_t c)
{
	uint32_t w = c >> 5, m;

	m = h->bitmap[w] & (~0u << (c & 31u));
	if (m != 0u)
		return (w << 5) + vr_ctz32(m);
	m = h->summary & ~((2u << w) - 1u);
	if (m == 0u)
		return NO_CLASS;
	w = vr_ctz32(m);
	return (w << 5) + vr_ctz32(h->bitmap[w]);
}

static inline void bm_set(struct vr_heap *h, uint32_t c)
{
	h->bitmap[c >> 5] |= 1u << (c & 31u);
	h->summary |= 1u << (c >> 5);
}

static inline void bm_clear(struct vr_heap *h, uint32_t c)
{
	uint32_t w = c >> 5;

	h->bitmap[w] &= ~(1u << (c & 31u));
	if (h->bitmap[w] == 0u)
		h->summary &= ~(1u << w);
}

/* Push free block x (units, header already written) on its class list. */
static inline void list_push(struct vr_heap *h, uint32_t x, uint32_t units)
{
	uint32_t c = cls(units), old = h->heads[c];

	NEXT(h, x)[0] = old;
	PREV(h, x)[0] = 0u;
	if (old != 0u)
		PREV(h, old)[0] = x;
	else
		bm_set(h, c);
	h->heads[c] = x;
}

/* True iff free block x's links are consistent, so unlinking writes only
 * through checked, in-bounds links. */
static inline bool unlink_ok(const struct vr_heap *h, uint32_t x, uint32_t units)
{
	uint32_t nx = NEXT(h, x)[0], pv = PREV(h, x)[0];

	if (nx != 0u && (nx >= h->end_u || PREV(h, nx)[0] != x))
		return false;
	if (pv != 0u)
		return pv < h->end_u && NEXT(h, pv)[0] == x;
	return h->heads[cls(units)] == x;
}

static inline void list_unlink(struct vr_heap *h, uint32_t x, uint32_t units)
{
	uint32_t nx = NEXT(h, x)[0], pv = PREV(h, x)[0], c = cls(units);

	if (pv != 0u)
		NEXT(h, pv)[0] = nx;
	else
		h->heads[c] = nx;
	if (nx != 0u)
		PREV(h, nx)[0] = pv;
	else if (pv == 0u)
		bm_clear(h, c);
}

static inline bool heap_ok(const struct vr_heap *h)
{
	return h != NULL && h->magic == (HEAP_MAGIC ^ (uint32_t)(uintptr_t)h);
}

#endif /* VREGION_HEAP_INTERNAL_H */
