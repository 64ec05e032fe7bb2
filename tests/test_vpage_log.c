/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_vpage_log.c - compile-time log configuration of the page layer.
 *
 * This file is built twice, with vpage, the flat port, the bitmap and
 * vr_port_check compiled into the test (tests/CMakeLists.txt):
 *   test_vpage_nolog    -DVR_CONFIG_LOG_LEVEL=-1: the log hook is never
 *                       called, whatever fails;
 *   test_vpage_errlog   -DVR_CONFIG_LOG_LEVEL=0 -DVR_CONFIG_LOG_STRINGS=0:
 *                       only ERR messages reach the hook, with "" for the
 *                       function and the message, and a/b still passed.
 * The same failures are provoked in both: bad frees, a bad range, an
 * oversized allocation (WRN), a full pool (WRN), a flat port precondition
 * violation, a bad metadata free, and a validate() that fails.
 */
#include "vr_test.h"

#include <errno.h>

#include "vregion/port_flat.h"
#include "vregion/vpage.h"

#define PS 128u
#define W 16u

static _Alignas(PS) uint8_t mem[W * PS];
static _Alignas(16) uint8_t meta[1024];

static unsigned nlog[4], nonempty;
static uintptr_t last_a;

static void hook(void *ctx, enum vr_log_level lvl, const char *fn, const char *msg,
		 uintptr_t a, uintptr_t b)
{
	(void)ctx; (void)b;
	nlog[(unsigned)lvl & 3u]++;
	nonempty += (fn && fn[0]) || (msg && msg[0]);
	last_a = a;
}

static void test_log_config(void **state)
{
	struct vr_flat_config c = {
		.window = mem, .window_bytes = sizeof(mem), .page_size = PS,
		.meta = meta, .meta_bytes = sizeof(meta), .log = hook,
	};
	struct vr_flat_port fp;
	struct vr_vpage_pool pool;
	const struct vr_port *port;
	unsigned errs = 0;
	uint8_t *a;
	uint32_t h;

	(void)state;
	assert_int_equal(vr_flat_port_init(&fp, &c), 0);
	port = vr_flat_port_get(&fp);
	assert_int_equal(vr_vpage_pool_init(&pool, port, NULL), 0);		/* INF */
	a = vr_vpage_alloc(&pool, 2);						/* DBG */
	assert_non_null(a);

	h = pool.run[0];
	pool.run[0] = 0;
	errs++;
	assert_int_equal(vr_vpage_validate(&pool), -EFAULT);
	pool.run[0] = h;
	errs += 5;
	assert_int_equal(vr_vpage_free(&pool, NULL), -EINVAL);
	assert_int_equal(vr_vpage_free(&pool, a + PS), -EINVAL);
	assert_int_equal(vr_vpage_free(&pool, a + 1), -EINVAL);
	assert_int_equal(vr_vpage_map(&pool, a, 1, VR_PERM_RW), -EINVAL);
	assert_null(vr_vpage_alloc(&pool, 0));
	assert_null(vr_vpage_alloc(&pool, W));					/* WRN */
	errs += 2;
	assert_int_equal(port->map(port->ctx, a, 1, VR_PERM_RW), -EINVAL);
	port->meta_free(port->ctx, meta + 16 * 40, 16);	/* last: a is its address */
	assert_int_equal(vr_vpage_free(&pool, a), 0);
	assert_int_equal(vr_vpage_pool_deinit(&pool), 0);
	assert_int_equal(vr_flat_port_deinit(&fp), 0);

#if VR_CONFIG_LOG_LEVEL < 0
	(void)errs;
	for (int i = 0; i < 4; i++)
		assert_int_equal(nlog[i], 0);
#else
	assert_int_equal(VR_CONFIG_LOG_LEVEL, VR_LOG_ERR);
	assert_int_equal(nlog[VR_LOG_ERR], errs);
	assert_int_equal(nlog[VR_LOG_WRN] + nlog[VR_LOG_INF] + nlog[VR_LOG_DBG], 0);
	assert_int_equal(nonempty, VR_CONFIG_LOG_STRINGS ? errs : 0);
	assert_true(last_a != 0);	/* the values still come through */
#endif
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_log_config),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
