/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_heap_corrupt.c - the interim heap under abuse: smashed headers,
 * footers and free-list links, double, interior and foreign frees. Every case
 * must return an error, count it, leave validate working (it reports the
 * damage, and 0 once the damage is undone), write nothing outside the heap's
 * buffer (canaries) and nothing into other live blocks (fill patterns).
 */
#include "vr_test.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "vregion/heap.h"
#include "stress.h"

/* With VR_CONFIG_TRACK = 1 (an ASan build annotated by the heap) headers,
 * links and footers are poisoned: the test smashes them through these,
 * which ASan does not check, and unpoisons buffers it reuses. */
#if VR_CONFIG_TRACK == 1
#include <sanitizer/asan_interface.h>
#define T_UNPOISON(p, n) __asan_unpoison_memory_region((p), (n))
#define T_NO_ASAN __attribute__((no_sanitize_address, noinline))
#else
#define T_UNPOISON(p, n) ((void)(p), (void)(n))
#define T_NO_ASAN
#endif

static T_NO_ASAN uint8_t get8(const uint8_t *p) { return *(const volatile uint8_t *)p; }
static T_NO_ASAN void put8(uint8_t *p, uint8_t v) { *(volatile uint8_t *)p = v; }
static T_NO_ASAN uint32_t get32(const uint32_t *p) { return *(const volatile uint32_t *)p; }
static T_NO_ASAN void put32(uint32_t *p, uint32_t v) { *(volatile uint32_t *)p = v; }

#define CANARY 64
#define BUF_BYTES 8192
struct canary_buf {
	uint8_t pre[CANARY];
	uint8_t mem[BUF_BYTES];
	uint8_t post[CANARY];
};
static _Alignas(64) struct canary_buf g_buf, g_buf2;
static struct vr_heap g_heap, g_heap2;

#define NBLK 8
static uint8_t *g_p[NBLK];	/* 100-byte blocks, adjacent, filled */

static void canary_check(const struct canary_buf *b)
{
	size_t i;

	for (i = 0; i < CANARY; i++) {
		assert_int_equal(b->pre[i], 0xa5);
		assert_int_equal(b->post[i], 0x5a);
	}
}

/* Heap with NBLK adjacent 100-byte blocks (block size 104), then the rest free. */
static void setup_blocks(void)
{
	int i;

	T_UNPOISON(&g_buf, sizeof(g_buf));	/* a heap before may have poisoned it */
	memset(g_buf.pre, 0xa5, CANARY);
	memset(g_buf.post, 0x5a, CANARY);
	assert_int_equal(vr_heap_init(&g_heap, g_buf.mem, BUF_BYTES), 0);
	for (i = 0; i < NBLK; i++) {
		g_p[i] = vr_heap_alloc(&g_heap, 100);
		assert_non_null(g_p[i]);
		if (i > 0)
			assert_ptr_equal(g_p[i], g_p[i - 1] + 104);
		vr_fill(g_p[i], 100, (uint32_t)i);
	}
}

static size_t errors(void)
{
	struct vr_heap_stats st;

	assert_int_equal(vr_heap_get_stats(&g_heap, &st), 0);
	return st.errors;
}

/* Live blocks still hold their patterns: nothing wrote into them. */
static void patterns_check(void)
{
	int i;

	for (i = 0; i < NBLK; i++) {
		if (g_p[i] != NULL)
			assert_int_equal(vr_fill_check(g_p[i], 100, (uint32_t)i), 100);
	}
}

static void free_all_ok(void)
{
	struct vr_heap_stats st;
	int i;

	for (i = 0; i < NBLK; i++) {
		if (g_p[i] != NULL) {
			assert_int_equal(vr_heap_free(&g_heap, g_p[i]), 0);
			g_p[i] = NULL;
		}
	}
	assert_int_equal(vr_heap_validate(&g_heap), 0);
	assert_int_equal(vr_heap_get_stats(&g_heap, &st), 0);
	assert_int_equal(st.used, 0);
	assert_int_equal(st.largest_free + 4 + st.overhead, st.total);
	canary_check(&g_buf);
}

/* Every single-byte change of a live block's header is detected by free and
 * by validate; undoing it restores a valid heap. 4 x 255 cases. */
static void test_smash_used_header_every_byte(void **state)
{
	uint8_t *hdr;
	size_t k, v, e0;

	(void)state;
	setup_blocks();
	hdr = g_p[3] - 4;
	for (k = 0; k < 4; k++) {
		for (v = 1; v < 256; v++) {
			uint8_t orig = get8(&hdr[k]);

			e0 = errors();
			put8(&hdr[k], (uint8_t)(orig ^ v));
			assert_true(vr_heap_free(&g_heap, g_p[3]) < 0);
			assert_int_equal(vr_heap_validate(&g_heap), -EFAULT);
			assert_int_equal(errors(), e0 + 2);
			/* the neighbour's free checks this header too */
			assert_int_equal(vr_heap_free(&g_heap, g_p[2]), -EFAULT);
			put8(&hdr[k], orig);
			assert_int_equal(vr_heap_validate(&g_heap), 0);
		}
	}
	patterns_check();
	free_all_ok();
}

/* A free block's header smashed: the allocation that would take it fails
 * (counted as failure and error), the neighbour's free is refused. */
static void test_smash_free_header(void **state)
{
	uint8_t *hdr;
	size_t k, v;
	struct vr_heap_stats st0, st;

	(void)state;
	setup_blocks();
	assert_int_equal(vr_heap_free(&g_heap, g_p[4]), 0);
	g_p[4] = NULL;
	hdr = g_buf.mem + (g_p[3] - g_buf.mem) + 100;	/* block 4's header */
	for (k = 0; k < 4; k++) {
		for (v = 1; v < 256; v += 7) {
			uint8_t orig = get8(&hdr[k]);

			assert_int_equal(vr_heap_get_stats(&g_heap, &st0), 0);
			put8(&hdr[k], (uint8_t)(orig ^ v));
			assert_null(vr_heap_alloc(&g_heap, 100));
			assert_int_equal(vr_heap_free(&g_heap, g_p[3]), -EFAULT);
			assert_int_equal(vr_heap_free(&g_heap, g_p[5]), -EFAULT);
			assert_int_equal(vr_heap_validate(&g_heap), -EFAULT);
			assert_int_equal(vr_heap_get_stats(&g_heap, &st), 0);
			assert_int_equal(st.failures, st0.failures + 1);
			assert_int_equal(st.errors, st0.errors + 4);
			assert_int_equal(st.used, st0.used);
			put8(&hdr[k], orig);
			assert_int_equal(vr_heap_validate(&g_heap), 0);
		}
	}
	patterns_check();
	free_all_ok();
}

/* Free-list links: out of bounds, in bounds but inconsistent, and a broken
 * back link. Holes 1, 3, 5 are in the same class: list 5 -> 3 -> 1. */
static void test_smash_links(void **state)
{
	static const uint32_t wild[] = { 0xffffff00u, 0x7fffffffu, 100000u, 3u, 1u };
	uint32_t *next5, *prev3, orig;
	size_t i;

	(void)state;
	setup_blocks();
	for (i = 1; i < NBLK - 1; i += 2) {
		assert_int_equal(vr_heap_free(&g_heap, g_p[i]), 0);
		g_p[i] = NULL;
	}
	next5 = (uint32_t *)(void *)(g_buf.mem + (g_p[4] - g_buf.mem) + 104);	/* block 5 payload */
	prev3 = (uint32_t *)(void *)(g_buf.mem + (g_p[2] - g_buf.mem) + 104 + 4);
	for (i = 0; i < sizeof(wild) / sizeof(wild[0]); i++) {
		size_t e0 = errors();

		orig = get32(next5);
		put32(next5, wild[i]);
		/* alloc pops 5 and would write through its next link */
		assert_null(vr_heap_alloc(&g_heap, 100));
		/* free(4) and free(6) merge with 5 and must unlink it */
		assert_int_equal(vr_heap_free(&g_heap, g_p[4]), -EFAULT);
		assert_int_equal(vr_heap_free(&g_heap, g_p[6]), -EFAULT);
		assert_int_equal(vr_heap_validate(&g_heap), -EFAULT);
		assert_int_equal(errors(), e0 + 4);
		put32(next5, orig);
		assert_int_equal(vr_heap_validate(&g_heap), 0);
		patterns_check();
		canary_check(&g_buf);
	}
	/* broken back link of 3 (its prev should be 5) */
	orig = get32(prev3);
	put32(prev3, 0);
	assert_null(vr_heap_alloc(&g_heap, 100));
	assert_int_equal(vr_heap_free(&g_heap, g_p[2]), -EFAULT);	/* unlinks 3 */
	assert_int_equal(vr_heap_validate(&g_heap), -EFAULT);
	put32(prev3, orig);
	assert_int_equal(vr_heap_validate(&g_heap), 0);
	/* intact again: the pops work */
	g_p[5] = vr_heap_alloc(&g_heap, 100);
	assert_ptr_equal(g_p[5], g_p[4] + 104);
	vr_fill(g_p[5], 100, 5);
	patterns_check();
	free_all_ok();
}

/* The footer of a free block (read by the next block's free) smashed. */
static void test_smash_footer(void **state)
{
	uint32_t *foot, orig;
	static const uint32_t vals[] = { 0, 1, 2, 12, 14, 100, 0xffffffffu };
	size_t i;

	(void)state;
	setup_blocks();
	assert_int_equal(vr_heap_free(&g_heap, g_p[2]), 0);
	g_p[2] = NULL;
	foot = (uint32_t *)(void *)(g_p[3] - 8);	/* last word of block 2 */
	for (i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		orig = get32(foot);
		put32(foot, vals[i]);
		assert_int_equal(vr_heap_free(&g_heap, g_p[3]), -EFAULT);
		assert_int_equal(vr_heap_validate(&g_heap), -EFAULT);
		put32(foot, orig);
		assert_int_equal(vr_heap_validate(&g_heap), 0);
	}
	patterns_check();
	free_all_ok();
}

static void test_double_free(void **state)
{
	size_t e0;

	(void)state;
	setup_blocks();
	/* a hole between live blocks */
	assert_int_equal(vr_heap_free(&g_heap, g_p[1]), 0);
	e0 = errors();
	assert_int_equal(vr_heap_free(&g_heap, g_p[1]), -EINVAL);
	/* merged: block 2 is absorbed by block 1, its header is dead */
	assert_int_equal(vr_heap_free(&g_heap, g_p[2]), 0);
	assert_int_equal(vr_heap_free(&g_heap, g_p[2]), -EINVAL);
	assert_int_equal(vr_heap_free(&g_heap, g_p[1]), -EINVAL);
	assert_int_equal(errors(), e0 + 3);
	assert_int_equal(vr_heap_validate(&g_heap), 0);
	g_p[1] = g_p[2] = NULL;
	patterns_check();
	free_all_ok();
	/* after everything merged into one block: still rejected */
	assert_int_equal(vr_heap_free(&g_heap, g_buf.mem + 8), -EINVAL);
	assert_int_equal(vr_heap_validate(&g_heap), 0);
}

static void test_interior_pointer(void **state)
{
	size_t off, e0;

	(void)state;
	setup_blocks();
	e0 = errors();
	for (off = 1; off < 100; off++)
		assert_true(vr_heap_free(&g_heap, g_p[3] + off) < 0);
	assert_true(vr_heap_free(&g_heap, g_p[3] - 1) < 0);
	assert_true(vr_heap_free(&g_heap, g_p[3] - 4) < 0);
	assert_int_equal(errors(), e0 + 101);
	assert_int_equal(vr_heap_validate(&g_heap), 0);
	for (off = 1; off < 100; off++)
		assert_int_equal(vr_heap_usable_size(&g_heap, g_p[3] + off), 0);
	patterns_check();
	free_all_ok();
}

static void test_foreign_pointer(void **state)
{
	uint8_t *q;
	int local = 0;
	size_t e0;

	(void)state;
	setup_blocks();
	T_UNPOISON(&g_buf2, sizeof(g_buf2));
	memset(g_buf2.pre, 0xa5, CANARY);
	memset(g_buf2.post, 0x5a, CANARY);
	assert_int_equal(vr_heap_init(&g_heap2, g_buf2.mem, BUF_BYTES), 0);
	q = vr_heap_alloc(&g_heap2, 100);
	assert_non_null(q);
	e0 = errors();
	assert_int_equal(vr_heap_free(&g_heap, q), -EINVAL);
	assert_int_equal(vr_heap_free(&g_heap, &local), -EINVAL);
	assert_int_equal(vr_heap_free(&g_heap, NULL), -EINVAL);
	assert_int_equal(vr_heap_free(&g_heap, (void *)(uintptr_t)1), -EINVAL);
	assert_int_equal(vr_heap_free(&g_heap, (void *)UINTPTR_MAX), -EINVAL);
	assert_int_equal(vr_heap_free(&g_heap, g_buf.mem + BUF_BYTES), -EINVAL);
	assert_int_equal(vr_heap_free(&g_heap, g_buf.mem + BUF_BYTES + 4), -EINVAL);
	assert_int_equal(vr_heap_free(&g_heap, g_buf.pre + 8), -EINVAL);
	assert_int_equal(errors(), e0 + 8);
	assert_false(vr_heap_contains(&g_heap, q));
	assert_int_equal(vr_heap_usable_size(&g_heap, q), 0);
	assert_int_equal(vr_heap_validate(&g_heap), 0);
	assert_int_equal(vr_heap_validate(&g_heap2), 0);
	assert_int_equal(vr_heap_free(&g_heap2, q), 0);
	canary_check(&g_buf2);
	patterns_check();
	free_all_ok();
}

/* The header of an aligned block (a gap before it is a free block): every
 * one-byte change is detected by free; undone, the block frees normally. */
static void test_smash_aligned_header(void **state)
{
	uint8_t *p, *pad;
	size_t k, v, e0;

	(void)state;
	setup_blocks();
	/* from the free tail (payload at 8 mod 64): a 56-byte gap before it */
	p = vr_heap_aligned_alloc(&g_heap, 64, 40);
	assert_non_null(p);
	assert_int_equal((uintptr_t)p & 63u, 0);
	vr_fill(p, 40, 77);
	pad = p - 4;
	for (k = 0; k < 4; k++) {
		for (v = 1; v < 256; v++) {
			uint8_t orig = get8(&pad[k]);

			e0 = errors();
			put8(&pad[k], (uint8_t)(orig ^ v));
			assert_true(vr_heap_free(&g_heap, p) < 0);
			assert_int_equal(vr_heap_usable_size(&g_heap, p), 0);
			assert_int_equal(errors(), e0 + 1);
			put8(&pad[k], orig);
		}
	}
	assert_int_equal(vr_heap_validate(&g_heap), 0);
	assert_int_equal(vr_fill_check(p, 40, 77), 40);
	assert_int_equal(vr_heap_free(&g_heap, p), 0);
	patterns_check();
	free_all_ok();
}

/* Random single-byte smashes anywhere in a busy heap, then operations: no
 * crash, nothing written outside the buffer, every call returns, validate
 * reports 0 or -EFAULT; undoing the smash restores validity. */
/* vr_heap_create_in keeps the class heads at the end of the control block,
 * just below the first block: an underflow of the first block smashes the
 * head of the largest class. Allocations and frees must report it (the head
 * is a link: bounds-checked before it is read or written through), never
 * follow it out of the buffer; undoing it restores the heap. */
static void test_smash_class_head(void **state)
{
	static const uint8_t fills[] = { 0xff, 0x7f, 0x01, 0x00 };
	static _Alignas(64) uint8_t buf[4096];
	struct vr_heap_stats st0, st;
	struct vr_heap *h;
	uint8_t *p, *q, save[16];
	size_t i;

	(void)state;
	T_UNPOISON(buf, sizeof(buf));
	h = vr_heap_create_in(buf, sizeof(buf));
	assert_non_null(h);
	p = vr_heap_alloc(h, 100);	/* the first block */
	assert_non_null(p);
	q = vr_heap_alloc(h, 100);	/* keeps the rest free, in one class */
	assert_non_null(q);
	assert_int_equal(vr_heap_free(h, p), 0);
	for (i = 0; i < sizeof(fills); i++) {
		memcpy(save, p - 4 - 16, 16);
		memset(p - 4 - 12, fills[i], 12);	/* 12 bytes below its header */
		assert_int_equal(vr_heap_get_stats(h, &st0), 0);
		/* 2000 bytes come only from the large free block's class */
		assert_null(vr_heap_alloc(h, 2000));
		assert_null(vr_heap_aligned_alloc(h, 64, 2000));
		/* freeing q merges with the large block and pushes on a head */
		assert_int_equal(vr_heap_free(h, q), -EFAULT);
		assert_int_equal(vr_heap_get_stats(h, &st), 0);
		assert_int_equal(st.failures, st0.failures + 2);
		assert_int_equal(st.errors, st0.errors + 3);
		assert_int_equal(st.used, st0.used);
		assert_int_equal(vr_heap_validate(h), -EFAULT);
		memcpy(p - 4 - 16, save, 16);
		assert_int_equal(vr_heap_validate(h), 0);
	}
	assert_int_equal(vr_heap_free(h, q), 0);
	assert_int_equal(vr_heap_validate(h), 0);
	assert_non_null(vr_heap_alloc(h, 2000));
}

static void test_random_smash(void **state)
{
	struct vr_rng rng;
	void *p[32];
	int round, i;

	(void)state;
	vr_rng_seed(&rng, 1234);
	for (round = 0; round < 300; round++) {
		size_t pos;
		uint8_t orig;
		int rc;

		T_UNPOISON(&g_buf, sizeof(g_buf));
		memset(g_buf.pre, 0xa5, CANARY);
		memset(g_buf.post, 0x5a, CANARY);
		assert_int_equal(vr_heap_init(&g_heap, g_buf.mem, 4096), 0);
		for (i = 0; i < 32; i++)
			p[i] = vr_heap_alloc(&g_heap, vr_rng_range(&rng, 1, 200));
		for (i = 0; i < 32; i += 2) {
			if (p[i] != NULL)
				assert_int_equal(vr_heap_free(&g_heap, p[i]), 0);
			p[i] = NULL;
		}
		pos = vr_rng_range(&rng, 0, 4095);
		orig = get8(&g_buf.mem[pos]);
		put8(&g_buf.mem[pos], (uint8_t)(orig ^ (1u + vr_rng_next(&rng) % 255u)));
		rc = vr_heap_validate(&g_heap);
		assert_true(rc == 0 || rc == -EFAULT);
		put8(&g_buf.mem[pos], orig);
		assert_int_equal(vr_heap_validate(&g_heap), 0);
		/* now with operations on the damaged heap */
		put8(&g_buf.mem[pos], (uint8_t)(orig ^ 0x40));
		for (i = 0; i < 32; i++) {
			if (p[i] != NULL) {
				rc = vr_heap_free(&g_heap, p[i]);
				assert_true(rc == 0 || rc == -EFAULT || rc == -EINVAL);
			}
			(void)vr_heap_alloc(&g_heap, vr_rng_range(&rng, 1, 300));
		}
		rc = vr_heap_validate(&g_heap);
		assert_true(rc == 0 || rc == -EFAULT);
		canary_check(&g_buf);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_smash_used_header_every_byte),
		cmocka_unit_test(test_smash_free_header),
		cmocka_unit_test(test_smash_links),
		cmocka_unit_test(test_smash_footer),
		cmocka_unit_test(test_smash_aligned_header),
		cmocka_unit_test(test_double_free),
		cmocka_unit_test(test_interior_pointer),
		cmocka_unit_test(test_foreign_pointer),
		cmocka_unit_test(test_smash_class_head),
		cmocka_unit_test(test_random_smash),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
