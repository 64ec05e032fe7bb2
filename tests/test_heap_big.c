/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_heap_big.c - the interim heap at its size limit (issue 10.2): over a
 * buffer larger than the limit, at every one of the 8 start misalignments,
 * no block is handed out and no byte is written at or past the end of the
 * managed granules, which is below mem + VR_HEAP_SPAN_MAX(G), even when the
 * heap is filled up with blocks of every size. Needs a buffer of
 * VR_HEAP_MAX_GRANULES granules (16 MiB at G = 8), so host only.
 */
#include "vr_test.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vregion/heap.h"
#include "stress.h"

#if VR_CONFIG_TRACK == 1
#include <sanitizer/asan_interface.h>
#define T_UNPOISON(p, n) __asan_unpoison_memory_region((p), (n))
#else
#define T_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

#define EXTRA (64u * 1024u)
#define POISON 0xc3

/* Fill h with blocks of the given sizes, largest first, until each fails;
 * every block lies in [lo, hi). Returns the highest end handed out. */
static uintptr_t fill_up(struct vr_heap *h, uintptr_t lo, uintptr_t hi)
{
	static const size_t sizes[] = { 1u << 20, 65536, 4096, 256, 20, 1 };
	uintptr_t top = 0;
	size_t i;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		uint8_t *p;

		while ((p = vr_heap_alloc(h, sizes[i])) != NULL) {
			uintptr_t end = (uintptr_t)p + vr_heap_usable_size(h, p);

			assert_true((uintptr_t)p >= lo && end <= hi);
			/* the user may write all usable bytes; with VR_CONFIG_TRACK
			 * only the bytes asked for are addressable */
			memset(p, 0x11, VR_CONFIG_TRACK == 1 ? sizes[i] : vr_heap_usable_size(h, p));
			if (end > top)
				top = end;
		}
	}
	return top;
}

static void limit_at(size_t granule)
{
	size_t span = VR_HEAP_SPAN_MAX(granule), bytes = span + EXTRA, off, i;
	uint8_t *buf = malloc(bytes + 64);

	assert_non_null(buf);
	for (off = 0; off < 8; off++) {
		uint8_t *mem = (uint8_t *)(((uintptr_t)buf + 63u) & ~(uintptr_t)63u) + off;
		struct vr_heap h;
		struct vr_heap_stats st;
		uintptr_t first, end, top;

		T_UNPOISON(mem, bytes - off);
		memset(mem + span - 4096, POISON, bytes - span + 4096);
		assert_int_equal(vr_heap_init_granule(&h, mem, bytes - off, granule), 0);
		assert_int_equal(vr_heap_get_stats(&h, &st), 0);
		assert_int_equal(st.total, bytes - off);
		assert_int_equal(st.used + st.free + st.overhead, st.total);
		/* the managed granules: the first one has room for its header */
		first = ((uintptr_t)mem + 4u + granule - 1u) & ~(uintptr_t)(granule - 1u);
		end = first + (size_t)VR_HEAP_MAX_GRANULES * granule;
		assert_true(end <= (uintptr_t)mem + span);
		assert_int_equal(vr_heap_max_alloc(&h, 0), end - first - 4u);
		top = fill_up(&h, first, end - 4u);
		assert_int_equal(top, end - 4u);	/* the end marker is the last word */
		assert_int_equal(vr_heap_validate(&h), 0);
		/* nothing at or past the managed end was written */
		for (i = end - (uintptr_t)mem; i < bytes - off; i++)
			assert_int_equal(mem[i], POISON);
		vr_heap_reset(&h);
		for (i = end - (uintptr_t)mem; i < bytes - off; i++)
			assert_int_equal(mem[i], POISON);
		vr_heap_fini(&h);
		assert_int_equal(vr_heap_validate(&h), -EINVAL);
		assert_null(vr_heap_alloc(&h, 1));
		assert_int_equal(vr_heap_free(&h, mem + 64), -EINVAL);
	}
	free(buf);
}

static void test_limit_g8(void **state)
{
	(void)state;
	limit_at(8);
}

static void test_limit_g16(void **state)
{
	(void)state;
	limit_at(16);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_limit_g8),
		cmocka_unit_test(test_limit_g16),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
