/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bitmap.c - fixed-size bit array, searched a word at a time.
 *
 * Conventions: WB = VR_BITMAP_WORD_BITS (32 or 64, see bitmap.h); bit i is
 * word i / WB, bit i % WB. Bits at or above nbits are always clear (init
 * clears the whole storage, set/clear never reach them) and every search
 * masks them out anyway, so a caller that corrupts them cannot make a search
 * return an index >= nbits.
 *
 * Out-of-range arguments are preconditions (VR_ASSERT in debug builds); in
 * release builds they are clamped to a harmless result instead of touching
 * memory outside the words array.
 *
 * Size: the five range operations share one loop (range_op), next_set and
 * next_clear one scan, and the longest clear run walks runs with them.
 */
#include <string.h>

#include "vregion/bitmap.h"
#include "util.h"

typedef vr_bitmap_word_t word;
#define WB ((unsigned)VR_BITMAP_WORD_BITS)
#define ONES ((word)~(word)0)

/* Portable popcount: no libgcc call (__popcount[sd]i2) on cores without one. */
static inline unsigned popcountw(word x)
{
	const word m1 = ONES / 3, m2 = ONES / 5, m4 = ONES / 17, h01 = ONES / 255;

	x -= (x >> 1) & m1;
	x = (x & m2) + ((x >> 2) & m2);
	x = (x + (x >> 4)) & m4;
	return (unsigned)((word)(x * h01) >> (WB - 8u));
}

static inline size_t nwords(const struct vr_bitmap *bm)
{
	return (bm->nbits + WB - 1u) / WB;
}

/* Bits of word wi that lie below nbits. */
static inline word valid_mask(const struct vr_bitmap *bm, size_t wi)
{
	unsigned tail = (unsigned)(bm->nbits % WB);

	return tail && wi == bm->nbits / WB ? ((word)1 << tail) - 1u : ONES;
}

/* True iff [start, start + n) lies inside the bitmap (n may be 0). */
static inline bool range_ok(const struct vr_bitmap *bm, size_t start, size_t n)
{
	return start <= bm->nbits && n <= bm->nbits - start;
}

void vr_bitmap_init(struct vr_bitmap *bm, word *words, size_t nbits)
{
	VR_ASSERT(bm && (words || nbits == 0));
	if (!bm)
		return;
	bm->words = words;
	bm->nbits = words ? nbits : 0;
	if (words && nbits)
		memset(words, 0, VR_BITMAP_BYTES(nbits));
}

bool vr_bitmap_test(const struct vr_bitmap *bm, size_t i)
{
	VR_ASSERT(i < bm->nbits);
	if (VR_UNLIKELY(i >= bm->nbits))
		return false;
	return (bm->words[i / WB] >> (i % WB)) & 1u;
}

enum { OP_SET, OP_CLEAR, OP_COUNT, OP_ANY_CLEAR, OP_ANY_SET };

/*
 * One loop for the range operations on [start, start + n): set, clear, count
 * the set bits, or return 1 at the first clear / set bit. Returns 0 for an
 * empty or (release builds) out-of-range range, without touching anything.
 */
static size_t range_op(const struct vr_bitmap *bm, size_t start, size_t n, int op)
{
	size_t end = start + n, last, total = 0;

	VR_ASSERT(range_ok(bm, start, n));
	if (n == 0 || VR_UNLIKELY(!range_ok(bm, start, n)))
		return 0;
	last = (end - 1) / WB;
	for (size_t wi = start / WB; wi <= last; wi++) {
		word m = ONES, *w = &bm->words[wi];

		if (wi == start / WB)
			m <<= start % WB;
		if (wi == last)
			m &= ONES >> (WB - 1u - (end - 1) % WB);
		switch (op) {
		case OP_SET:
			*w |= m;
			break;
		case OP_CLEAR:
			*w &= ~m;
			break;
		case OP_COUNT:
			total += popcountw(*w & m);
			break;
		case OP_ANY_CLEAR:
			if ((*w & m) != m)
				return 1;
			break;
		default:
			if (*w & m)
				return 1;
			break;
		}
	}
	return total;
}

void vr_bitmap_set(struct vr_bitmap *bm, size_t start, size_t n)
{
	range_op(bm, start, n, OP_SET);
	VR_ASSERT(!range_ok(bm, start, n) || !range_op(bm, start, n, OP_ANY_CLEAR));
}

void vr_bitmap_clear(struct vr_bitmap *bm, size_t start, size_t n)
{
	range_op(bm, start, n, OP_CLEAR);
	VR_ASSERT(!range_ok(bm, start, n) || !range_op(bm, start, n, OP_ANY_SET));
}

bool vr_bitmap_all_set(const struct vr_bitmap *bm, size_t start, size_t n)
{
	return range_ok(bm, start, n) && !range_op(bm, start, n, OP_ANY_CLEAR);
}

bool vr_bitmap_all_clear(const struct vr_bitmap *bm, size_t start, size_t n)
{
	return range_ok(bm, start, n) && !range_op(bm, start, n, OP_ANY_SET);
}

size_t vr_bitmap_count(const struct vr_bitmap *bm, size_t start, size_t n)
{
	return range_op(bm, start, n, OP_COUNT);
}

/*
 * Bit i of the result is set iff bits i .. i + n - 1 of c are all set, for a
 * run lying entirely inside the word (1 <= n <= WB). Shift-and by doubling:
 * invariant "bit i of m = AND of c[i .. i + s - 1]", at most log2(WB) steps.
 */
static inline word run_starts(word c, size_t n)
{
	word m = c;
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
 *   - all clear: the run grows by WB;
 *   - all set: the run is broken (this is the "skip full words" fast path);
 *   - otherwise: the run continues into the word's low clear bits; if that is
 *     not enough, a run lying wholly inside the word is found by shift-and;
 *     the word's high clear bits start the next carry.
 * Candidates are met in increasing start order, so the first hit is the
 * lowest. Cost: O(1 + log2(min(n, WB))) per word, independent of the pattern.
 */
static size_t find_clear_run(const struct vr_bitmap *bm, size_t from, size_t n);

size_t vr_bitmap_find_clear_run(const struct vr_bitmap *bm, size_t from, size_t n)
{
	size_t i = find_clear_run(bm, from, n);

	/* postcondition: a hit is a clear run inside the bitmap, at or after from */
	VR_ASSERT(i == SIZE_MAX || (i >= from && range_ok(bm, i, n) &&
				    !range_op(bm, i, n, OP_ANY_SET)));
	return i;
}

static size_t find_clear_run(const struct vr_bitmap *bm, size_t from, size_t n)
{
	size_t carry = 0, nw;

	if (n == 0 || n > bm->nbits || from > bm->nbits - n)
		return SIZE_MAX;
	nw = nwords(bm);
	for (size_t wi = from / WB; wi < nw; wi++) {
		word c = ~bm->words[wi] & valid_mask(bm, wi);
		size_t base = wi * WB;

		if (wi == from / WB)
			c &= ONES << (from % WB);
		if (c == ONES) {
			carry += WB;
			if (carry >= n)
				return base + WB - carry;
			continue;
		}
		if (c == 0) {
			carry = 0;
			continue;
		}
		if (carry + vr_ctzw(~c) >= n)	/* clear bits at the bottom */
			return base - carry;
		if (n < WB) {
			word m = run_starts(c, n);

			if (m)
				return base + vr_ctzw(m);
		}
		carry = vr_clzw(~c);		/* clear bits at the top */
	}
	return SIZE_MAX;
}

/*
 * First bit in [from, end) whose value differs from `flip` (0: set, ONES:
 * clear), or end. Reads only the words that [from, result] touches, so the
 * cost is O((result - from) / WB + 1) however far end is.
 */
static size_t scan(const struct vr_bitmap *bm, size_t from, size_t end, word flip)
{
	size_t wi, last;
	word w;

	VR_ASSERT(bm->words || bm->nbits == 0);
	if (end > bm->nbits)
		end = bm->nbits;
	if (from >= end)
		return end;
	wi = from / WB;
	last = (end - 1) / WB;
	w = ((bm->words[wi] ^ flip) & valid_mask(bm, wi)) & (ONES << (from % WB));
	for (;;) {
		if (w) {
			size_t i = wi * WB + vr_ctzw(w);

			VR_ASSERT(i >= from);
			return i < end ? i : end;
		}
		if (++wi > last)
			return end;
		w = (bm->words[wi] ^ flip) & valid_mask(bm, wi);
	}
}

size_t vr_bitmap_next_set(const struct vr_bitmap *bm, size_t from)
{
	return scan(bm, from, bm->nbits, 0);
}

size_t vr_bitmap_next_clear(const struct vr_bitmap *bm, size_t from)
{
	return scan(bm, from, bm->nbits, ONES);
}

size_t vr_bitmap_next_set_in(const struct vr_bitmap *bm, size_t from, size_t end)
{
	return scan(bm, from, end, 0);
}

size_t vr_bitmap_next_clear_in(const struct vr_bitmap *bm, size_t from, size_t end)
{
	return scan(bm, from, end, ONES);
}

/* Runs are met through next_clear / next_set: O(nbits / WB + runs). */
size_t vr_bitmap_longest_clear_run(const struct vr_bitmap *bm)
{
	size_t best = 0, i = scan(bm, 0, bm->nbits, ONES), j;

	while (i < bm->nbits) {
		j = scan(bm, i, bm->nbits, 0);
		if (j - i > best)
			best = j - i;
		i = scan(bm, j, bm->nbits, ONES);
	}
	return best;
}

size_t vr_bitmap_prev_set(const struct vr_bitmap *bm, size_t from)
{
	size_t wi;
	word w;

	VR_ASSERT(bm->words || bm->nbits == 0);
	if (bm->nbits == 0)
		return SIZE_MAX;
	if (from >= bm->nbits)
		from = bm->nbits - 1;
	wi = from / WB;
	w = bm->words[wi] & valid_mask(bm, wi) & (ONES >> (WB - 1u - from % WB));
	for (;;) {
		if (w)
			return wi * WB + WB - 1u - vr_clzw(w);
		if (wi-- == 0)
			return SIZE_MAX;
		w = bm->words[wi];
	}
}

bool vr_bitmap_tail_clear(const struct vr_bitmap *bm)
{
	size_t wi = bm->nbits / WB, nw = VR_BITMAP_WORDS(bm->nbits);

	/* the partial last word (bits above nbits), then any padding word
	 * (32-bit words), wholly above nbits */
	for (; wi < nw; wi++) {
		word keep = wi == bm->nbits / WB ? ((word)1 << (bm->nbits % WB)) - 1u : 0;

		if (bm->words[wi] & ~keep)
			return false;
	}
	return true;
}
