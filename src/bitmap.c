/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bitmap.c - fixed-size bit array, searched a 64-bit word at a time.
 *
 * Conventions: bit i is word i / 64, bit i % 64. Bits at or above nbits in the
 * last word are always clear (init clears them, set/clear never reach them)
 * and every search masks them out anyway, so a caller that corrupts them
 * cannot make a search return an index >= nbits.
 *
 * Out-of-range arguments are preconditions (VR_ASSERT in debug builds); in
 * release builds they are clamped to a harmless result instead of touching
 * memory outside the words array.
 */
#include <string.h>

#include "vregion/bitmap.h"

#define ONES UINT64_MAX

static inline size_t nwords(const struct vr_bitmap *bm)
{
	return VR_BITMAP_WORDS(bm->nbits);
}

/* Bits of word wi that lie below nbits. */
static inline uint64_t valid_mask(const struct vr_bitmap *bm, size_t wi)
{
	unsigned tail = (unsigned)(bm->nbits % 64u);

	if (tail && wi == nwords(bm) - 1)
		return (UINT64_C(1) << tail) - 1;
	return ONES;
}

/* Mask of bits [lo, 63] and [0, hi] of one word (lo, hi < 64). */
static inline uint64_t mask_from(unsigned lo) { return ONES << lo; }
static inline uint64_t mask_upto(unsigned hi) { return ONES >> (63u - hi); }

/* Mask of the bits of word wi inside [start, end) (end > start). */
static inline uint64_t range_mask(size_t wi, size_t start, size_t end)
{
	uint64_t m = ONES;

	if (wi == start / 64u)
		m &= mask_from((unsigned)(start % 64u));
	if (wi == (end - 1) / 64u)
		m &= mask_upto((unsigned)((end - 1) % 64u));
	return m;
}

static inline unsigned popcount64(uint64_t x)
{
#if VR_NO_BUILTINS
	x = x - ((x >> 1) & UINT64_C(0x5555555555555555));
	x = (x & UINT64_C(0x3333333333333333)) + ((x >> 2) & UINT64_C(0x3333333333333333));
	x = (x + (x >> 4)) & UINT64_C(0x0f0f0f0f0f0f0f0f);
	return (unsigned)((x * UINT64_C(0x0101010101010101)) >> 56);
#else
	return (unsigned)__builtin_popcountll(x);
#endif
}

/* True iff [start, start + n) lies inside the bitmap (n may be 0). */
static inline bool range_ok(const struct vr_bitmap *bm, size_t start, size_t n)
{
	return start <= bm->nbits && n <= bm->nbits - start;
}

void vr_bitmap_init(struct vr_bitmap *bm, uint64_t *words, size_t nbits)
{
	VR_ASSERT(bm && (words || nbits == 0));
	if (!bm)
		return;
	bm->words = words;
	bm->nbits = words ? nbits : 0;
	if (words && nbits)
		memset(words, 0, VR_BITMAP_WORDS(nbits) * sizeof(uint64_t));
}

bool vr_bitmap_test(const struct vr_bitmap *bm, size_t i)
{
	VR_ASSERT(i < bm->nbits);
	if (VR_UNLIKELY(i >= bm->nbits))
		return false;
	return (bm->words[i / 64u] >> (i % 64u)) & 1u;
}

void vr_bitmap_set(struct vr_bitmap *bm, size_t start, size_t n)
{
	size_t end = start + n;

	VR_ASSERT(range_ok(bm, start, n));
	if (n == 0 || VR_UNLIKELY(!range_ok(bm, start, n)))
		return;
	for (size_t wi = start / 64u; wi <= (end - 1) / 64u; wi++)
		bm->words[wi] |= range_mask(wi, start, end);
}

void vr_bitmap_clear(struct vr_bitmap *bm, size_t start, size_t n)
{
	size_t end = start + n;

	VR_ASSERT(range_ok(bm, start, n));
	if (n == 0 || VR_UNLIKELY(!range_ok(bm, start, n)))
		return;
	for (size_t wi = start / 64u; wi <= (end - 1) / 64u; wi++)
		bm->words[wi] &= ~range_mask(wi, start, end);
}

bool vr_bitmap_all_set(const struct vr_bitmap *bm, size_t start, size_t n)
{
	size_t end = start + n;

	VR_ASSERT(range_ok(bm, start, n));
	if (VR_UNLIKELY(!range_ok(bm, start, n)))
		return false;
	if (n == 0)
		return true;
	for (size_t wi = start / 64u; wi <= (end - 1) / 64u; wi++) {
		uint64_t m = range_mask(wi, start, end);

		if ((bm->words[wi] & m) != m)
			return false;
	}
	return true;
}

bool vr_bitmap_all_clear(const struct vr_bitmap *bm, size_t start, size_t n)
{
	size_t end = start + n;

	VR_ASSERT(range_ok(bm, start, n));
	if (VR_UNLIKELY(!range_ok(bm, start, n)))
		return false;
	if (n == 0)
		return true;
	for (size_t wi = start / 64u; wi <= (end - 1) / 64u; wi++)
		if (bm->words[wi] & range_mask(wi, start, end))
			return false;
	return true;
}

size_t vr_bitmap_count(const struct vr_bitmap *bm, size_t start, size_t n)
{
	size_t end = start + n, total = 0;

	VR_ASSERT(range_ok(bm, start, n));
	if (n == 0 || VR_UNLIKELY(!range_ok(bm, start, n)))
		return 0;
	for (size_t wi = start / 64u; wi <= (end - 1) / 64u; wi++)
		total += popcount64(bm->words[wi] & range_mask(wi, start, end));
	return total;
}

/*
 * Bit i of the result is set iff bits i .. i + n - 1 of c are all set, for a
 * run lying entirely inside the word (1 <= n <= 64). Shift-and by doubling:
 * invariant "bit i of m = AND of c[i .. i + s - 1]", at most 6 steps.
 */
static inline uint64_t run_starts(uint64_t c, size_t n)
{
	uint64_t m = c;
	size_t s = 1;

	while (s < n && m) {
		unsigned step = (unsigned)(s < n - s ? s : n - s);

		m &= m >> step;
		s += step;
	}
	return m;
}

/*
 * One pass over the words. `carry` is the length of the clear run that ends at
 * the top of the previous word (and starts at or after `from`). For each word:
 *   - all clear: the run grows by 64;
 *   - all set: the run is broken (this is the "skip full words" fast path);
 *   - otherwise: the run continues into the word's low clear bits; if that is
 *     not enough, a run lying wholly inside the word is found by shift-and;
 *     the word's high clear bits start the next carry.
 * Candidates are met in increasing start order, so the first hit is the
 * lowest. Cost: O(1 + log2(min(n, 64))) per word, independent of the pattern.
 */
size_t vr_bitmap_find_clear_run(const struct vr_bitmap *bm, size_t from, size_t n)
{
	size_t carry = 0, nw;

	if (n == 0 || n > bm->nbits || from > bm->nbits - n)
		return SIZE_MAX;
	nw = nwords(bm);
	for (size_t wi = from / 64u; wi < nw; wi++) {
		uint64_t c = ~bm->words[wi] & valid_mask(bm, wi);
		size_t base = wi * 64u;
		unsigned lead;

		if (wi == from / 64u)
			c &= mask_from((unsigned)(from % 64u));
		if (c == ONES) {
			carry += 64u;
			if (carry >= n)
				return base + 64u - carry;
			continue;
		}
		if (c == 0) {
			carry = 0;
			continue;
		}
		lead = vr_ctz64(~c);		/* clear bits at the bottom */
		if (carry + lead >= n)
			return base - carry;
		if (n < 64u) {
			uint64_t m = run_starts(c, n);

			if (m)
				return base + vr_ctz64(m);
		}
		carry = vr_clz64(~c);		/* clear bits at the top */
	}
	return SIZE_MAX;
}

size_t vr_bitmap_longest_clear_run(const struct vr_bitmap *bm)
{
	size_t best = 0, carry = 0, nw = nwords(bm);

	for (size_t wi = 0; wi < nw; wi++) {
		uint64_t c = ~bm->words[wi] & valid_mask(bm, wi);
		size_t lead;

		if (c == ONES) {
			carry += 64u;
			continue;
		}
		if (c == 0) {
			if (carry > best)
				best = carry;
			carry = 0;
			continue;
		}
		lead = vr_ctz64(~c);
		if (carry + lead > best)
			best = carry + lead;
		carry = vr_clz64(~c);
		/* runs strictly inside the word: drop the bottom run, then walk */
		c &= c + 1u;
		while (c) {
			unsigned pos = vr_ctz64(c);
			size_t len = vr_ctz64(~(c >> pos));

			if (len > best)
				best = len;
			c &= c + (c & (~c + 1u));	/* clear the lowest run of ones */
		}
	}
	return carry > best ? carry : best;
}

size_t vr_bitmap_next_set(const struct vr_bitmap *bm, size_t from)
{
	size_t nw = nwords(bm);
	size_t wi;
	uint64_t w;

	if (from >= bm->nbits)
		return bm->nbits;
	wi = from / 64u;
	w = bm->words[wi] & valid_mask(bm, wi) & mask_from((unsigned)(from % 64u));
	for (;;) {
		if (w)
			return wi * 64u + vr_ctz64(w);
		if (++wi >= nw)
			return bm->nbits;
		w = bm->words[wi] & valid_mask(bm, wi);
	}
}

size_t vr_bitmap_next_clear(const struct vr_bitmap *bm, size_t from)
{
	size_t nw = nwords(bm);
	size_t wi;
	uint64_t c;

	if (from >= bm->nbits)
		return bm->nbits;
	wi = from / 64u;
	c = ~bm->words[wi] & valid_mask(bm, wi) & mask_from((unsigned)(from % 64u));
	for (;;) {
		if (c)
			return wi * 64u + vr_ctz64(c);
		if (++wi >= nw)
			return bm->nbits;
		c = ~bm->words[wi] & valid_mask(bm, wi);
	}
}

size_t vr_bitmap_prev_set(const struct vr_bitmap *bm, size_t from)
{
	size_t wi;
	uint64_t w;

	if (bm->nbits == 0)
		return SIZE_MAX;
	if (from >= bm->nbits)
		from = bm->nbits - 1;
	wi = from / 64u;
	w = bm->words[wi] & valid_mask(bm, wi) & mask_upto((unsigned)(from % 64u));
	for (;;) {
		if (w)
			return wi * 64u + 63u - vr_clz64(w);
		if (wi-- == 0)
			return SIZE_MAX;
		w = bm->words[wi];
	}
}
