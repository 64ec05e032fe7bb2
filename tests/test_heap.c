/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_heap.c - the interim heap: boundaries, alignment, granules, random
 * sequences against a model, exact layouts, the exact max_alloc query,
 * reset and its error codes, walker and statistics. Corruption tests are in
 * test_heap_corrupt.c.
 */
#include "vr_test.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "vregion/heap.h"
#include "stress.h"

/* With VR_CONFIG_TRACK = 1 (an ASan build annotated by the heap) the test
 * touches heap metadata and reuses buffers the heap poisoned: through these,
 * which ASan does not check, and after unpoisoning. */
#if VR_CONFIG_TRACK == 1
#include <sanitizer/asan_interface.h>
#define T_UNPOISON(p, n) __asan_unpoison_memory_region((p), (n))
#define T_NO_ASAN __attribute__((no_sanitize_address, noinline))
#else
#define T_UNPOISON(p, n) ((void)(p), (void)(n))
#define T_NO_ASAN
#endif

static T_NO_ASAN void t_copy(void *dst, const void *src, size_t n)
{
	volatile uint8_t *d = dst;
	const volatile uint8_t *s = src;

	while (n-- > 0)
		*d++ = *s++;
}

static T_NO_ASAN void t_xor(void *p, uint8_t x)
{
	*(volatile uint8_t *)p ^= x;
}

/* A buffer with canaries on both sides: nothing may be written outside. */
#define CANARY 64
#define BUF_BYTES (64 * 1024)
struct canary_buf {
	uint8_t pre[CANARY];
	uint8_t mem[BUF_BYTES];
	uint8_t post[CANARY];
};
static _Alignas(64) struct canary_buf g_buf;	/* mem is 64-aligned */
static struct vr_heap g_heap;

static void canary_set(void)
{
	T_UNPOISON(&g_buf, sizeof(g_buf));	/* a heap before may have poisoned it */
	memset(g_buf.pre, 0xa5, CANARY);
	memset(g_buf.post, 0x5a, CANARY);
}

static void canary_check(void)
{
	size_t i;

	for (i = 0; i < CANARY; i++) {
		assert_int_equal(g_buf.pre[i], 0xa5);
		assert_int_equal(g_buf.post[i], 0x5a);
	}
}

/* ---- init / boundaries ---- */

static void test_init_bad_args(void **state)
{
	(void)state;
	canary_set();
	assert_int_equal(vr_heap_init(NULL, g_buf.mem, 1024), -EINVAL);
	assert_int_equal(vr_heap_init(&g_heap, NULL, 1024), -EINVAL);
	assert_int_equal(vr_heap_init(&g_heap, g_buf.mem, 0), -EINVAL);
	assert_null(vr_heap_create_in(NULL, 4096));
	assert_null(vr_heap_create_in(g_buf.mem, 0));
	assert_null(vr_heap_alloc(NULL, 16));
	assert_null(vr_heap_aligned_alloc(NULL, 64, 16));
	assert_int_equal(vr_heap_free(NULL, g_buf.mem), -EINVAL);
	assert_int_equal(vr_heap_usable_size(NULL, g_buf.mem), 0);
	assert_false(vr_heap_contains(NULL, g_buf.mem));
	assert_int_equal(vr_heap_get_stats(NULL, NULL), -EINVAL);
	assert_int_equal(vr_heap_validate(NULL), -EINVAL);
	assert_int_equal(vr_heap_walk(NULL, NULL, NULL), -EINVAL);
	vr_heap_reset(NULL);
	canary_check();
}

/* min_bytes - 1 fails, min_bytes works, at every alignment of the buffer;
 * the single block holds exactly 12 bytes. */
static void test_min_bytes_boundary(void **state)
{
	size_t min = vr_heap_min_bytes(), off;
	struct vr_heap_stats st;

	(void)state;
	for (off = 0; off < 8; off++) {
		uint8_t *mem = g_buf.mem + off;
		void *p;

		canary_set();
		memset(g_buf.mem, 0xee, 256);
		assert_int_equal(vr_heap_init(&g_heap, mem, min - 1), -EINVAL);
		assert_int_equal(vr_heap_init(&g_heap, mem, min), 0);
		assert_int_equal(vr_heap_validate(&g_heap), 0);
		assert_int_equal(vr_heap_get_stats(&g_heap, &st), 0);
		assert_int_equal(st.total, min);
		assert_true(st.largest_free >= 12);
		assert_int_equal(st.used + st.free + st.overhead, st.total);
		p = vr_heap_alloc(&g_heap, st.largest_free);
		assert_non_null(p);
		assert_true((uint8_t *)p >= mem && (uint8_t *)p + st.largest_free <= mem + min);
		assert_null(vr_heap_alloc(&g_heap, 1));
		assert_int_equal(vr_heap_free(&g_heap, p), 0);
		assert_null(vr_heap_alloc(&g_heap, st.largest_free + 1));
		assert_int_equal(vr_heap_validate(&g_heap), 0);
		/* nothing outside [mem, mem + min) was written */
		assert_int_equal(g_buf.mem[off + min], 0xee);
		if (off > 0)
			assert_int_equal(g_buf.mem[off - 1], 0xee);
		canary_check();
	}
}

static void test_create_in_boundary(void **state)
{
	size_t need = vr_heap_control_bytes() + vr_heap_min_bytes();
	struct vr_heap *h;
	struct vr_heap_stats st;
	void *p;

	(void)state;
	canary_set();
	assert_null(vr_heap_create_in(g_buf.mem + 3, need - 1));
	h = vr_heap_create_in(g_buf.mem + 3, need);
	assert_non_null(h);
	assert_true((uint8_t *)h >= g_buf.mem + 3);
	assert_int_equal(vr_heap_validate(h), 0);
	assert_int_equal(vr_heap_get_stats(h, &st), 0);
	assert_int_equal(st.total, need);
	assert_int_equal(st.used + st.free + st.overhead, st.total);
	assert_true(st.overhead >= offsetof(struct vr_heap, heads));
	p = vr_heap_alloc(h, 12);
	assert_non_null(p);
	assert_true((uint8_t *)p > (uint8_t *)h && (uint8_t *)p + 12 <= g_buf.mem + 3 + need);
	assert_int_equal(vr_heap_free(h, p), 0);
	assert_int_equal(vr_heap_validate(h), 0);
	canary_check();
}

/* The largest block succeeds, one byte more fails; size 0 and huge fail
 * cleanly and change nothing but the failure count. */
static void test_largest_and_size_limits(void **state)
{
	static const size_t bad[] = { 0, SIZE_MAX, SIZE_MAX - 3, SIZE_MAX - 11,
				      SIZE_MAX / 2, (size_t)UINT32_MAX, BUF_BYTES + 1 };
	struct vr_heap_stats st, st2;
	size_t i, largest;
	void *p;

	(void)state;
	canary_set();
	assert_int_equal(vr_heap_init(&g_heap, g_buf.mem, BUF_BYTES), 0);
	assert_int_equal(vr_heap_get_stats(&g_heap, &st), 0);
	largest = st.largest_free;
	assert_int_equal(largest + 4 + st.overhead, BUF_BYTES);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_null(vr_heap_alloc(&g_heap, bad[i]));
		assert_null(vr_heap_aligned_alloc(&g_heap, 64, bad[i]));
	}
	assert_null(vr_heap_alloc(&g_heap, largest + 1));
	assert_null(vr_heap_aligned_alloc(&g_heap, 0, largest + 1));
	assert_int_equal(vr_heap_get_stats(&g_heap, &st2), 0);
	assert_int_equal(st2.failures, 2 * (sizeof(bad) / sizeof(bad[0])) + 2);
	assert_int_equal(st2.used, 0);
	assert_int_equal(st2.errors, 0);
	assert_int_equal(vr_heap_validate(&g_heap), 0);

	p = vr_heap_alloc(&g_heap, largest);
	assert_non_null(p);
	assert_int_equal(vr_heap_usable_size(&g_heap, p), largest);
	assert_int_equal(vr_heap_validate(&g_heap), 0);
	assert_int_equal(vr_heap_get_stats(&g_heap, &st2), 0);
	assert_int_equal(st2.free, 0);
	assert_int_equal(st2.largest_free, 0);
	assert_null(vr_heap_alloc(&g_heap, 1));
	vr_fill(p, largest, 7);
	assert_int_equal(vr_fill_check(p, largest, 7), largest);
	assert_int_equal(vr_heap_free(&g_heap, p), 0);
	assert_int_equal(vr_heap_validate(&g_heap), 0);
	assert_int_equal(vr_heap_get_stats(&g_heap, &st2), 0);
	assert_int_equal(st2.largest_free, largest);
	canary_check();
}

/* Each size maps to the smallest block that holds it: usable = 8k - 4. */
/* vr_heap_fresh_max: the largest request at an alignment that a fresh heap
 * over [mem, +bytes) grants, exactly (one byte more fails), for every small
 * size, start offset and alignment; nothing is written; bad arguments give
 * 0, and 0 means even one byte fails. */
static void test_fresh_max(void **state)
{
	static const size_t aligns[] = { 0, 8, 16, 64, 256, 1024 };
	size_t bytes, off, ai, m;
	void *p;

	(void)state;
	assert_int_equal(vr_heap_fresh_max(NULL, 4096, 0), 0);
	assert_int_equal(vr_heap_fresh_max(g_buf.mem, vr_heap_min_bytes() - 1, 0), 0);
	assert_int_equal(vr_heap_fresh_max(g_buf.mem, 4096, 3), 0);
	assert_int_equal(vr_heap_fresh_max(g_buf.mem, 4096, 96), 0);
	for (bytes = vr_heap_min_bytes(); bytes < 2200; bytes += 37) {
		for (off = 0; off < 8; off += 3) {
			for (ai = 0; ai < sizeof(aligns) / sizeof(aligns[0]); ai++) {
				canary_set();
				memset(g_buf.mem, 0x5a, bytes + off);
				m = vr_heap_fresh_max(g_buf.mem + off, bytes, aligns[ai]);
				/* writes nothing */
				assert_int_equal(g_buf.mem[off], 0x5a);
				assert_int_equal(g_buf.mem[off + bytes - 1], 0x5a);
				assert_int_equal(vr_heap_init(&g_heap, g_buf.mem + off, bytes), 0);
				assert_int_equal(vr_heap_max_alloc(&g_heap, aligns[ai]), m);
				assert_null(vr_heap_aligned_alloc(&g_heap, aligns[ai], m + 1));
				if (m == 0)
					continue;
				p = vr_heap_aligned_alloc(&g_heap, aligns[ai], m);
				assert_non_null(p);
				if (aligns[ai])
					assert_int_equal((uintptr_t)p % aligns[ai], 0);
				assert_int_equal(vr_heap_free(&g_heap, p), 0);
				assert_int_equal(vr_heap_validate(&g_heap), 0);
				canary_check();
			}
		}
	}
}

static void test_usable_sizes(void **state)
{
	size_t s;

	(void)state;
	assert_int_equal(vr_heap_init(&g_heap, g_buf.mem, BUF_BYTES), 0);
	for (s = 1; s < 3000; s += (s < 300 ? 1 : 37)) {
		void *p = vr_heap_alloc(&g_heap, s);
		size_t u, want = ((s + 4 + 7) & ~(size_t)7) - 4;

		if (want < 12)
			want = 12;
		assert_non_null(p);
		assert_int_equal((uintptr_t)p & 7u, 0);
		u = vr_heap_usable_size(&g_heap, p);
		assert_int_equal(u, want);
		assert_true(vr_heap_contains(&g_heap, p));
		assert_true(vr_heap_contains(&g_heap, (uint8_t *)p + u - 1));
		assert_int_equal(vr_heap_usable_size(&g_heap, (uint8_t *)p + 8), 0);
		assert_int_equal(vr_heap_free(&g_heap, p), 0);
		assert_int_equal(vr_heap_usable_size(&g_heap, p), 0);
	}
	assert_false(vr_heap_contains(&g_heap, g_buf.pre));
	assert_false(vr_heap_contains(&g_heap, &g_buf.pre[CANARY - 1]));
	assert_true(vr_heap_contains(&g_heap, g_buf.mem));
	assert_true(vr_heap_contains(&g_heap, g_buf.mem + BUF_BYTES - 1));
	assert_false(vr_heap_contains(&g_heap, g_buf.mem + BUF_BYTES));
	assert_false(vr_heap_contains(&g_heap, g_buf.post + 8));
	assert_int_equal(vr_heap_validate(&g_heap), 0);
}

/* Alignment: powers of two work, anything else fails cleanly. */
static void test_alignment(void **state)
{
	static const size_t good[] = { 0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 4096 };
	static const size_t badal[] = { 3, 5, 6, 7, 12, 24, 48, 96, 100, 3000, 4097,
					SIZE_MAX, SIZE_MAX / 2 + 1 };
	struct vr_heap_stats st;
	void *ptrs[sizeof(good) / sizeof(good[0])][3];
	size_t i, j, fails;

	(void)state;
	canary_set();
	assert_int_equal(vr_heap_init(&g_heap, g_buf.mem + 4, BUF_BYTES - 8), 0);
	for (i = 0; i < sizeof(badal) / sizeof(badal[0]); i++)
		assert_null(vr_heap_aligned_alloc(&g_heap, badal[i], 16));
	assert_int_equal(vr_heap_get_stats(&g_heap, &st), 0);
	fails = sizeof(badal) / sizeof(badal[0]);
	assert_int_equal(st.failures, fails);
	assert_int_equal(st.used, 0);
	for (j = 0; j < 3; j++) {
		for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
			size_t a = good[i] < 8 ? 8 : good[i], sz = 1 + 37 * j + i;
			void *p = vr_heap_aligned_alloc(&g_heap, good[i], sz);

			assert_non_null(p);
			assert_int_equal((uintptr_t)p & (a - 1), 0);
			assert_true(vr_heap_usable_size(&g_heap, p) >= sz);
			vr_fill(p, sz, (uint32_t)(i * 3 + j));
			ptrs[i][j] = p;
			assert_int_equal(vr_heap_validate(&g_heap), 0);
		}
	}
	for (j = 0; j < 3; j++) {
		for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
			size_t sz = 1 + 37 * j + i;

			assert_int_equal(vr_fill_check(ptrs[i][j], sz, (uint32_t)(i * 3 + j)), sz);
			assert_int_equal(vr_heap_free(&g_heap, ptrs[i][j]), 0);
			assert_int_equal(vr_heap_validate(&g_heap), 0);
		}
	}
	/* everything coalesced back into one block */
	assert_int_equal(vr_heap_get_stats(&g_heap, &st), 0);
	assert_int_equal(st.used, 0);
	assert_int_equal(st.largest_free + 4 + st.overhead, st.total);
	/* alignment larger than half the heap fails */
	assert_null(vr_heap_aligned_alloc(&g_heap, 65536, 16));
	canary_check();
}

/* The sizing formula of heap.h for one aligned object holds at every
 * alignment of the buffer: block(s) + a + 8 + 4 + 7 bytes are enough (at
 * G = 8 a gap before the block must be 0 or a whole 16-byte block). */
static void test_alignment_sizing(void **state)
{
	size_t align, off, s, bytes;

	(void)state;
	for (align = 16; align <= 512; align *= 2) {
		for (s = align - 9; s <= align + 9; s += 3) {
			size_t block = ((s + 4 + 7) & ~(size_t)7);

			bytes = block + align + 8 + 4 + 7;
			for (off = 0; off < 64; off += 4) {
				void *p;

				canary_set();
				assert_int_equal(vr_heap_init(&g_heap, g_buf.mem + off, bytes), 0);
				p = vr_heap_aligned_alloc(&g_heap, align, s);
				assert_non_null(p);
				assert_int_equal((uintptr_t)p & (align - 1), 0);
				assert_true((uint8_t *)p + s <= g_buf.mem + off + bytes);
				assert_int_equal(vr_heap_validate(&g_heap), 0);
				assert_int_equal(vr_heap_free(&g_heap, p), 0);
				assert_int_equal(vr_heap_validate(&g_heap), 0);
				canary_check();
			}
		}
	}
}

/* The sizing formula for N objects: allocations made in order into a fresh
 * heap of sum(block(s_i)) + 4 + 7 bytes all succeed, at every alignment of
 * the buffer, and fill it. */
static void test_sizing_formula(void **state)
{
	struct vr_rng rng;
	size_t sizes[64], i, off, round, sum;
	void *p[64];

	(void)state;
	vr_rng_seed(&rng, 5);
	for (round = 0; round < 20; round++) {
		size_t n = 1 + vr_rng_next(&rng) % 64;

		sum = 0;
		for (i = 0; i < n; i++) {
			sizes[i] = vr_rng_range(&rng, 1, round < 10 ? 100 : 900);
			sum += sizes[i] + 4 + 7 < 16 ? 16 : (sizes[i] + 4 + 7) & ~(size_t)7;
		}
		for (off = 0; off < 8; off++) {
			struct vr_heap_stats st;

			canary_set();
			assert_int_equal(vr_heap_init(&g_heap, g_buf.mem + off, sum + 4 + 7), 0);
			for (i = 0; i < n; i++) {
				p[i] = vr_heap_alloc(&g_heap, sizes[i]);
				assert_non_null(p[i]);
			}
			assert_int_equal(vr_heap_get_stats(&g_heap, &st), 0);
			assert_true(st.free < 16);
			assert_int_equal(vr_heap_validate(&g_heap), 0);
			canary_check();
		}
	}
}

/* ---- random sequences against the model ---- */

static void *s_alloc(void *ctx, size_t size, size_t align)
{
	return align ? vr_heap_aligned_alloc(ctx, align, size) : vr_heap_alloc(ctx, size);
}

static int s_free(void *ctx, void *p)
{
	return vr_heap_free(ctx, p);
}

static int s_check(void *ctx)
{
	struct vr_heap_stats st;

	if (vr_heap_validate(ctx) != 0 || vr_heap_get_stats(ctx, &st) != 0)
		return -1;
	return st.used + st.free + st.overhead == st.total ? 0 : -1;
}

static struct vr_stress_block g_slots[256];

static void run_random_in(size_t bytes, size_t lo, size_t hi, bool random_align, unsigned seeds,
			  bool inside)
{
	struct vr_stress_ops ops = { s_alloc, s_free, s_check, &g_heap };
	struct vr_stress_cfg cfg;
	struct vr_stress_result r;
	struct vr_heap_stats st;
	unsigned seed;

	for (seed = 1; seed <= seeds; seed++) {
		canary_set();
		if (inside) {
			ops.ctx = vr_heap_create_in(g_buf.mem + (seed & 7), bytes);
			assert_non_null(ops.ctx);
		} else {
			assert_int_equal(vr_heap_init(&g_heap, g_buf.mem + (seed & 7), bytes), 0);
		}
		memset(&cfg, 0, sizeof(cfg));
		cfg.seed = seed;
		cfg.min_size = lo;
		cfg.max_size = hi;
		cfg.random_align = random_align;
		cfg.free_pct = 30 + seed % 40;
		cfg.ops = 1500;
		cfg.fill = true;
		cfg.check_every = true;
		cfg.free_all_at_end = true;
		assert_int_equal(vr_stress_run(&ops, &cfg, g_slots, 256, &r), 0);
		assert_int_equal(r.pattern_errors + r.free_errors + r.check_errors + r.misaligned, 0);
		assert_true(r.allocs > 300);
		assert_int_equal(vr_heap_get_stats(ops.ctx, &st), 0);
		assert_int_equal(st.allocs, r.allocs);
		assert_int_equal(st.frees, r.frees);
		assert_int_equal(st.failures, r.failures);
		assert_int_equal(st.errors, 0);
		assert_int_equal(st.live, 0);
		assert_int_equal(st.used, 0);
		assert_true(st.peak >= r.max_live_bytes);
		/* fully coalesced */
		assert_int_equal(st.largest_free + 4 + st.overhead, st.total);
		canary_check();
	}
}

static void run_random(size_t bytes, size_t lo, size_t hi, bool random_align, unsigned seeds)
{
	run_random_in(bytes, lo, hi, random_align, seeds, false);
}

/* create_in keeps only the class heads the heap can use inside the buffer:
 * the heap right behind them must never be disturbed by the control block. */
static void test_random_create_in(void **state)
{
	struct vr_heap *h;
	struct vr_heap_stats st;

	(void)state;
	run_random_in(BUF_BYTES, 1, 1024, false, 4, true);
	run_random_in(3000, 1, 100, true, 4, true);
	h = vr_heap_create_in(g_buf.mem, BUF_BYTES);
	assert_non_null(h);
	assert_int_equal(vr_heap_get_stats(h, &st), 0);
	assert_true(st.overhead < sizeof(struct vr_heap));
}

static void test_random_small(void **state)
{
	(void)state;
	run_random(4096, 1, 200, false, 10);
}

static void test_random_mixed(void **state)
{
	(void)state;
	run_random(BUF_BYTES, 1, 2048, false, 6);
}

static void test_random_aligned(void **state)
{
	(void)state;
	run_random(16384, 1, 600, true, 8);
}

/* With aligned blocks in the mix, used is the sum of vr_heap_block_bytes()
 * over the live blocks, and each block is its usable size + 4 (the gap an
 * alignment leaves before a block is a free block of its own). */
static void test_used_is_sum_of_blocks(void **state)
{
	struct vr_stress_ops ops = { s_alloc, s_free, s_check, &g_heap };
	struct vr_stress_cfg cfg;
	struct vr_stress_result r;
	struct vr_heap_stats st;
	unsigned seed;
	size_t i, sum, aligned;

	(void)state;
	for (seed = 1; seed <= 5; seed++) {
		assert_int_equal(vr_heap_init(&g_heap, g_buf.mem, 32768), 0);
		memset(&cfg, 0, sizeof(cfg));
		cfg.seed = seed;
		cfg.min_size = 1;
		cfg.max_size = 500;
		cfg.random_align = true;
		cfg.free_pct = 35;
		cfg.ops = 400;
		cfg.fill = true;
		assert_int_equal(vr_stress_run(&ops, &cfg, g_slots, 256, &r), 0);
		sum = 0;
		aligned = 0;
		for (i = 0; i < 256; i++) {
			size_t bb, us;

			if (g_slots[i].p == NULL)
				continue;
			bb = vr_heap_block_bytes(&g_heap, g_slots[i].p);
			us = vr_heap_usable_size(&g_heap, g_slots[i].p);
			assert_int_equal(bb & 7u, 0);
			assert_int_equal(bb, us + 4);
			/* at most the granule rounding and an absorbed rest; an
			 * aligned block also keeps the slack above it (< align) */
			assert_true(us >= g_slots[i].size &&
				    us < g_slots[i].size + 4 + 16 + (g_slots[i].align > 8 ? g_slots[i].align : 0));
			if (g_slots[i].align > 8)
				aligned++;
			sum += bb;
		}
		assert_true(aligned > 0);
		assert_int_equal(vr_heap_get_stats(&g_heap, &st), 0);
		assert_int_equal(st.used, sum);
		assert_int_equal(vr_stress_free_all(&ops, g_slots, 256, true), 0);
		assert_int_equal(vr_heap_validate(&g_heap), 0);
	}
}

/* Stats track the model exactly: used = sum of block sizes of live blocks. */
static void test_stats_consistency(void **state)
{
	struct vr_rng rng;
	void *p[64] = { 0 };
	size_t blk[64] = { 0 }, sum = 0, live = 0, allocs = 0, frees = 0, peak = 0;
	struct vr_heap_stats st;
	int i;

	(void)state;
	assert_int_equal(vr_heap_init(&g_heap, g_buf.mem, 32768), 0);
	vr_rng_seed(&rng, 99);
	for (i = 0; i < 3000; i++) {
		unsigned k = vr_rng_next(&rng) % 64;

		if (p[k]) {
			assert_int_equal(vr_heap_free(&g_heap, p[k]), 0);
			sum -= blk[k];
			live--;
			frees++;
			p[k] = NULL;
		} else {
			size_t sz = vr_rng_range(&rng, 1, 1000);

			p[k] = vr_heap_alloc(&g_heap, sz);
			if (p[k]) {
				blk[k] = vr_heap_block_bytes(&g_heap, p[k]);
				assert_int_equal(blk[k], vr_heap_usable_size(&g_heap, p[k]) + 4);
				sum += blk[k];
				live++;
				allocs++;
				if (sum > peak)
					peak = sum;
			}
		}
		assert_int_equal(vr_heap_get_stats(&g_heap, &st), 0);
		assert_int_equal(st.used, sum);
		assert_int_equal(st.live, live);
		assert_int_equal(st.allocs, allocs);
		assert_int_equal(st.frees, frees);
		assert_int_equal(st.peak, peak);
		assert_int_equal(st.used + st.free + st.overhead, st.total);
		/* largest_free really is the largest request that succeeds */
		if (st.largest_free > 0 && (i % 50) == 0) {
			void *q = vr_heap_alloc(&g_heap, st.largest_free);

			assert_non_null(q);
			if (sum + vr_heap_usable_size(&g_heap, q) + 4 > peak)
				peak = sum + vr_heap_usable_size(&g_heap, q) + 4;
			assert_null(vr_heap_alloc(&g_heap, st.largest_free + 1));
			assert_int_equal(vr_heap_free(&g_heap, q), 0);
			assert_int_equal(vr_heap_get_stats(&g_heap, &st), 0);
			allocs++;
			frees++;
		}
	}
	assert_int_equal(vr_heap_validate(&g_heap), 0);
}

/* ---- exact layouts ---- */

struct layout {
	size_t n;
	uintptr_t off[32];
	size_t bytes[32];
	bool used[32];
};

static int layout_cb(void *arg, void *ptr, size_t bytes, bool used)
{
	struct layout *l = arg;

	if (l->n >= 32)
		return 1;
	l->off[l->n] = (uintptr_t)ptr - (uintptr_t)g_buf.mem;
	l->bytes[l->n] = bytes;
	l->used[l->n] = used;
	l->n++;
	return 0;
}

static void expect_layout(const size_t *bytes, const bool *used, size_t n)
{
	struct layout l;
	uintptr_t off = 4 + 4;	/* buffer 8-aligned: first header at +4 */
	size_t i;

	memset(&l, 0, sizeof(l));
	assert_int_equal(vr_heap_walk(&g_heap, layout_cb, &l), 0);
	assert_int_equal(l.n, n);
	for (i = 0; i < n; i++) {
		assert_int_equal(l.off[i], off);
		assert_int_equal(l.bytes[i], bytes[i]);
		assert_int_equal(l.used[i], used[i]);
		off += bytes[i] + 4;
	}
	assert_int_equal(vr_heap_validate(&g_heap), 0);
}

static void test_layout_coalesce(void **state)
{
	/* 1024-byte buffer, 8-aligned: first header at 4, end marker at 1020:
	 * one block of 1016 bytes (usable 1012). 100 bytes -> block 104. */
	void *a, *b, *c, *d, *e;

	(void)state;
	assert_int_equal((uintptr_t)g_buf.mem & 63u, 0);
	assert_int_equal(vr_heap_init(&g_heap, g_buf.mem, 1024), 0);
	{
		const size_t bytes[] = { 1012 };
		const bool used[] = { false };

		expect_layout(bytes, used, 1);
	}
	a = vr_heap_alloc(&g_heap, 100);
	b = vr_heap_alloc(&g_heap, 100);
	c = vr_heap_alloc(&g_heap, 100);
	d = vr_heap_alloc(&g_heap, 100);
	assert_ptr_equal(a, g_buf.mem + 8);
	assert_ptr_equal(b, g_buf.mem + 8 + 104);
	assert_ptr_equal(c, g_buf.mem + 8 + 208);
	assert_ptr_equal(d, g_buf.mem + 8 + 312);
	{
		const size_t bytes[] = { 100, 100, 100, 100, 1012 - 416 };
		const bool used[] = { true, true, true, true, false };

		expect_layout(bytes, used, 5);
	}
	/* free b: a hole between two used blocks */
	assert_int_equal(vr_heap_free(&g_heap, b), 0);
	{
		const size_t bytes[] = { 100, 100, 100, 100, 1012 - 416 };
		const bool used[] = { true, false, true, true, false };

		expect_layout(bytes, used, 5);
	}
	/* the same size reuses the hole exactly (good fit) */
	e = vr_heap_alloc(&g_heap, 97);
	assert_ptr_equal(e, b);
	assert_int_equal(vr_heap_free(&g_heap, e), 0);
	/* free c: merges with the free block before it */
	assert_int_equal(vr_heap_free(&g_heap, c), 0);
	{
		const size_t bytes[] = { 100, 204, 100, 1012 - 416 };
		const bool used[] = { true, false, true, false };

		expect_layout(bytes, used, 4);
	}
	/* free a: merges with the free block after it */
	assert_int_equal(vr_heap_free(&g_heap, a), 0);
	{
		const size_t bytes[] = { 308, 100, 1012 - 416 };
		const bool used[] = { false, true, false };

		expect_layout(bytes, used, 3);
	}
	/* a smaller request splits the front block; the rest stays free */
	a = vr_heap_alloc(&g_heap, 20);
	assert_ptr_equal(a, g_buf.mem + 8);
	{
		const size_t bytes[] = { 20, 284, 100, 1012 - 416 };
		const bool used[] = { true, false, true, false };

		expect_layout(bytes, used, 4);
	}
	/* free d: merges on both sides */
	assert_int_equal(vr_heap_free(&g_heap, d), 0);
	{
		const size_t bytes[] = { 20, 1012 - 24 };
		const bool used[] = { true, false };

		expect_layout(bytes, used, 2);
	}
	assert_int_equal(vr_heap_free(&g_heap, a), 0);
	{
		const size_t bytes[] = { 1012 };
		const bool used[] = { false };

		expect_layout(bytes, used, 1);
	}
}

/* A remainder smaller than a block is absorbed: exact fits leave no splinter. */
static void test_layout_no_splinter(void **state)
{
	void *a, *b;

	(void)state;
	assert_int_equal(vr_heap_init(&g_heap, g_buf.mem, 1024), 0);
	a = vr_heap_alloc(&g_heap, 1012 - 24);	/* leaves 24 bytes: a block of 24 */
	assert_non_null(a);
	b = vr_heap_alloc(&g_heap, 12);		/* 16 of the 24: 8 left, absorbed */
	assert_non_null(b);
	assert_int_equal(vr_heap_usable_size(&g_heap, b), 20);
	{
		const size_t bytes[] = { 1012 - 24, 20 };
		const bool used[] = { true, true };

		expect_layout(bytes, used, 2);
	}
	assert_int_equal(vr_heap_free(&g_heap, a), 0);
	assert_int_equal(vr_heap_free(&g_heap, b), 0);
	assert_int_equal(vr_heap_validate(&g_heap), 0);
}

static void expect_blocks(const uintptr_t *off, const size_t *bytes, const bool *used, size_t n)
{
	struct layout l;
	size_t i;

	memset(&l, 0, sizeof(l));
	assert_int_equal(vr_heap_walk(&g_heap, layout_cb, &l), 0);
	assert_int_equal(l.n, n);
	for (i = 0; i < n; i++) {
		assert_int_equal(l.off[i], off[i]);
		assert_int_equal(l.bytes[i], bytes[i]);
		assert_int_equal(l.used[i], used[i]);
	}
	assert_int_equal(vr_heap_validate(&g_heap), 0);
}

/* Aligned (align > granule): the block goes to the highest aligned granule
 * of the free block that fits it, the slack above it (less than the
 * alignment) goes with it, and the part below stays free with its header,
 * in place in its class list when its class does not change. */
static void test_layout_aligned_high(void **state)
{
	void *a, *b, *p, *q;

	(void)state;
	assert_int_equal(vr_heap_init(&g_heap, g_buf.mem, 1024), 0);
	a = vr_heap_alloc(&g_heap, 20);			/* 3 granules at 8 */
	b = vr_heap_alloc(&g_heap, 20);			/* 3 granules at 32: free from 56 */
	assert_ptr_equal(a, g_buf.mem + 8);
	assert_ptr_equal(b, g_buf.mem + 32);
	/* 8 granules at the top: 960 is 64-aligned, no slack */
	p = vr_heap_aligned_alloc(&g_heap, 64, 60);
	assert_ptr_equal(p, g_buf.mem + 960);
	assert_int_equal(vr_heap_usable_size(&g_heap, p), 60);
	assert_int_equal(vr_heap_block_bytes(&g_heap, p), 64);
	{
		const uintptr_t off[] = { 8, 32, 56, 960 };
		const size_t bytes[] = { 20, 20, 900, 60 };
		const bool used[] = { true, true, false, true };

		expect_blocks(off, bytes, used, 4);
	}
	/* 2 granules: the top aligned place is 896, its 6 granules of slack up
	 * to 960 go with it */
	q = vr_heap_aligned_alloc(&g_heap, 64, 1);
	assert_ptr_equal(q, g_buf.mem + 896);
	assert_int_equal(vr_heap_usable_size(&g_heap, q), 60);
	{
		const uintptr_t off[] = { 8, 32, 56, 896, 960 };
		const size_t bytes[] = { 20, 20, 836, 60, 60 };
		const bool used[] = { true, true, false, true, true };

		expect_blocks(off, bytes, used, 5);
	}
	assert_int_equal(vr_heap_free(&g_heap, p), 0);
	assert_int_equal(vr_heap_free(&g_heap, p), -EINVAL);
	{
		const uintptr_t off[] = { 8, 32, 56, 896, 960 };
		const size_t bytes[] = { 20, 20, 836, 60, 60 };
		const bool used[] = { true, true, false, true, false };

		expect_blocks(off, bytes, used, 5);
	}
	/* freeing q merges it with both free neighbours; its header is DEAD */
	assert_int_equal(vr_heap_free(&g_heap, q), 0);
	assert_int_equal(vr_heap_free(&g_heap, q), -EINVAL);
	assert_int_equal(vr_heap_free(&g_heap, p), -EINVAL);
	{
		const uintptr_t off[] = { 8, 32, 56 };
		const size_t bytes[] = { 20, 20, 964 };
		const bool used[] = { true, true, false };

		expect_blocks(off, bytes, used, 3);
	}
	/* the merged block is reusable from its start */
	a = vr_heap_alloc(&g_heap, 60);
	assert_ptr_equal(a, g_buf.mem + 56);
	assert_int_equal(vr_heap_free(&g_heap, a), 0);
	assert_int_equal(vr_heap_free(&g_heap, b), 0);
	assert_int_equal(vr_heap_free(&g_heap, g_buf.mem + 8), 0);
	{
		const size_t bytes[] = { 1012 };
		const bool used[] = { false };

		expect_layout(bytes, used, 1);
	}
}

/* ---- reset and walker ---- */

static void test_reset(void **state)
{
	struct vr_heap_stats st, st0;
	void *p[40];
	int i;

	(void)state;
	canary_set();
	assert_int_equal(vr_heap_init(&g_heap, g_buf.mem, 16384), 0);
	assert_int_equal(vr_heap_get_stats(&g_heap, &st0), 0);
	for (i = 0; i < 40; i++) {
		p[i] = vr_heap_alloc(&g_heap, (size_t)(i * 13 + 1));
		assert_non_null(p[i]);
	}
	for (i = 0; i < 40; i += 3)
		assert_int_equal(vr_heap_free(&g_heap, p[i]), 0);
	vr_heap_reset(&g_heap);
	assert_int_equal(vr_heap_validate(&g_heap), 0);
	assert_int_equal(vr_heap_get_stats(&g_heap, &st), 0);
	assert_int_equal(st.used, 0);
	assert_int_equal(st.live, 0);
	assert_int_equal(st.peak, 0);
	assert_int_equal(st.allocs, 40);
	assert_int_equal(st.frees, 14);
	assert_int_equal(st.largest_free, st0.largest_free);
	/* pointers from before the reset are stale: rejected, nothing changes
	 * (heap.h, vr_heap_free): -EFAULT (header under the old key, live or
	 * freed before the reset), except p[0], whose header word the reset
	 * rewrote as the one free block's: -EINVAL */
	assert_int_equal(vr_heap_free(&g_heap, p[0]), -EINVAL);
	for (i = 1; i < 40; i++) {
		assert_int_equal(vr_heap_free(&g_heap, p[i]), -EFAULT);
		assert_int_equal(vr_heap_validate(&g_heap), 0);
	}
	assert_int_equal(vr_heap_get_stats(&g_heap, &st), 0);
	assert_int_equal(st.errors, 40);
	/* and the heap works as new */
	for (i = 0; i < 40; i++) {
		p[i] = vr_heap_alloc(&g_heap, 100);
		assert_non_null(p[i]);
	}
	assert_int_equal(vr_heap_validate(&g_heap), 0);
	for (i = 0; i < 40; i++)
		assert_int_equal(vr_heap_free(&g_heap, p[i]), 0);
	assert_int_equal(vr_heap_get_stats(&g_heap, &st), 0);
	assert_int_equal(st.largest_free, st0.largest_free);
	canary_check();
}

struct walk_acc {
	size_t blocks, used_blocks, used_bytes, free_bytes, stop_at;
};

static int walk_cb(void *arg, void *ptr, size_t bytes, bool used)
{
	struct walk_acc *w = arg;

	(void)ptr;
	w->blocks++;
	if (used) {
		w->used_blocks++;
		w->used_bytes += bytes + 4;
	} else {
		w->free_bytes += bytes + 4;
	}
	return w->blocks == w->stop_at ? 42 : 0;
}

static void test_walk(void **state)
{
	struct walk_acc w;
	struct vr_heap_stats st;
	void *p[30];
	int i;

	(void)state;
	assert_int_equal(vr_heap_init(&g_heap, g_buf.mem, 16384), 0);
	for (i = 0; i < 30; i++)
		p[i] = vr_heap_alloc(&g_heap, (size_t)(i * 17 + 5));
	for (i = 0; i < 30; i += 4)
		assert_int_equal(vr_heap_free(&g_heap, p[i]), 0);
	memset(&w, 0, sizeof(w));
	assert_int_equal(vr_heap_walk(&g_heap, walk_cb, &w), 0);
	assert_int_equal(vr_heap_get_stats(&g_heap, &st), 0);
	assert_int_equal(w.used_blocks, st.live);
	assert_int_equal(w.used_bytes, st.used);
	assert_int_equal(w.free_bytes, st.free);
	assert_int_equal(w.blocks, 30 + 1);	/* 8 holes + 22 used + tail */
	memset(&w, 0, sizeof(w));
	w.stop_at = 5;
	assert_int_equal(vr_heap_walk(&g_heap, walk_cb, &w), 42);
	assert_int_equal(w.blocks, 5);
	assert_int_equal(vr_heap_walk(&g_heap, NULL, NULL), -EINVAL);
}

/* ---- granules ---- */

static void test_granule_args(void **state)
{
	static const size_t bad[] = { 0, 1, 4, 7, 12, 24, 48, 100, VR_HEAP_GRANULE_MAX * 2,
				      SIZE_MAX };
	size_t i;

	(void)state;
	canary_set();
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(vr_heap_init_granule(&g_heap, g_buf.mem, 4096, bad[i]), -EINVAL);
		assert_int_equal(vr_heap_fresh_max_granule(g_buf.mem, 4096, bad[i], 0), 0);
	}
	assert_int_equal(vr_heap_init_granule(NULL, g_buf.mem, 4096, 64), -EINVAL);
	assert_int_equal(vr_heap_init_granule(&g_heap, NULL, 4096, 64), -EINVAL);
	/* one block: the header and alignment, then max(16 bytes, a granule) */
	assert_int_equal(vr_heap_init_granule(&g_heap, g_buf.mem, 64 + 63, 64), -EINVAL);
	assert_int_equal(vr_heap_init_granule(&g_heap, g_buf.mem, 64 + 64, 64), 0);
	assert_int_equal(vr_heap_max_alloc(&g_heap, 0), 60);
	/* mem + 13: its header and the alignment take 4 + 15 bytes, the worst case */
	assert_int_equal(vr_heap_init_granule(&g_heap, g_buf.mem + 13, 4 + 15 + 15, 16), -EINVAL);
	assert_int_equal(vr_heap_init_granule(&g_heap, g_buf.mem + 13, 4 + 15 + 16, 16), 0);
	assert_int_equal(vr_heap_validate(&g_heap), 0);
	canary_check();
}

/* At every granule: usable sizes are n * G - 4, every block is G-aligned,
 * random sequences against the model hold, and the fresh and current
 * max_alloc figures are exact. */
static void test_granules(void **state)
{
	static const size_t grans[] = { 8, 16, 32, 64, 256, 4096 };
	struct vr_stress_ops ops = { s_alloc, s_free, s_check, &g_heap };
	struct vr_stress_cfg cfg;
	struct vr_stress_result r;
	size_t gi, s;

	(void)state;
	for (gi = 0; gi < sizeof(grans) / sizeof(grans[0]); gi++) {
		size_t G = grans[gi], m;
		void *p;

		canary_set();
		m = vr_heap_fresh_max_granule(g_buf.mem + 3, BUF_BYTES - 3, G, 0);
		assert_int_equal(vr_heap_init_granule(&g_heap, g_buf.mem + 3, BUF_BYTES - 3, G), 0);
		assert_int_equal(vr_heap_max_alloc(&g_heap, 0), m);
		assert_int_equal((m + 4) % G, 0);
		assert_null(vr_heap_alloc(&g_heap, m + 1));
		p = vr_heap_alloc(&g_heap, m);
		assert_non_null(p);
		assert_int_equal(vr_heap_free(&g_heap, p), 0);
		for (s = 1; s < 3 * G + 40; s += (G / 8)) {
			size_t n = (s + 4 + G - 1) / G;

			if (n * G < 16)
				n = 16 / G;
			p = vr_heap_alloc(&g_heap, s);
			assert_non_null(p);
			assert_int_equal((uintptr_t)p % G, 0);
			assert_int_equal(vr_heap_block_bytes(&g_heap, p), n * G);
			assert_int_equal(vr_heap_usable_size(&g_heap, p), n * G - 4);
			assert_int_equal(vr_heap_free(&g_heap, p), 0);
		}
		memset(&cfg, 0, sizeof(cfg));
		cfg.seed = (uint32_t)(7 + gi);
		cfg.min_size = 1;
		cfg.max_size = G <= 64 ? 600 : 3 * G;
		cfg.random_align = true;
		cfg.free_pct = 40;
		cfg.ops = 800;
		cfg.fill = true;
		cfg.check_every = true;
		cfg.free_all_at_end = true;
		assert_int_equal(vr_stress_run(&ops, &cfg, g_slots, 256, &r), 0);
		assert_true(r.allocs > 100);
		assert_int_equal(vr_heap_max_alloc(&g_heap, 0), m);
		canary_check();
	}
}

/* create_in at a granule: boundaries, the control block inside, natural
 * alignment; vr_heap_fini ends a heap (allocations fail, frees refuse). */
static void test_create_in_granule_and_fini(void **state)
{
	struct vr_heap *h;
	struct vr_heap_stats st;
	uint8_t *p;

	(void)state;
	canary_set();
	assert_null(vr_heap_create_in_granule(NULL, 4096, 64));
	assert_null(vr_heap_create_in_granule(g_buf.mem, 4096, 48));
	assert_null(vr_heap_create_in_granule(g_buf.mem, 4096, 4));
	assert_null(vr_heap_create_in_granule(g_buf.mem, 128, 64));	/* no room for a block */
	h = vr_heap_create_in_granule(g_buf.mem + 3, 8192, 64);
	assert_non_null(h);
	assert_true((uint8_t *)h >= g_buf.mem + 3 && (uint8_t *)h < g_buf.mem + 3 + 16);
	assert_int_equal(vr_heap_get_stats(h, &st), 0);
	assert_int_equal(st.total, 8192);
	assert_int_equal(st.used + st.free + st.overhead, st.total);
	assert_true(st.overhead < sizeof(struct vr_heap) + 64 + 64);
	p = vr_heap_alloc(h, 100);
	assert_non_null(p);
	assert_int_equal((uintptr_t)p % 64, 0);
	assert_true(p > (uint8_t *)h && p + 100 <= g_buf.mem + 3 + 8192);
	assert_int_equal(vr_heap_usable_size(h, p), 124);
	assert_int_equal(vr_heap_validate(h), 0);
	/* the same as create_in at the default granule */
	assert_ptr_equal(vr_heap_create_in_granule(g_buf.mem, 4096, 8), vr_heap_create_in(g_buf.mem, 4096));
	assert_int_equal(vr_heap_init(&g_heap, g_buf.mem, 4096), 0);
	p = vr_heap_alloc(&g_heap, 40);
	assert_non_null(p);
	vr_heap_fini(&g_heap);
	assert_null(vr_heap_alloc(&g_heap, 8));
	assert_null(vr_heap_aligned_alloc(&g_heap, 64, 8));
	assert_int_equal(vr_heap_free(&g_heap, p), -EINVAL);
	assert_int_equal(vr_heap_usable_size(&g_heap, p), 0);
	assert_int_equal(vr_heap_max_alloc(&g_heap, 0), 0);
	assert_int_equal(vr_heap_validate(&g_heap), -EINVAL);
	assert_int_equal(vr_heap_walk(&g_heap, layout_cb, NULL), -EINVAL);
	vr_heap_fini(&g_heap);	/* twice: harmless */
	vr_heap_fini(NULL);
	/* and it can be initialised again */
	assert_int_equal(vr_heap_init(&g_heap, g_buf.mem, 4096), 0);
	assert_int_equal(vr_heap_validate(&g_heap), 0);
	canary_check();
}

/* ---- the exact max_alloc query, against trial allocations ---- */

static _Alignas(64) uint8_t g_snap[BUF_BYTES];
static struct vr_heap g_snap_heap;

/* Does aligned_alloc(align, size) succeed on the heap as it is now? The
 * trial is undone by restoring the buffer and the control block. */
static bool trial(struct vr_heap *h, uint8_t *mem, size_t bytes, size_t align, size_t size)
{
	void *p;

	t_copy(g_snap, mem, bytes);
	g_snap_heap = *h;
	p = vr_heap_aligned_alloc(h, align, size);
	t_copy(mem, g_snap, bytes);
	*h = g_snap_heap;
	return p != NULL;
}

static void test_max_alloc_exact(void **state)
{
	static const size_t grans[] = { 8, 64 };
	static const size_t aligns[] = { 0, 8, 16, 64, 128, 1024 };
	struct vr_rng rng;
	void *p[48] = { 0 };
	size_t gi, ai, i, step, bytes = 16384;

	(void)state;
	vr_rng_seed(&rng, 31);
	for (gi = 0; gi < 2; gi++) {
		assert_int_equal(vr_heap_init_granule(&g_heap, g_buf.mem + 5, bytes, grans[gi]), 0);
		memset(p, 0, sizeof(p));
		for (step = 0; step < 400; step++) {
			i = vr_rng_next(&rng) % 48;
			if (p[i] != NULL) {
				assert_int_equal(vr_heap_free(&g_heap, p[i]), 0);
				p[i] = NULL;
			} else {
				p[i] = vr_heap_aligned_alloc(&g_heap, aligns[vr_rng_next(&rng) % 6],
							     vr_rng_range(&rng, 1, 900));
			}
			if (step % 7 != 0)
				continue;
			for (ai = 0; ai < sizeof(aligns) / sizeof(aligns[0]); ai++) {
				size_t m = vr_heap_max_alloc(&g_heap, aligns[ai]), k;

				if (m != 0)
					assert_true(trial(&g_heap, g_buf.mem + 5, bytes, aligns[ai], m));
				else
					assert_false(trial(&g_heap, g_buf.mem + 5, bytes, aligns[ai], 1));
				assert_false(trial(&g_heap, g_buf.mem + 5, bytes, aligns[ai], m + 1));
				/* and every size below succeeds, every one above fails */
				for (k = 0; k < 4 && m > 1; k++)
					assert_true(trial(&g_heap, g_buf.mem + 5, bytes, aligns[ai],
							  vr_rng_range(&rng, 1, m)));
				assert_false(trial(&g_heap, g_buf.mem + 5, bytes, aligns[ai],
						   m + 1 + vr_rng_range(&rng, 0, 4000)));
			}
			assert_int_equal(vr_heap_validate(&g_heap), 0);
		}
	}
	assert_int_equal(vr_heap_max_alloc(NULL, 0), 0);
	assert_int_equal(vr_heap_max_alloc(&g_heap, 3), 0);
	assert_int_equal(vr_heap_max_alloc(&g_heap, 1u << 20), 0);
}

/* ---- error codes of vr_heap_free, case by case (heap.h) ---- */

static void test_free_codes(void **state)
{
	struct vr_heap_stats st;
	uint8_t *a, *b, *c, *d, hdr[4];
	size_t e0;

	(void)state;
	canary_set();
	assert_int_equal(vr_heap_init(&g_heap, g_buf.mem, 4096), 0);
	a = vr_heap_alloc(&g_heap, 100);
	b = vr_heap_alloc(&g_heap, 100);
	c = vr_heap_alloc(&g_heap, 100);
	d = vr_heap_alloc(&g_heap, 100);
	assert_true(a && b && c && d);
	assert_int_equal(vr_heap_get_stats(&g_heap, &st), 0);
	e0 = st.errors;
	/* -EINVAL, not counted: no heap */
	assert_int_equal(vr_heap_free(NULL, a), -EINVAL);
	/* -EINVAL: not a pointer into the granules, or not granule-aligned */
	assert_int_equal(vr_heap_free(&g_heap, NULL), -EINVAL);
	assert_int_equal(vr_heap_free(&g_heap, g_buf.pre), -EINVAL);
	assert_int_equal(vr_heap_free(&g_heap, g_buf.mem + 4096), -EINVAL);
	assert_int_equal(vr_heap_free(&g_heap, a + 1), -EINVAL);
	assert_int_equal(vr_heap_free(&g_heap, a + 4), -EINVAL);
	/* -EFAULT: the word before is a damaged header (any one-byte change is) */
	t_copy(hdr, a - 4, 4);
	t_xor(a - 2, 0x10);
	assert_int_equal(vr_heap_free(&g_heap, a), -EFAULT);
	t_copy(a - 4, hdr, 4);
	/* -EFAULT: an interior pointer whose 4 bytes before are a damaged
	 * header (a copy of a real one, one byte changed) */
	t_copy(b + 44, c - 4, 4);
	b[45] ^= 1;
	assert_int_equal(vr_heap_free(&g_heap, b + 48), -EFAULT);
	/* -EINVAL: a double free, the block still on its own */
	assert_int_equal(vr_heap_free(&g_heap, b), 0);
	assert_int_equal(vr_heap_free(&g_heap, b), -EINVAL);
	/* -EINVAL: a double free of a block merged with the one before (DEAD) */
	assert_int_equal(vr_heap_free(&g_heap, c), 0);
	assert_int_equal(vr_heap_free(&g_heap, c), -EINVAL);
	assert_int_equal(vr_heap_free(&g_heap, b), -EINVAL);
	assert_int_equal(vr_heap_get_stats(&g_heap, &st), 0);
	assert_int_equal(st.errors, e0 + 10);
	assert_int_equal(vr_heap_validate(&g_heap), 0);
	assert_int_equal(vr_heap_free(&g_heap, a), 0);
	assert_int_equal(vr_heap_free(&g_heap, d), 0);
	/* everything merged: every old pointer is a double free */
	assert_int_equal(vr_heap_free(&g_heap, a), -EINVAL);
	assert_int_equal(vr_heap_free(&g_heap, d), -EINVAL);
	assert_int_equal(vr_heap_validate(&g_heap), 0);
	canary_check();
}

/* A pointer from before a reset: -EFAULT while its header was not rewritten
 * (certain for 511 resets in a row), -EINVAL for the first block (the reset
 * writes the free block's header there); nothing changes either way. */
static void test_reset_stale_codes(void **state)
{
	uint8_t *first, *p, *q;
	int k;

	(void)state;
	assert_int_equal(vr_heap_init(&g_heap, g_buf.mem, 8192), 0);
	first = vr_heap_alloc(&g_heap, 40);
	p = vr_heap_alloc(&g_heap, 40);
	q = vr_heap_alloc(&g_heap, 40);
	assert_int_equal(vr_heap_free(&g_heap, q), 0);	/* freed before the reset */
	for (k = 1; k < 512; k++) {
		vr_heap_reset(&g_heap);
		assert_int_equal(vr_heap_free(&g_heap, first), -EINVAL);
		assert_int_equal(vr_heap_free(&g_heap, p), -EFAULT);
		assert_int_equal(vr_heap_free(&g_heap, q), -EFAULT);
		assert_int_equal(vr_heap_usable_size(&g_heap, p), 0);
		assert_int_equal(vr_heap_validate(&g_heap), 0);
	}
	/* after a reset, new blocks at the same addresses are the new owner's */
	vr_heap_reset(&g_heap);
	assert_ptr_equal(vr_heap_alloc(&g_heap, 40), first);
	assert_int_equal(vr_heap_free(&g_heap, first), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_bad_args),
		cmocka_unit_test(test_min_bytes_boundary),
		cmocka_unit_test(test_create_in_boundary),
		cmocka_unit_test(test_largest_and_size_limits),
		cmocka_unit_test(test_fresh_max),
		cmocka_unit_test(test_usable_sizes),
		cmocka_unit_test(test_alignment),
		cmocka_unit_test(test_alignment_sizing),
		cmocka_unit_test(test_sizing_formula),
		cmocka_unit_test(test_random_small),
		cmocka_unit_test(test_random_create_in),
		cmocka_unit_test(test_random_mixed),
		cmocka_unit_test(test_random_aligned),
		cmocka_unit_test(test_stats_consistency),
		cmocka_unit_test(test_used_is_sum_of_blocks),
		cmocka_unit_test(test_layout_coalesce),
		cmocka_unit_test(test_layout_no_splinter),
		cmocka_unit_test(test_layout_aligned_high),
		cmocka_unit_test(test_reset),
		cmocka_unit_test(test_walk),
		cmocka_unit_test(test_granule_args),
		cmocka_unit_test(test_granules),
		cmocka_unit_test(test_create_in_granule_and_fini),
		cmocka_unit_test(test_max_alloc_exact),
		cmocka_unit_test(test_free_codes),
		cmocka_unit_test(test_reset_stale_codes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
