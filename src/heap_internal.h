/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * heap_internal.h - private helpers of the interim heap (heap*.c only): the
 * header code word, the in-band words of blocks, the size classes and the
 * class lists. The design is described in include/vregion/heap.h.
 *
 * Granules: granule g (1 <= g <= N) is the memory at base + g * G. The
 * header of the block that starts at granule g is the 32-bit word just
 * before it, HDR(g) (the last word of granule g - 1: granule 1's header
 * lies in the 4 bytes before the first granule, the end marker HDR(N + 1)
 * in the last word of granule N). A block of n granules [g, g + n) so has
 * n * G - 4 usable bytes; its last word holds the next block's header.
 *
 * In-band words (32-bit):
 *   HDR(g)             stored code word (see below)
 *   NEXT(g) = word 0   of a free block: next block of its class list, 0 = none
 *   PREV(g) = word 1   of a free block: previous block, or HEAD_TAG | class
 *                      for the head of a class list
 *   FOOT(e) = the word before HDR(e): the size of the free block ending at
 *                      granule e - 1 (read by the block at e to merge back)
 * A free block needs 12 bytes of payload: MIN_BLOCK granules.
 *
 * Header fields (decoded): bit 0 FREE, bit 1 PREV_FREE (the block before
 * is free: FOOT(g) is its size), bits 2..22 the size in granules; valid iff
 * the decoded value is <= T_MAX. DEAD (FREE | PREV_FREE, size 0) marks a
 * header that stopped being one (absorbed by a merge): never a block.
 */
#ifndef VREGION_HEAP_INTERNAL_H
#define VREGION_HEAP_INTERNAL_H

#include "vregion/heap.h"
#include "util.h"
#include "track.h"

#define WB		VR_BITMAP_WORD_BITS	/* class bitmap words */
#define SL		VR_HEAP_SL_BITS
#define NO_CLASS	0xffffffffu
#define HEAD_TAG	0x80000000u
#define HEAP_MAGIC	0x48ea9c5du

#define T_FREE		1u
#define T_PREV_FREE	2u
#define T_SIZE_SHIFT	2
#define T_MAX		((1u << 23) - 1u)
#define T_KEY_STEP	(1u << 23)		/* keys are multiples of it */
#define T_DEAD		(T_FREE | T_PREV_FREE)	/* size 0 */

/*
 * Header multiplier and its inverse mod 2^32: stored = (fields + key) *
 * HDR_ENC, fields = stored * HDR_DEC - key. HDR_DEC was chosen (by search)
 * so that for every s in 1..255 and byte k in 0..3, (s << 8k) * HDR_DEC mod
 * 2^32 is at least 2^23 away from 0: a change confined to one byte of a
 * stored header always moves the decoded value out of [0, T_MAX] (tested).
 */
#define HDR_DEC		0xa4ff1383u
#define HDR_ENC		0xab67132bu

typedef vr_heap_word_t word_t;

/* ---- the parts of the control block the hot paths keep in registers ----
 * (32-bit stores into the heap could otherwise alias the control block's
 * fields and force reloads) */
struct hv {
	uintptr_t base;		/* address of virtual granule 0 */
	uint32_t last;		/* N, the last granule */
	uint32_t key;		/* check key (a multiple of T_KEY_STEP) */
	unsigned shift;		/* log2 of the granule */
};

static VR_INLINE_HOT struct hv hv_of(const struct vr_heap *h)
{
	struct hv v = { h->base, h->granules, h->key, h->shift };

	return v;
}

static VR_INLINE_HOT bool heap_ok(const struct vr_heap *h)
{
	return h != NULL && h->magic == (HEAP_MAGIC ^ (uint32_t)(uintptr_t)h);
}

/* Granules of the smallest block: a free block holds NEXT, PREV and FOOT. */
static VR_INLINE_HOT uint32_t min_block(unsigned shift)
{
	return shift == 3u ? 2u : 1u;
}

/* ---- in-band words ----
 * With VR_CONFIG_TRACK the heap poisons every header, every free block and
 * the slack of live blocks; it reads and writes its words only through
 * word_get / word_put, which the sanitizer does not check (ASan) or during
 * which it does not report (Valgrind), so the user's view never changes. */
#if VR_CONFIG_TRACK == 1
#define VR_HEAP_INBAND __attribute__((noinline, no_sanitize_address))
#define INBAND_BEGIN() ((void)0)
#define INBAND_END() ((void)0)
#elif VR_CONFIG_TRACK == 2
#define VR_HEAP_INBAND VR_NOINLINE
#define INBAND_BEGIN() VALGRIND_DISABLE_ERROR_REPORTING
#define INBAND_END() VALGRIND_ENABLE_ERROR_REPORTING
#else
#define VR_HEAP_INBAND VR_INLINE_HOT
#define INBAND_BEGIN() ((void)0)
#define INBAND_END() ((void)0)
#endif

static VR_HEAP_INBAND uint32_t word_get(const uint32_t *p)
{
	uint32_t x;

	INBAND_BEGIN();
	x = *p;
	INBAND_END();
#if VR_CONFIG_TRACK == 2
	/* the word is the heap's, whatever the user's view of its bytes: its
	 * value is defined (memcheck would carry their V-bits into it) */
	(void)VALGRIND_MAKE_MEM_DEFINED(&x, sizeof(x));
#endif
	return x;
}

static VR_HEAP_INBAND void word_put(uint32_t *p, uint32_t x)
{
	INBAND_BEGIN();
	*p = x;
	INBAND_END();
}

/* Address of granule g, and the words around it. */
static VR_INLINE_HOT uint32_t *gran(struct hv v, uint32_t g)
{
	return (uint32_t *)(v.base + ((uintptr_t)g << v.shift));
}

#define HDR_AT(v, g)	(gran(v, g) - 1)
#define FOOT_AT(v, e)	(gran(v, e) - 2)
#define NEXT_AT(v, g)	(gran(v, g))
#define PREV_AT(v, g)	(gran(v, g) + 1)

static VR_INLINE_HOT uint32_t next_of(struct hv v, uint32_t x) { return word_get(NEXT_AT(v, x)); }
static VR_INLINE_HOT uint32_t prev_of(struct hv v, uint32_t x) { return word_get(PREV_AT(v, x)); }
static VR_INLINE_HOT uint32_t foot_of(struct hv v, uint32_t e) { return word_get(FOOT_AT(v, e)); }

/* ---- decoded header fields ---- */

static VR_INLINE_HOT uint32_t t_size(uint32_t t) { return t >> T_SIZE_SHIFT; }
static VR_INLINE_HOT uint32_t t_fields(uint32_t n, uint32_t flags) { return (n << T_SIZE_SHIFT) | flags; }

/* Named states of a decoded header t (the size is checked by the callers
 * against the room left, see block_fits). */
static VR_INLINE_HOT bool t_valid(uint32_t t) { return t <= T_MAX; }
/* A block in use: valid, not FREE, a size. */
static VR_INLINE_HOT bool t_is_used(uint32_t t)
{
	return t_valid(t) && !(t & T_FREE) && t_size(t) != 0u;
}
/* A free block as the lists keep them: valid, FREE, not PREV_FREE (no two
 * free blocks touch), a size. */
static VR_INLINE_HOT bool t_is_free(uint32_t t)
{
	return (t & ~(T_MAX & ~(T_FREE | T_PREV_FREE))) == T_FREE && t_size(t) != 0u;
}
static VR_INLINE_HOT bool t_prev_free(uint32_t t) { return (t & T_PREV_FREE) != 0u; }
/* The FREE bit alone (t valid): a free block, or DEAD. */
static VR_INLINE_HOT bool t_says_free(uint32_t t) { return (t & T_FREE) != 0u; }
/* The end marker's header, or a used block's header that says its
 * predecessor is used (or free, with want_prev_free). */
static VR_INLINE_HOT bool t_is_used_after(uint32_t t, bool want_prev_free)
{
	return t_valid(t) && !(t & T_FREE) && t_prev_free(t) == want_prev_free;
}

/* ---- header code words ---- */

static VR_INLINE_HOT uint32_t hdr_encode(struct hv v, uint32_t fields)
{
	VR_ASSERT(fields <= T_MAX);
	return (fields + v.key) * HDR_ENC;
}

/* Decoded fields of the header of granule g (any value: check it). */
static VR_INLINE_HOT uint32_t hdr_get(struct hv v, uint32_t g)
{
	return word_get(HDR_AT(v, g)) * HDR_DEC - v.key;
}

static VR_INLINE_HOT void hdr_put(struct hv v, uint32_t g, uint32_t fields)
{
	word_put(HDR_AT(v, g), hdr_encode(v, fields));
}

/* PREV_FREE is flipped without decoding: the encoding is linear. */
static VR_INLINE_HOT void hdr_add_prev_free(struct hv v, uint32_t g)
{
	VR_ASSERT(t_valid(hdr_get(v, g)) && !t_prev_free(hdr_get(v, g)));
	word_put(HDR_AT(v, g), word_get(HDR_AT(v, g)) + T_PREV_FREE * HDR_ENC);
}

static VR_INLINE_HOT void hdr_clear_prev_free(struct hv v, uint32_t g)
{
	VR_ASSERT(t_valid(hdr_get(v, g)) && t_prev_free(hdr_get(v, g)));
	word_put(HDR_AT(v, g), word_get(HDR_AT(v, g)) - T_PREV_FREE * HDR_ENC);
}

/* The block at g of n granules lies inside the heap. */
static VR_INLINE_HOT bool block_fits(struct hv v, uint32_t g, uint32_t n)
{
	return n <= v.last + 1u - g;
}

/* ---- size classes ----
 * Classes in granules n (n >= 1), S = VR_HEAP_SL_BITS:
 *   n < 2^(S+1)          one class per size (exact);
 *   2^f <= n < 2^(f+1)   2^S classes per power of two, each 2^(f-S) wide.
 * A bitmap of non-empty classes (VR_HEAP_CLASS_WORDS words, one spare
 * always 0) finds the first non-empty class >= c in at most that many word
 * tests (2 on 64-bit targets with the default classes). */
static VR_INLINE_HOT uint32_t class_of(uint32_t n)
{
	uint32_t s = 31u - vr_clz32(n | ((2u << SL) - 1u)) - SL;

	VR_ASSERT(n >= 1u);
	return (s << SL) + (n >> s);
}

/* Smallest and largest size of class c. */
static VR_INLINE_HOT uint32_t class_lo(uint32_t c)
{
	uint32_t s = c >> SL;

	return s <= 1u ? c : ((c & ((1u << SL) - 1u)) | (1u << SL)) << (s - 1u);
}

static VR_INLINE_HOT uint32_t class_hi(uint32_t c)
{
	uint32_t s = c >> SL;

	return s <= 1u ? c : class_lo(c) + (1u << (s - 1u)) - 1u;
}

/* First non-empty class >= c (c <= VR_HEAP_NCLASSES), or NO_CLASS. */
static VR_INLINE_HOT uint32_t class_find(const struct vr_heap *h, uint32_t c)
{
	uint32_t w = c / WB;

	VR_ASSERT(c <= VR_HEAP_NCLASSES);
	word_t m = h->class_map[w] & (~(word_t)0 << (c % WB));

	while (m == 0u) {
		if (++w >= VR_HEAP_CLASS_WORDS)
			return NO_CLASS;
		m = h->class_map[w];
	}
	return w * WB + vr_ctzw(m);
}

static VR_INLINE_HOT void class_mark(struct vr_heap *h, uint32_t c)
{
	h->class_map[c / WB] |= (word_t)1 << (c % WB);
}

static VR_INLINE_HOT void class_unmark(struct vr_heap *h, uint32_t c)
{
	h->class_map[c / WB] &= ~((word_t)1 << (c % WB));
}

/* ---- class lists (doubly linked through NEXT / PREV, LIFO) ---- */

/* The head of class c may have a block pushed before it (its PREV will be
 * written): none, or a granule inside the heap whose PREV is the class tag.
 * A smashed head (vr_heap_create_in keeps the heads just below the first
 * block) is refused before anything is written through it. */
static VR_INLINE_HOT bool head_ok(const struct vr_heap *h, struct hv v, uint32_t c)
{
	uint32_t x = h->heads[c];

	return x == 0u || (x <= v.last && prev_of(v, x) == (HEAD_TAG | c));
}

/* Push free block x (header written) on class c (head_ok(c) held). */
static VR_INLINE_HOT void list_push(struct vr_heap *h, struct hv v, uint32_t x, uint32_t c)
{
	uint32_t old = h->heads[c];

	VR_ASSERT(c < h->nclasses && t_is_free(hdr_get(v, x)) && class_of(t_size(hdr_get(v, x))) == c);
	VR_ASSERT(head_ok(h, v, c) && foot_of(v, x + t_size(hdr_get(v, x))) == t_size(hdr_get(v, x)));
	word_put(NEXT_AT(v, x), old);
	word_put(PREV_AT(v, x), HEAD_TAG | c);
	if (old != 0u)
		word_put(PREV_AT(v, old), x);
	else
		class_mark(h, c);
	h->heads[c] = x;
}

/* True iff free block x can be unlinked writing only through checked
 * words: its NEXT names a block whose PREV is x, and its PREV names a block
 * whose NEXT is x, or is the tag of a class whose head is x. */
static VR_INLINE_HOT bool list_links_ok(const struct vr_heap *h, struct hv v, uint32_t x)
{
	uint32_t nx = next_of(v, x), pv = prev_of(v, x);

	if (nx != 0u && (nx > v.last || prev_of(v, nx) != x))
		return false;
	if (pv & HEAD_TAG)
		return (pv & ~HEAD_TAG) < h->nclasses && h->heads[pv & ~HEAD_TAG] == x;
	return pv - 1u < v.last && next_of(v, pv) == x;
}

/* Unlink x (list_links_ok held). */
static VR_INLINE_HOT void list_unlink(struct vr_heap *h, struct hv v, uint32_t x)
{
	uint32_t nx = next_of(v, x), pv = prev_of(v, x);

	VR_ASSERT(list_links_ok(h, v, x) && t_is_free(hdr_get(v, x)));
	if (nx != 0u)
		word_put(PREV_AT(v, nx), pv);
	if (pv & HEAD_TAG) {
		h->heads[pv & ~HEAD_TAG] = nx;
		if (nx == 0u)
			class_unmark(h, pv & ~HEAD_TAG);
	} else {
		word_put(NEXT_AT(v, pv), nx);
	}
}

/* Bytes of the control block used for a heap with nclasses classes. */
static VR_INLINE_HOT size_t ctrl_bytes(uint32_t nclasses)
{
	return offsetof(struct vr_heap, heads) + (size_t)nclasses * sizeof(uint32_t);
}

#endif /* VREGION_HEAP_INTERNAL_H */
