/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * heap_internal.h - private helpers of the interim heap (heap*.c only).
 *
 * Units: a block index u names the 8-byte granule whose header word sits at
 * hb + 8u (so its payload is at hb + 8u + 4). Unit 0 is never a block, so 0
 * means "none" in NEXT links and class heads. The header word is stored
 * encoded (see heap.h); hdr_dec() returns the decoded fields, valid iff
 * <= T_MAX:  bit 0 T_FREE, bit 1 T_PFREE (previous block free), bit 2
 * T_PADDED (aligned: the user pointer is NEXT units in), bits 3..22 size in
 * units.
 * A free block holds NEXT (word 1) and PREV (word 2) and its size in its last
 * word, read as FOOT() of the following block. The first block of a class
 * list has PREV = HEAD_TAG | class, so unlinking never recomputes a class.
 *
 * Hot paths copy hb and kc into locals (struct hv): stores into the buffer
 * are uint32_t and could otherwise alias the control block's fields.
 */
#ifndef VREGION_HEAP_INTERNAL_H
#define VREGION_HEAP_INTERNAL_H

#include "vregion/heap.h"
#include "util.h"

/* Speed builds force the hot helpers inline (the allocator core gets a
 * copy per public entry, with the alignment folded away); -Os builds keep
 * one copy of each. */
#if (defined(__GNUC__) || defined(__clang__)) && !defined(__OPTIMIZE_SIZE__)
#define VR_HEAP_INLINE inline __attribute__((always_inline))
#define VR_HEAP_HOT inline __attribute__((always_inline))
#else
#define VR_HEAP_INLINE inline
#define VR_HEAP_HOT
#endif

#define T_FREE		1u
#define T_PFREE		2u
#define T_PADDED	4u			/* used block with a PAD marker */
#define T_SHIFT		3			/* size in units from bit 3 */
#define T_UNITS(t)	((t) >> T_SHIFT)
#define T_SIZE(n)	((uint32_t)(n) << T_SHIFT)
#define T_DEAD		(T_FREE | T_PFREE)	/* size 0: an absorbed header */
#define T_PAD(g)	(T_SIZE(g) | T_DEAD)	/* g >= 1 units before an aligned
						 * user pointer is the block header */
#define T_MAX		((1u << 23) - 1u)
#define T_KEYMASK	(~T_MAX)
#define HEAD_TAG	0x80000000u
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

/* The parts of the control block the hot paths keep in registers. */
struct hv {
	uintptr_t hb;
	uint32_t kc;
};

static inline struct hv hv_of(const struct vr_heap *h)
{
	struct hv v = { h->hb, h->kc };

	return v;
}

#define HDR(v, u)	((uint32_t *)((v).hb + ((uintptr_t)(u) << 3)))
#define NEXT(v, u)	(HDR(v, u)[1])
#define PREV(v, u)	(HDR(v, u)[2])
#define FOOT(v, u)	(HDR(v, u)[-1])

static inline uint32_t hdr_dec(struct hv v, uint32_t u)
{
	return *HDR(v, u) * HDR_MUL - v.kc;
}

static inline uint32_t hdr_enc(struct hv v, uint32_t t)
{
	return (t + v.kc) * HDR_MUL_INV;
}

static inline void hdr_put(struct hv v, uint32_t u, uint32_t t)
{
	*HDR(v, u) = hdr_enc(v, t);
}

/* Add (or subtract) T_PFREE without decoding: the encoding is linear. */
#define HDR_PFREE_DELTA	(T_PFREE * HDR_MUL_INV)

/* Size class of a block of n >= 2 units: exact below 2^(S+1) units, then
 * 2^S classes per power of two. Branch-free. */
static inline uint32_t cls(uint32_t n)
{
	uint32_t s = 31u - vr_clz32(n | ((2u << VR_HEAP_SL_BITS) - 1u)) - VR_HEAP_SL_BITS;

	return (s << VR_HEAP_SL_BITS) + (n >> s);
}

/* First non-empty class >= c (c <= VR_HEAP_NCLASSES), or NO_CLASS. At most
 * VR_HEAP_BM_WORDS word tests (3 with the default classes). */
static inline uint32_t bm_find(const struct vr_heap *h, uint32_t c)
{
	uint32_t w = c >> 5, m = h->bitmap[w] & (~0u << (c & 31u));

	while (m == 0u) {
		if (++w >= VR_HEAP_BM_WORDS)
			return NO_CLASS;
		m = h->bitmap[w];
	}
	return (w << 5) + vr_ctz32(m);
}

static inline void bm_set(struct vr_heap *h, uint32_t c)
{
	h->bitmap[c >> 5] |= 1u << (c & 31u);
}

static inline void bm_clear(struct vr_heap *h, uint32_t c)
{
	h->bitmap[c >> 5] &= ~(1u << (c & 31u));
}

/* Push free block x (header already written) on class c. */
static inline void list_push(struct vr_heap *h, struct hv v, uint32_t x, uint32_t c)
{
	uint32_t old = h->heads[c];

	NEXT(v, x) = old;
	PREV(v, x) = HEAD_TAG | c;
	if (old != 0u)
		PREV(v, old) = x;
	else
		bm_set(h, c);
	h->heads[c] = x;
}

/* True iff free block x's links are consistent (next->prev == x, prev->next
 * == x or x is the head its tag names), so unlinking writes only through
 * checked, in-bounds links. */
static inline bool unlink_ok(const struct vr_heap *h, struct hv v, uint32_t x)
{
	uint32_t nx = NEXT(v, x), pv = PREV(v, x), end = h->end_u;

	if (nx != 0u && (nx >= end || PREV(v, nx) != x))
		return false;
	if (pv & HEAD_TAG)
		return (pv & ~HEAD_TAG) < h->ncls && h->heads[pv & ~HEAD_TAG] == x;
	return pv - 1u < end - 1u && NEXT(v, pv) == x;
}

static inline void list_unlink(struct vr_heap *h, struct hv v, uint32_t x)
{
	uint32_t nx = NEXT(v, x), pv = PREV(v, x);

	if (nx != 0u)
		PREV(v, nx) = pv;
	if (pv & HEAD_TAG) {
		h->heads[pv & ~HEAD_TAG] = nx;
		if (nx == 0u)
			bm_clear(h, pv & ~HEAD_TAG);
	} else {
		NEXT(v, pv) = nx;
	}
}

static inline bool heap_ok(const struct vr_heap *h)
{
	return h != NULL && h->magic == (HEAP_MAGIC ^ (uint32_t)(uintptr_t)h);
}

/* Bytes of the control block used for a heap with ncls classes. */
static inline size_t ctrl_bytes(uint32_t ncls)
{
	return offsetof(struct vr_heap, heads) + (size_t)ncls * sizeof(uint32_t);
}

#endif /* VREGION_HEAP_INTERNAL_H */
