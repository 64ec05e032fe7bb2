/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_heap_big.c - the interim heap at its size limit: a buffer larger than
 * VR_HEAP_MAX_BYTES is managed up to that size and the rest is never
 * touched. Needs a 9 MiB buffer, so it is registered for the host only.
 */
#include "vr_test.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vregion/heap.h"
#include "stress.h"

#define EXTRA (64u * 1024u)

static void test_clamp_to_max(void **state)
{
	size_t bytes = VR_HEAP_MAX_BYTES + EXTRA, i;
	uint8_t *buf = malloc(bytes);
	struct vr_heap h;
	struct vr_heap_stats st;
	void *p, *q;

	(void)state;
	assert_non_null(buf);
	memset(buf + VR_HEAP_MAX_BYTES - 64, 0xc3, EXTRA + 64);
	assert_int_equal(vr_heap_init(&h, buf, bytes), 0);
	assert_int_equal(vr_heap_get_stats(&h, &st), 0);
	assert_int_equal(st.total, bytes);
	assert_int_equal(st.used + st.free + st.overhead, st.total);
	assert_true(st.largest_free <= VR_HEAP_MAX_BYTES - 4);
	assert_true(st.largest_free >= VR_HEAP_MAX_BYTES - 64);
	/* the largest block works, one more byte does not */
	assert_null(vr_heap_alloc(&h, st.largest_free + 1));
	p = vr_heap_alloc(&h, st.largest_free);
	assert_non_null(p);
	assert_int_equal(vr_heap_validate(&h), 0);
	assert_int_equal(vr_heap_free(&h, p), 0);
	/* big aligned blocks and a split near the top */
	p = vr_heap_aligned_alloc(&h, 1u << 20, 4u << 20);
	assert_non_null(p);
	assert_int_equal((uintptr_t)p & ((1u << 20) - 1u), 0);
	q = vr_heap_alloc(&h, 1000);
	assert_non_null(q);
	assert_int_equal(vr_heap_validate(&h), 0);
	assert_int_equal(vr_heap_free(&h, p), 0);
	assert_int_equal(vr_heap_free(&h, q), 0);
	assert_int_equal(vr_heap_validate(&h), 0);
	/* nothing beyond the managed part was written */
	for (i = VR_HEAP_MAX_BYTES + 16; i < bytes; i++)
		assert_int_equal(buf[i], 0xc3);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clamp_to_max),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
