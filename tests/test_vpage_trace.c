/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_vpage_trace.c - the page layer's trace events (vregion/trace.h).
 *
 * Built twice (tests/CMakeLists.txt): test_vpage_trace against the library,
 * and test_vpage_notrace with the page layer compiled in with
 * VR_CONFIG_TRACE=0, where the hook is never called.
 * Over the flat port with a capturing hook: every public page operation
 * emits exactly one event with its result and fields, in order; calls on a
 * bad pool emit none; stats, validate, run_pages, for_each and reclaim emit
 * none; pool numbers are distinct and increasing; the internal entry points
 * for the upper layers name the caller (vri_*_api) or stay silent (NULL).
 */
#include "vr_test.h"

#include <errno.h>
#include <string.h>

#include "vregion/port_flat.h"
#include "vregion/vpage.h"
#include "vpage_api.h"	/* white box: the entry points for the SOF layer */

#define PS 256u
#define W 32u

static _Alignas(PS) uint8_t mem[W * PS];
static _Alignas(16) uint8_t meta[4096];
static struct vr_flat_port flat;
static struct vr_port port;	/* the flat port's, plus our trace hook */
static struct vr_vpage_pool pool;

#define MAXEV 64
static struct vr_trace_event ev[MAXEV];
static unsigned nev;
static void *hook_ctx;

static void hook(void *ctx, const struct vr_trace_event *e)
{
	hook_ctx = ctx;
	if (nev < MAXEV)
		ev[nev] = *e;
	nev++;
}

static void up(void)
{
	struct vr_flat_config c = {
		.window = mem, .window_bytes = sizeof(mem), .page_size = PS,
		.meta = meta, .meta_bytes = sizeof(meta),
	};

	assert_int_equal(vr_flat_port_init(&flat, &c), 0);
	port = *vr_flat_port_get(&flat);
	port.trace = hook;
	nev = 0;
	assert_int_equal(vr_vpage_pool_init(&pool, &port, NULL), 0);
}

static void down(void)
{
	assert_int_equal(vr_vpage_pool_deinit(&pool), 0);
	assert_int_equal(vr_flat_port_deinit(&flat), 0);
}

/* The last event: op, api and result; returns it. */
static const struct vr_trace_event *last(enum vr_trace_op op, const char *api, int result)
{
	const struct vr_trace_event *e;

	assert_true(nev >= 1 && nev <= MAXEV);
	e = &ev[nev - 1];
	assert_int_equal(e->op, op);
	assert_int_equal(strcmp(e->api, api), 0);	/* the mini harness has no assert_string_equal */
	assert_int_equal(e->result, result);
	assert_int_equal(e->pool, pool.trace_id);
	return e;
}

#if VR_CONFIG_TRACE

static int map_fails(void *ctx, void *vaddr, size_t npages, unsigned perms)
{
	(void)ctx;
	(void)vaddr;
	(void)npages;
	(void)perms;
	return -EIO;
}

static void test_events(void **state)
{
	const struct vr_trace_event *e;
	uint32_t id;
	uint8_t *a, *r;
	unsigned n0;

	(void)state;
	up();
	assert_ptr_equal(hook_ctx, port.ctx);
	assert_int_equal(nev, 1);
	e = last(VR_TRACE_POOL_INIT, "vr_vpage_pool_init", 0);
	assert_true(e->pool >= 1);
	assert_int_equal(e->page_size, PS);
	assert_int_equal(e->window_pages, W);
	assert_int_equal(e->phys_pages, W);
	assert_int_equal(e->guard_pages, 0);
	id = e->pool;

	a = vr_vpage_alloc(&pool, 3);
	e = last(VR_TRACE_PAGE_ALLOC, "vr_vpage_alloc", 0);
	assert_int_equal(e->npages, 3);
	assert_int_equal(e->perms, VR_PERM_RW);
	assert_int_equal(e->page, (size_t)(a - mem) / PS);
	assert_null(vr_vpage_alloc(&pool, W + 1));
	e = last(VR_TRACE_PAGE_ALLOC, "vr_vpage_alloc", -EINVAL);
	assert_int_equal(e->npages, W + 1);
	assert_int_equal(e->page, SIZE_MAX);
	assert_null(vr_vpage_alloc_perm(&pool, W - 2, VR_PERM_R));	/* no room: 3 taken */
	e = last(VR_TRACE_PAGE_ALLOC, "vr_vpage_alloc_perm", -ENOMEM);
	assert_int_equal(e->perms, VR_PERM_R);
	assert_int_equal(e->page, SIZE_MAX);
	/* a run was found but the port's map failed: no page either */
	port.map = map_fails;
	assert_null(vr_vpage_alloc(&pool, 1));
	port.map = vr_flat_port_get(&flat)->map;
	e = last(VR_TRACE_PAGE_ALLOC, "vr_vpage_alloc", -EIO);
	assert_int_equal(e->page, SIZE_MAX);

	r = vr_vpage_reserve(&pool, 4);
	e = last(VR_TRACE_PAGE_RESERVE, "vr_vpage_reserve", 0);
	assert_int_equal(e->npages, 4);
	assert_int_equal(e->perms, 0);
	assert_int_equal(e->page, 3);
	assert_int_equal(vr_vpage_map(&pool, r + PS, 2, VR_PERM_RX), 0);
	e = last(VR_TRACE_PAGE_MAP, "vr_vpage_map", 0);
	assert_int_equal(e->page, 4);
	assert_int_equal(e->npages, 2);
	assert_int_equal(e->perms, VR_PERM_RX);
	assert_int_equal(vr_vpage_map(&pool, r + PS, 1, VR_PERM_RW), -EINVAL);
	e = last(VR_TRACE_PAGE_MAP, "vr_vpage_map", -EINVAL);
	assert_int_equal(e->page, 4);		/* a valid address is still named */
	assert_int_equal(vr_vpage_protect(&pool, r + PS, 1, VR_PERM_R), 0);
	e = last(VR_TRACE_PAGE_PROTECT, "vr_vpage_protect", 0);
	assert_int_equal(e->perms, VR_PERM_R);
	assert_int_equal(vr_vpage_unmap(&pool, r + 2 * PS, 1), 0);
	e = last(VR_TRACE_PAGE_UNMAP, "vr_vpage_unmap", 0);
	assert_int_equal(e->page, 5);
	assert_int_equal(e->npages, 1);

	/* queries emit nothing */
	n0 = nev;
	{
		struct vr_vpage_stats st;

		assert_int_equal(vr_vpage_get_stats(&pool, &st), 0);
	}
	assert_int_equal(vr_vpage_validate(&pool), 0);
	assert_int_equal(vr_vpage_run_pages(&pool, a), 3);
	assert_int_equal(vr_vpage_reclaim(&pool), 0);
	assert_int_equal(nev, n0);

	assert_int_equal(vr_vpage_free(&pool, a + PS), -EINVAL);
	e = last(VR_TRACE_PAGE_FREE, "vr_vpage_free", -EINVAL);
	assert_int_equal(e->page, SIZE_MAX);
	assert_int_equal(vr_vpage_free(&pool, a), 0);
	e = last(VR_TRACE_PAGE_FREE, "vr_vpage_free", 0);
	assert_int_equal(e->page, 0);
	assert_int_equal(vr_vpage_release(&pool, r), 0);
	e = last(VR_TRACE_PAGE_FREE, "vr_vpage_release", 0);
	assert_int_equal(e->page, 3);

	/* a bad pool has no number: nothing is traced */
	n0 = nev;
	assert_null(vr_vpage_alloc(NULL, 1));
	assert_int_equal(vr_vpage_free(NULL, a), -EINVAL);
	assert_int_equal(nev, n0);

	assert_int_equal(vr_vpage_pool_deinit(&pool), 0);
	assert_int_equal(ev[nev - 1].op, VR_TRACE_POOL_DEINIT);
	assert_int_equal(ev[nev - 1].pool, id);
	assert_int_equal(ev[nev - 1].result, 0);
	assert_int_equal(vr_flat_port_deinit(&flat), 0);
}

/* A refused deinit is traced with its result; pool numbers grow. */
static void test_deinit_busy_and_ids(void **state)
{
	uint32_t first;
	void *p;

	(void)state;
	up();
	first = pool.trace_id;
	p = vr_vpage_alloc(&pool, 1);
	assert_int_equal(vr_vpage_pool_deinit(&pool), -EBUSY);
	last(VR_TRACE_POOL_DEINIT, "vr_vpage_pool_deinit", -EBUSY);
	assert_int_equal(vr_vpage_free(&pool, p), 0);
	down();
	up();
	assert_true(pool.trace_id > first);
	assert_int_equal(vri_vpage_trace_id(&pool), pool.trace_id);
	assert_int_equal(vri_vpage_trace_id(NULL), 0);
	assert_int_equal(vri_vpage_new_region_id(&pool), 1);
	assert_int_equal(vri_vpage_new_region_id(&pool), 2);
	assert_int_equal(vri_vpage_new_region_id(NULL), 0);
	down();
}

/* The upper layers' entry points: named by the caller's API, or silent. */
static void test_api_variants(void **state)
{
	const struct vr_trace_event *e;
	unsigned n0;
	uint8_t *p, *r;

	(void)state;
	up();
	p = vri_vpage_alloc_api(&pool, 2, VR_PERM_RW, "vpage_alloc");
	assert_non_null(p);
	e = last(VR_TRACE_PAGE_ALLOC, "vpage_alloc", 0);
	assert_int_equal(e->npages, 2);
	assert_int_equal(vri_vpage_free_api(&pool, p, "vpage_free"), 0);
	last(VR_TRACE_PAGE_FREE, "vpage_free", 0);
	r = vri_vpage_reserve_api(&pool, 3, "vpage_reserve");
	last(VR_TRACE_PAGE_RESERVE, "vpage_reserve", 0);
	assert_int_equal(vri_vpage_map_api(&pool, r, 1, VR_PERM_RW, "vpage_map"), 0);
	last(VR_TRACE_PAGE_MAP, "vpage_map", 0);
	assert_int_equal(vri_vpage_protect_api(&pool, r, 1, VR_PERM_R, "vpage_protect"), 0);
	last(VR_TRACE_PAGE_PROTECT, "vpage_protect", 0);
	assert_int_equal(vri_vpage_unmap_api(&pool, r, 1, "vpage_unmap"), 0);
	last(VR_TRACE_PAGE_UNMAP, "vpage_unmap", 0);
	assert_int_equal(vri_vpage_free_or_orphan(&pool, r, "vpage_release"), 0);
	last(VR_TRACE_PAGE_FREE, "vpage_release", 0);
	/* NULL api: the region layer's own page calls are not traced */
	n0 = nev;
	p = vri_vpage_alloc_api(&pool, 1, VR_PERM_RW, NULL);
	r = vri_vpage_reserve_api(&pool, 2, NULL);
	assert_int_equal(vri_vpage_map_api(&pool, r, 1, VR_PERM_RW, NULL), 0);
	assert_int_equal(vri_vpage_unmap_api(&pool, r, 1, NULL), 0);
	assert_int_equal(vri_vpage_free_api(&pool, p, NULL), 0);
	assert_int_equal(vri_vpage_free_or_orphan(&pool, r, NULL), 0);
	assert_int_equal(nev, n0);
	down();
}

#else /* VR_CONFIG_TRACE == 0 */

/* Compiled out: the hook is never called, whatever happens. */
static void test_events(void **state)
{
	void *p, *r;

	(void)state;
	up();
	p = vr_vpage_alloc(&pool, 2);
	r = vr_vpage_reserve(&pool, 2);
	assert_int_equal(vr_vpage_map(&pool, r, 1, VR_PERM_RW), 0);
	assert_int_equal(vr_vpage_free(&pool, p), 0);
	assert_int_equal(vr_vpage_free(&pool, p), -EINVAL);
	assert_int_equal(vr_vpage_release(&pool, r), 0);
	assert_int_equal(vri_vpage_trace_id(&pool), 0);
	down();
	assert_int_equal(nev, 0);
	(void)last;
}

#endif

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_events),
#if VR_CONFIG_TRACE
		cmocka_unit_test(test_deinit_busy_and_ids),
		cmocka_unit_test(test_api_variants),
#endif
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
