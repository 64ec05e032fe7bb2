/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_bitmap.c - the bitmap against a bit-by-bit model (a bool per bit).
 *
 * Exhaustive on small sizes: every nbits in 1..130 (0, 1 and 2 words plus
 * partial tails on each side of a word boundary), every (start, len) for the
 * range operations, every (from, n) for the run search, on structured and
 * random patterns. Also: garbage above nbits is ignored by every search, and
 * the portable bit-scan fallbacks agree with the builtins.
 */
#include "vr_test.h"

#include "vregion/bitmap.h"
#include "util.h"	/* white box: the bit scans and their portable fallbacks */

#define MAXBITS 130u
#define MAXWORDS VR_BITMAP_WORDS(MAXBITS)
#define WB VR_BITMAP_WORD_BITS

typedef vr_bitmap_word_t word;

static uint64_t rng_state = UINT64_C(0x9e3779b97f4a7c15);

static uint64_t rnd(void)
{
	/* xorshift64*: deterministic, no libc */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * UINT64_C(2685821657736338717);
}

struct fixture {
	struct vr_bitmap bm;
	word words[MAXWORDS + 1];	/* +1: guard word, must stay untouched */
	bool model[MAXBITS];
	size_t nbits;
};

static struct fixture F;

#define GUARD ((word)UINT64_C(0xdeadbeefcafef00d))

/* Pattern generators, indexed by kind. */
enum { PAT_CLEAR, PAT_SET, PAT_ALT, PAT_ALT2, PAT_SPARSE, PAT_DENSE, PAT_RANDOM, PAT_BLOCKS, NPAT };

static bool pattern_bit(int kind, size_t i, uint64_t r)
{
	switch (kind) {
	case PAT_CLEAR: return false;
	case PAT_SET: return true;
	case PAT_ALT: return i & 1u;
	case PAT_ALT2: return (i % 3u) == 0;
	case PAT_SPARSE: return (r % 11u) == 0;
	case PAT_DENSE: return (r % 11u) != 0;
	case PAT_RANDOM: return r & 1u;
	default: return ((i / 7u) & 1u) ^ ((i / 61u) & 1u);
	}
}

static void load(size_t nbits, int kind)
{
	F.nbits = nbits;
	vr_bitmap_init(&F.bm, F.words, nbits);
	F.words[VR_BITMAP_WORDS(nbits)] = GUARD;
	for (size_t i = 0; i < nbits; i++) {
		F.model[i] = pattern_bit(kind, i, rnd());
		if (F.model[i])
			vr_bitmap_set(&F.bm, i, 1);
	}
}

/* The bitmap equals the model, tail bits clear, guard word intact. */
static void check_same(void)
{
	size_t nw = VR_BITMAP_WORDS(F.nbits);

	for (size_t i = 0; i < F.nbits; i++)
		if (vr_bitmap_test(&F.bm, i) != F.model[i])
			fail_msg("nbits %u bit %u differs", (unsigned)F.nbits, (unsigned)i);
	for (size_t i = F.nbits; i < nw * WB; i++)	/* tail and padding words */
		if ((F.words[i / WB] >> (i % WB)) & 1u)
			fail_msg("nbits %u tail bit %u set", (unsigned)F.nbits, (unsigned)i);
	assert_true(vr_bitmap_tail_clear(&F.bm));
	assert_true(F.words[nw] == GUARD);
}

static void test_init_clears(void **state)
{
	(void)state;
	for (size_t nbits = 1; nbits <= MAXBITS; nbits++) {
		memset(F.words, 0xff, sizeof(F.words));
		vr_bitmap_init(&F.bm, F.words, nbits);
		assert_int_equal(F.bm.nbits, nbits);
		for (size_t w = 0; w < VR_BITMAP_WORDS(nbits); w++)
			assert_true(F.words[w] == 0);
		/* init does not write past its words */
		assert_true(F.words[VR_BITMAP_WORDS(nbits)] == (word)~(word)0);
		assert_int_equal(vr_bitmap_count(&F.bm, 0, nbits), 0);
		assert_int_equal(vr_bitmap_longest_clear_run(&F.bm), nbits);
	}
	/* storage: 8 bytes per 64 bits, whatever the word size */
	assert_int_equal(VR_BITMAP_BYTES(0), 0);
	assert_int_equal(VR_BITMAP_BYTES(1), 8);
	assert_int_equal(VR_BITMAP_BYTES(64), 8);
	assert_int_equal(VR_BITMAP_BYTES(65), 16);
	assert_int_equal(VR_BITMAP_WORDS(65) * sizeof(word), 16);
	assert_int_equal(sizeof(word) * 8, WB);
}

/*
 * Every (start, len) of set and clear, on every size and a few patterns. The
 * expected words are built bit by bit from the pattern (independent of the
 * word masks under test) and compared whole, tail bits and guard word too.
 */
static void test_set_clear_exhaustive(void **state)
{
	static const int kinds[] = { PAT_CLEAR, PAT_SET, PAT_RANDOM, PAT_RANDOM, PAT_ALT };
	static word base[MAXWORDS + 1], want[MAXWORDS + 1];

	(void)state;
	for (size_t nbits = 1; nbits <= MAXBITS; nbits++) {
		size_t bytes = (VR_BITMAP_WORDS(nbits) + 1) * sizeof(word);

		for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
			load(nbits, kinds[k]);
			check_same();
			memcpy(base, F.words, bytes);
			for (size_t start = 0; start <= nbits; start++) {
				for (size_t len = 0; start + len <= nbits; len++) {
					for (int op = 0; op < 2; op++) {
						memcpy(F.words, base, bytes);
						memcpy(want, base, bytes);
						if (op)
							vr_bitmap_set(&F.bm, start, len);
						else
							vr_bitmap_clear(&F.bm, start, len);
						for (size_t i = start; i < start + len; i++) {
							word b = (word)1 << (i % WB);

							want[i / WB] = op ? want[i / WB] | b
									  : want[i / WB] & ~b;
						}
						if (memcmp(F.words, want, bytes))
							fail_msg("nbits %u op %d start %u len %u", (unsigned)nbits,
								 op, (unsigned)start, (unsigned)len);
					}
				}
			}
		}
	}
}

/* all_set, all_clear and count for every (start, len). */
static void test_queries_exhaustive(void **state)
{
	(void)state;
	for (size_t nbits = 1; nbits <= MAXBITS; nbits++) {
		for (int kind = 0; kind < NPAT; kind++) {
			load(nbits, kind);
			for (size_t start = 0; start <= nbits; start++) {
				size_t cnt = 0;
				bool all1 = true, all0 = true;

				/* extend len one bit at a time: the model is incremental */
				for (size_t len = 0; start + len <= nbits; len++) {
					if (len) {
						bool b = F.model[start + len - 1];

						cnt += b;
						all1 = all1 && b;
						all0 = all0 && !b;
					}
					if (vr_bitmap_count(&F.bm, start, len) != cnt ||
					    vr_bitmap_all_set(&F.bm, start, len) != all1 ||
					    vr_bitmap_all_clear(&F.bm, start, len) != all0)
						fail_msg("nbits %u kind %d start %u len %u",
							 (unsigned)nbits, kind, (unsigned)start, (unsigned)len);
				}
			}
			check_same();
		}
	}
}

/*
 * Run lengths: clear[i] = clear bits starting at i (bounded by nbits).
 * Model answer for (from, n): the lowest i >= from with clear[i] >= n,
 * computed for all n at once by walking `from` downwards.
 */
static void check_search_all(void)
{
	static size_t run[MAXBITS + 1];
	static size_t ans[MAXBITS + 2];
	static size_t nset[MAXBITS + 1], nclr[MAXBITS + 1], pset[MAXBITS];
	size_t nbits = F.nbits;
	size_t longest = 0;

	run[nbits] = 0;
	for (size_t i = nbits; i-- > 0;)
		run[i] = F.model[i] ? 0 : run[i + 1] + 1;
	for (size_t i = 0; i < nbits; i++)
		if (run[i] > longest)
			longest = run[i];
	assert_int_equal(vr_bitmap_longest_clear_run(&F.bm), longest);

	for (size_t n = 0; n <= nbits + 1; n++)
		ans[n] = SIZE_MAX;
	/* from == nbits: nothing fits (n >= 1) */
	for (size_t n = 0; n <= nbits + 1; n++)
		if (vr_bitmap_find_clear_run(&F.bm, nbits, n) != SIZE_MAX)
			fail_msg("nbits %u from=nbits n %u", (unsigned)nbits, (unsigned)n);
	/* next set / next clear at or after i, last set at or before i */
	nset[nbits] = nclr[nbits] = nbits;
	for (size_t i = nbits; i-- > 0;) {
		nset[i] = F.model[i] ? i : nset[i + 1];
		nclr[i] = F.model[i] ? nclr[i + 1] : i;
	}
	for (size_t i = 0; i < nbits; i++)
		pset[i] = F.model[i] ? i : (i ? pset[i - 1] : SIZE_MAX);
	for (size_t from = nbits; from-- > 0;) {
		for (size_t n = 1; n <= run[from]; n++)
			ans[n] = from;
		for (size_t n = 0; n <= nbits + 1; n++) {
			size_t want = n == 0 ? SIZE_MAX : ans[n];
			size_t got = vr_bitmap_find_clear_run(&F.bm, from, n);

			if (got != want)
				fail_msg("nbits %u from %u n %u: got %d want %d", (unsigned)nbits,
					 (unsigned)from, (unsigned)n, (int)got, (int)want);
		}
		if (vr_bitmap_next_set(&F.bm, from) != nset[from] ||
		    vr_bitmap_next_clear(&F.bm, from) != nclr[from] ||
		    vr_bitmap_prev_set(&F.bm, from) != pset[from])
			fail_msg("nbits %u from %u: next/prev", (unsigned)nbits, (unsigned)from);
		/* bounded forms: the unbounded answer cut at end (end > nbits = nbits) */
		for (size_t end = 0; end <= nbits + 2; end++) {
			size_t lim = end < nbits ? end : nbits;
			size_t ws = from >= lim ? lim : nset[from] < lim ? nset[from] : lim;
			size_t wc = from >= lim ? lim : nclr[from] < lim ? nclr[from] : lim;

			if (vr_bitmap_next_set_in(&F.bm, from, end) != ws ||
			    vr_bitmap_next_clear_in(&F.bm, from, end) != wc)
				fail_msg("nbits %u from %u end %u: bounded next", (unsigned)nbits,
					 (unsigned)from, (unsigned)end);
		}
	}
	assert_int_equal(vr_bitmap_next_set(&F.bm, nbits), nbits);
	assert_int_equal(vr_bitmap_next_clear(&F.bm, nbits), nbits);
	assert_int_equal(vr_bitmap_next_set(&F.bm, SIZE_MAX), nbits);
	{
		size_t last = SIZE_MAX;

		for (size_t i = 0; i < nbits; i++)
			if (F.model[i])
				last = i;
		assert_int_equal(vr_bitmap_prev_set(&F.bm, nbits), last);
		assert_int_equal(vr_bitmap_prev_set(&F.bm, SIZE_MAX), last);
	}
	assert_int_equal(vr_bitmap_find_clear_run(&F.bm, SIZE_MAX, 1), SIZE_MAX);
	assert_int_equal(vr_bitmap_find_clear_run(&F.bm, 0, SIZE_MAX), SIZE_MAX);
}

static void test_search_exhaustive(void **state)
{
	(void)state;
	for (size_t nbits = 1; nbits <= MAXBITS; nbits++) {
		for (int kind = 0; kind < NPAT; kind++) {
			load(nbits, kind);
			check_search_all();
		}
		for (int r = 0; r < 24; r++) {
			load(nbits, r & 1 ? PAT_RANDOM : (r & 2 ? PAT_SPARSE : PAT_DENSE));
			check_search_all();
		}
	}
}

/* Every single clear hole and every single clear window in a full bitmap. */
static void test_search_holes(void **state)
{
	(void)state;
	for (size_t nbits = 1; nbits <= MAXBITS; nbits++) {
		for (size_t start = 0; start < nbits; start++) {
			for (size_t len = 1; start + len <= nbits; len += (len < 8 ? 1 : 7)) {
				load(nbits, PAT_SET);
				vr_bitmap_clear(&F.bm, start, len);
				for (size_t i = start; i < start + len; i++)
					F.model[i] = false;
				assert_int_equal(vr_bitmap_find_clear_run(&F.bm, 0, len), start);
				assert_int_equal(vr_bitmap_find_clear_run(&F.bm, 0, len + 1), SIZE_MAX);
				assert_int_equal(vr_bitmap_longest_clear_run(&F.bm), len);
				check_same();
			}
		}
	}
}

/* Bits above nbits that someone corrupted are never reported. */
static void set_tail_garbage(size_t nbits)
{
	for (size_t i = nbits; i < VR_BITMAP_WORDS(nbits) * WB; i++)
		F.words[i / WB] |= (word)1 << (i % WB);
}

static void test_tail_garbage_ignored(void **state)
{
	(void)state;
	for (size_t nbits = 1; nbits <= MAXBITS; nbits++) {
		if (nbits % 64u == 0)
			continue;
		load(nbits, PAT_SET);
		F.words[(nbits - 1) / WB] &= ~((word)1 << ((nbits - 1) % WB));	/* last bit clear */
		assert_int_equal(vr_bitmap_find_clear_run(&F.bm, 0, 1), nbits - 1);
		assert_int_equal(vr_bitmap_find_clear_run(&F.bm, 0, 2), SIZE_MAX);
		assert_int_equal(vr_bitmap_longest_clear_run(&F.bm), 1);
		/* all clear with garbage in the tail (and any padding word) */
		load(nbits, PAT_CLEAR);
		set_tail_garbage(nbits);
		assert_false(vr_bitmap_tail_clear(&F.bm));
		assert_int_equal(vr_bitmap_next_set(&F.bm, 0), nbits);
		assert_int_equal(vr_bitmap_prev_set(&F.bm, SIZE_MAX), SIZE_MAX);
		assert_int_equal(vr_bitmap_count(&F.bm, 0, nbits), 0);
		assert_int_equal(vr_bitmap_find_clear_run(&F.bm, 0, nbits), 0);
		assert_int_equal(vr_bitmap_longest_clear_run(&F.bm), nbits);
		/* all set with the tail clear: next_clear must not find the tail */
		load(nbits, PAT_SET);
		assert_true(vr_bitmap_tail_clear(&F.bm));
		assert_int_equal(vr_bitmap_next_clear(&F.bm, 0), nbits);
		assert_int_equal(vr_bitmap_find_clear_run(&F.bm, 0, 1), SIZE_MAX);
	}
	/* tail_clear sees one stray bit anywhere above nbits, padding included */
	for (size_t nbits = 1; nbits <= MAXBITS; nbits++) {
		for (size_t i = nbits; i < VR_BITMAP_WORDS(nbits) * WB; i++) {
			load(nbits, PAT_RANDOM);
			assert_true(vr_bitmap_tail_clear(&F.bm));
			F.words[i / WB] |= (word)1 << (i % WB);
			assert_false(vr_bitmap_tail_clear(&F.bm));
		}
	}
}

/* A large bitmap: random ops against the model, sampled queries. */
static void test_large_random(void **state)
{
	enum { N = 4096 + 37 };
	static word words[VR_BITMAP_WORDS(N)];
	static bool model[N];
	struct vr_bitmap bm;

	(void)state;
	vr_bitmap_init(&bm, words, N);
	memset(model, 0, sizeof(model));
	for (int iter = 0; iter < 3000; iter++) {
		size_t a = rnd() % (N + 1);
		size_t len = (rnd() & 1) ? rnd() % 8 : rnd() % (N + 1 - a);

		if (a + len > N)
			len = N - a;
		if (rnd() % 3 == 0) {
			vr_bitmap_set(&bm, a, len);
			for (size_t i = a; i < a + len; i++)
				model[i] = true;
		} else {
			vr_bitmap_clear(&bm, a, len);
			for (size_t i = a; i < a + len; i++)
				model[i] = false;
		}
		/* one search per op, checked by brute force */
		{
			size_t n = 1 + rnd() % 300, from = rnd() % N, want = SIZE_MAX, run = 0;

			for (size_t i = from; i < N; i++) {
				run = model[i] ? 0 : run + 1;
				if (run == n) {
					want = i + 1 - n;
					break;
				}
			}
			assert_int_equal(vr_bitmap_find_clear_run(&bm, from, n), want);
		}
	}
	{
		size_t cnt = 0;

		for (size_t i = 0; i < N; i++) {
			cnt += model[i];
			assert_int_equal(vr_bitmap_test(&bm, i), model[i]);
		}
		assert_int_equal(vr_bitmap_count(&bm, 0, N), cnt);
	}
}

/* The portable bit scans agree with a loop (and so with the builtins). */
static void test_soft_bitscan(void **state)
{
	(void)state;
	for (int it = 0; it < 20000; it++) {
		uint64_t x = rnd();
		unsigned sh = (unsigned)(rnd() % 64u);
		unsigned tz = 0, lz = 0;

		x = (it & 1) ? x >> sh : x << sh;
		if (it < 64)
			x = UINT64_C(1) << it;
		if (!x)
			continue;
		while (!((x >> tz) & 1u))
			tz++;
		while (!((x << lz) >> 63))
			lz++;
		assert_int_equal(vr_ctz64_soft(x), tz);
		assert_int_equal(vr_clz64_soft(x), lz);
		assert_int_equal(vr_ctz64(x), tz);
		assert_int_equal(vr_clz64(x), lz);
		if (x >> 32 == 0) {
			assert_int_equal(vr_ctz32((uint32_t)x), tz);
			assert_int_equal(vr_clz32((uint32_t)x), lz - 32u);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_clears),
		cmocka_unit_test(test_set_clear_exhaustive),
		cmocka_unit_test(test_queries_exhaustive),
		cmocka_unit_test(test_search_exhaustive),
		cmocka_unit_test(test_search_holes),
		cmocka_unit_test(test_tail_garbage_ignored),
		cmocka_unit_test(test_large_random),
		cmocka_unit_test(test_soft_bitscan),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
