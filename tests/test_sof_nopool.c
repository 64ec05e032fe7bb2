/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_sof_nopool.c - the SOF layer built with VR_SOF_DEFAULT_POOL=0
 * (vregion/sof_compat.h): compat/sof.c and the flat glue are compiled into
 * this test with the macro, so no default port, buffers or heap exist.
 * Before vr_sof_init every SOF call fails cleanly; vr_sof_init needs a port;
 * with one, regions work; without heap hooks the platform heap gives NULL
 * (logged), with hooks it works.
 */
#include "vr_test.h"

#include <errno.h>
#include <string.h>

#include <rtos/alloc.h>
#include <sof/lib/vpage.h>
#include <sof/lib/vregion.h>
#include "vregion/port_flat.h"
#include "vregion/sof_compat.h"

#if VR_SOF_DEFAULT_POOL
#error "this suite must be built with VR_SOF_DEFAULT_POOL=0"
#endif

#define PG 4096u

static _Alignas(PG) uint8_t my_win[16 * PG];
static _Alignas(16) uint8_t my_meta[32 * 1024];
static struct vr_flat_port my_fp;
static unsigned n_err;

static void my_log(void *ctx, enum vr_log_level lvl, const char *fn, const char *msg,
		   uintptr_t a, uintptr_t b)
{
	(void)ctx; (void)fn; (void)msg; (void)a; (void)b;
	if (lvl == VR_LOG_ERR)
		n_err++;
}

static uint8_t hook_buf[256];
static unsigned hook_live;

static void *my_heap_alloc(void *ctx, struct k_heap *heap, uint32_t flags, size_t bytes,
			   size_t align)
{
	(void)ctx; (void)heap; (void)flags; (void)align;
	if (hook_live || bytes > sizeof(hook_buf))
		return NULL;
	hook_live = 1;
	return hook_buf;
}

static void my_heap_free(void *ctx, struct k_heap *heap, void *ptr)
{
	(void)ctx; (void)heap;
	if (ptr == hook_buf)
		hook_live = 0;
}

static void port_up(void)
{
	struct vr_flat_config fc;

	memset(&fc, 0, sizeof(fc));
	fc.window = my_win;
	fc.window_bytes = sizeof(my_win);
	fc.page_size = PG;
	fc.cache_line = 64;
	fc.meta = my_meta;
	fc.meta_bytes = sizeof(my_meta);
	fc.log = my_log;
	assert_int_equal(vr_flat_port_init(&my_fp, &fc), 0);
}

static int teardown(void **state)
{
	(void)state;
	return vr_sof_deinit();
}

/* Before vr_sof_init: nothing to fall back on, every call refuses. */
static void test_no_default(void **state)
{
	struct mod_alloc_ctx ctx = { NULL, NULL };
	struct vr_sof_config cfg;
	size_t size = 1;
	uintptr_t start = 1;

	(void)state;
	assert_null(vr_sof_pool());
	assert_null(vregion_create(PG));
	assert_null(vpage_alloc(1));
	vpage_free(my_win);			/* no-op */
	assert_null(vr_sof_heap_alloc(NULL, 0, 16, 0));
	assert_null(sof_ctx_alloc(&ctx, 0, 16, 0));
	sof_ctx_free(&ctx, hook_buf);		/* no-op */
	vregion_mem_info(NULL, &size, &start);
	assert_int_equal(size, 0);
	assert_int_equal(start, 0);
	/* vr_sof_init needs a port in this build */
	assert_int_equal(vr_sof_init(NULL), -EINVAL);
	memset(&cfg, 0, sizeof(cfg));
	assert_int_equal(vr_sof_init(&cfg), -EINVAL);
	assert_null(vr_sof_pool());		/* still nothing set up */
	assert_int_equal(vr_sof_deinit(), 0);
}

/* With a port: regions and vpages work; the platform heap needs hooks. */
static void test_with_port(void **state)
{
	struct mod_alloc_ctx ctx = { NULL, NULL };
	struct vr_sof_config cfg;
	struct vregion *vr;
	void *p, *pg;
	unsigned e0;

	(void)state;
	port_up();
	memset(&cfg, 0, sizeof(cfg));
	cfg.port = vr_flat_port_get(&my_fp);
	assert_int_equal(vr_sof_init(&cfg), 0);
	assert_non_null(vr_sof_pool());
	vr = vregion_create(2 * PG);
	assert_non_null(vr);
	p = vregion_alloc(vr, 100);
	assert_non_null(p);
	assert_true((uintptr_t)p >= (uintptr_t)my_win &&
		    (uintptr_t)p < (uintptr_t)my_win + sizeof(my_win));
	pg = vpage_alloc(2);
	assert_non_null(pg);
	vpage_free(pg);
	/* no hooks, no default heap: NULL, logged through the port */
	e0 = n_err;
	assert_null(sof_ctx_alloc(&ctx, 0, 16, 0));
	assert_int_equal(n_err, e0 + 1);
	/* a region context still allocates from its region */
	ctx.vreg = vr;
	p = sof_ctx_alloc(&ctx, 0, 16, 0);
	assert_non_null(p);
	sof_ctx_free(&ctx, p);
	assert_null(vregion_put(vr));
	assert_int_equal(vr_sof_deinit(), 0);

	/* with hooks the platform heap works */
	cfg.heap_alloc = my_heap_alloc;
	cfg.heap_free = my_heap_free;
	assert_int_equal(vr_sof_init(&cfg), 0);
	ctx.vreg = NULL;
	p = sof_ctx_alloc(&ctx, 0, 16, 0);
	assert_ptr_equal(p, hook_buf);
	sof_ctx_free(&ctx, p);
	assert_int_equal(hook_live, 0);
	assert_int_equal(vr_sof_deinit(), 0);
	assert_int_equal(vr_flat_port_deinit(&my_fp), 0);	/* nothing leaked */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_no_default, NULL, teardown),
		cmocka_unit_test_setup_teardown(test_with_port, NULL, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
