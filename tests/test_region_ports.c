/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_region_ports.c - what a region asks of its port, counted through a
 * wrapper of the flat fixture's port (every target):
 *   1. locks: a lifetime allocation on a shared region takes none (one
 *      compare-and-swap, VR_CONFIG_LOCKFREE), everything else takes one; on
 *      a port with short locks the bounded calls take only the short one,
 *      set_interim, stats and validate the ordinary one (and the short one
 *      twice, to freeze the region and thaw it);
 *   2. metadata: create asks meta_alloc for exactly vr_region_meta_bytes();
 *   3. the trace hook: one event per operation with the fields trace.h
 *      lists, region ids never reused, no event for a NULL handle, the SOF
 *      layer's calls named by SOF's functions.
 */
#include "region_fixture.h"
#include <sof/lib/vpage.h>

#include <sof/lib/vregion.h>
#include "vregion/sof_compat.h"
#include "vregion/trace.h"

static struct vr_port w;		/* the wrapper the pool sees */
static struct vr_vpage_pool w_pool;

/* ---- counting locks ---- */

struct vr_port_lock {
	bool used, held;
};
static struct vr_port_lock w_locks[8];
static unsigned w_lock_calls, w_lock_errors;

static struct vr_port_lock *w_lock_create(void *ctx)
{
	unsigned i;

	(void)ctx;
	for (i = 0; i < 8; i++) {
		if (!w_locks[i].used) {
			w_locks[i].used = true;
			return &w_locks[i];
		}
	}
	return NULL;
}

static void w_lock_destroy(void *ctx, struct vr_port_lock *l)
{
	(void)ctx;
	w_lock_errors += l->held;
	l->used = false;
}

static void w_lock(void *ctx, struct vr_port_lock *l)
{
	(void)ctx;
	w_lock_errors += l->held;	/* not recursive */
	l->held = true;
	w_lock_calls++;
}

static void w_unlock(void *ctx, struct vr_port_lock *l)
{
	(void)ctx;
	w_lock_errors += !l->held;
	l->held = false;
}

/* the short locks: the same objects, counted apart */
static unsigned w_spin_calls;

static uintptr_t w_spin_lock(void *ctx, struct vr_port_lock *l)
{
	(void)ctx;
	w_lock_errors += l->held;
	l->held = true;
	w_spin_calls++;
	return 0x5a;
}

static void w_spin_unlock(void *ctx, struct vr_port_lock *l, uintptr_t key)
{
	(void)ctx;
	w_lock_errors += !l->held || key != 0x5a;
	l->held = false;
}

/* ---- metadata sizes asked for ---- */

static size_t w_meta_last;

static void *w_meta_alloc(void *ctx, size_t bytes)
{
	w_meta_last = bytes;
	return t_port->meta_alloc(ctx, bytes);
}

/* ---- trace events ---- */

#define NEV 64
static struct vr_trace_event ev[NEV];
static unsigned nev;
static unsigned npage_ev;	/* page events other than pool init/deinit */
static const char *last_page_api;	/* their last one's api */
static uint32_t last_pool;	/* the id of the last pool initialised */

static void w_trace(void *ctx, const struct vr_trace_event *e)
{
	(void)ctx;
	if (e->op == VR_TRACE_POOL_INIT)
		last_pool = e->pool;
	if (e->op < VR_TRACE_REGION_CREATE) {
		/* the region's own page calls are not traced (its events say it) */
		npage_ev += e->op != VR_TRACE_POOL_INIT && e->op != VR_TRACE_POOL_DEINIT;
		last_page_api = e->api;
		return;
	}
	if (nev < NEV)
		ev[nev] = *e;
	nev++;
}

static int w_setup(bool locks, bool trace, bool spin)
{
	if (t_setup_guard(0))
		return -1;
	w = *t_port;
	w.meta_alloc = w_meta_alloc;
	if (locks) {
		w.lock_create = w_lock_create;
		w.lock_destroy = w_lock_destroy;
		w.lock = w_lock;
		w.unlock = w_unlock;
	}
	if (trace)
		w.trace = w_trace;
	if (spin) {
		w.spin_create = w_lock_create;
		w.spin_destroy = w_lock_destroy;
		w.spin_lock = w_spin_lock;
		w.spin_unlock = w_spin_unlock;
	}
	memset(w_locks, 0, sizeof(w_locks));
	w_lock_calls = w_lock_errors = w_spin_calls = 0;
	nev = npage_ev = 0;
	return vr_vpage_pool_init(&w_pool, &w, NULL) ? -1 : 0;
}

static int setup_locks(void **state)
{
	(void)state;
	return w_setup(true, false, false);
}

static int setup_spin(void **state)
{
	(void)state;
	return w_setup(true, false, true);
}

static int setup_trace(void **state)
{
	(void)state;
	return w_setup(true, true, false);
}

static int w_teardown(void **state)
{
	if (vr_vpage_pool_deinit(&w_pool) != 0 || w_lock_errors != 0)
		return -1;
	return t_teardown(state);
}

static struct vr_region *w_mk(size_t size, size_t min_align, unsigned flags)
{
	struct vr_region_config cfg;

	memset(&cfg, 0, sizeof(cfg));
	cfg.size = size;
	cfg.min_align = min_align;
	cfg.flags = flags;
	return vr_region_create(&w_pool, &cfg);
}

/* ---- 1. locks ---- */

/* Lock calls made by `expr`. */
#define LOCKS(expr) (w_lock_calls = 0, (void)(expr), w_lock_calls)

static void test_lifetime_takes_no_lock(void **state)
{
	struct vr_region *vr = w_mk(4 * PAGE, 0, 0), *nl = w_mk(4 * PAGE, 0, VR_REGION_NOLOCK);
	/* locks per lifetime bump: none, unless the CPU has no lock-free CAS or
	 * the build annotates region memory (every allocation in the library) */
	unsigned bump = VR_CONFIG_LOCKFREE && !VR_CONFIG_TRACK ? 0 : 1;
	void *p, *q;

	(void)state;
	assert_non_null(vr);
	assert_non_null(nl);
	/* the same placement as a NOLOCK region, without a lock */
	assert_int_equal(LOCKS(p = vr_region_alloc(vr, 100)), bump);
	assert_int_equal(LOCKS(q = vr_region_alloc(nl, 100)), 0);
	assert_int_equal(t_off(vr, p), t_off(nl, q));
	assert_int_equal(LOCKS(p = (vr_region_alloc)(vr, 1)), bump);	/* exported */
	assert_int_equal(t_off(vr, p), 128);
	assert_int_equal(LOCKS(p = vr_region_alloc_align(vr, 1, 64)), bump);
	assert_int_equal(t_off(vr, p), 192);
	assert_int_equal(LOCKS(p = vr_region_alloc_align(vr, 1, 16)), bump);
	assert_int_equal(LOCKS(p = vr_region_alloc_align(vr, 1, 0)), bump);
	assert_int_equal(t_off(vr, p), 320);
	/* what the inline path does not serve takes the lock */
	assert_int_equal(LOCKS(p = vr_region_alloc_align(vr, 1, 128)), 1);
	assert_int_equal(t_off(vr, p), 384);
	assert_int_equal(LOCKS(vr_region_alloc_align(vr, 1, 3)), 1);	/* refused */
	assert_int_equal(LOCKS(vr_region_alloc(vr, 0)), 1);		/* refused */
	assert_int_equal(LOCKS(vr_region_alloc(vr, 4 * PAGE)), 1);	/* full */
	assert_int_equal(LOCKS(vr_region_alloc_coherent(vr, 1)), 1);
	assert_int_equal(LOCKS(vr_region_free(vr, p)), 1);
	assert_int_equal(LOCKS(vr_region_validate(vr)), 2);		/* region and pool */
	assert_int_equal(t_st(vr).failures, 3);
	assert_int_equal(t_st(vr).lifetime_allocs, 7);
	/* after set_interim every allocation is the heap's, under the lock */
	assert_int_equal(LOCKS(vr_region_set_interim(vr)), 1);
	assert_int_equal(LOCKS(p = vr_region_alloc(vr, 100)), 1);
	assert_non_null(p);
	assert_int_equal(LOCKS(p = vr_region_alloc_align(vr, 100, 64)), 1);
	assert_non_null(p);
	assert_int_equal(vr_region_validate(vr), 0);
	assert_int_equal(vr_region_validate(nl), 0);
	assert_null(vr_region_put(vr));
	assert_null(vr_region_put(nl));
}

/* Short and ordinary lock calls made by `expr`, as 100 * short + ordinary
 * (the pool's own calls included). */
#define BOTH(expr) (w_lock_calls = w_spin_calls = 0, (void)(expr), \
		    100 * w_spin_calls + w_lock_calls)

static void test_short_locks(void **state)
{
	struct vr_region *vr = w_mk(4 * PAGE, 0, 0);
	struct vr_region_stats st;
	unsigned bump = VR_CONFIG_LOCKFREE && !VR_CONFIG_TRACK ? 0 : 100;
	void *p, *q;

	(void)state;
	assert_non_null(vr);
	/* bounded calls: the short lock only */
	assert_int_equal(BOTH(p = vr_region_alloc(vr, 100)), bump);
	assert_int_equal(BOTH(q = vr_region_alloc_align(vr, 100, 256)), 100);
	assert_int_equal(BOTH(vr_region_free(vr, q)), 100);
	assert_int_equal(BOTH(vr_region_get(vr)), 100);
	assert_int_equal(BOTH(vr_region_put(vr)), 100);
	assert_int_equal(BOTH(vr_region_phase(vr)), 100);
	assert_int_equal(BOTH(vr_region_interim_reset(vr)), 100);	/* refused */
	/* long ones: the ordinary lock, the short one to freeze and thaw */
	assert_int_equal(BOTH(vr_region_get_stats(vr, &st)), 201);
	assert_int_equal(BOTH(vr_region_info(vr)), 201);
	assert_int_equal(BOTH(vr_region_validate(vr)), 202);		/* and the pool's */
	assert_int_equal(BOTH(vr_region_set_interim(vr)), 201);
	assert_int_equal(BOTH(p = vr_region_alloc(vr, 100)), 100);
	assert_non_null(p);
	assert_int_equal(BOTH(vr_region_free(vr, p)), 100);
	assert_int_equal(BOTH(vr_region_interim_reset(vr)), 100);
	assert_int_equal(vr_region_validate(vr), 0);
	assert_null(vr_region_put(vr));
	assert_int_equal(w_lock_errors, 0);
}

/* ---- 2. metadata ---- */

static void test_meta_bytes(void **state)
{
	static const size_t sizes[] = { 1, PAGE, 7 * PAGE + 1, 28 * 1024, 16 * PAGE };
	static const size_t aligns[] = { 0, 8, 16, 64, 128, PAGE };
	size_t i, j, m;

	(void)state;
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		for (j = 0; j < sizeof(aligns) / sizeof(aligns[0]); j++) {
			struct vr_region *vr = w_mk(sizes[i], aligns[j], 0);
			size_t eff = aligns[j] ? aligns[j] : LINE;

			assert_non_null(vr);
			m = vr_region_meta_bytes(sizes[i], eff, PAGE);
			assert_int_equal(w_meta_last, m);
			assert_int_equal(t_st(vr).min_align, eff);
			assert_null(vr_region_put(vr));
		}
	}
	/* the start map: one byte per granule */
	assert_int_equal(vr_region_meta_bytes(28 * 1024, 64, PAGE) -
			 vr_region_meta_bytes(28 * 1024, 128, PAGE), 448 - 224);
	assert_int_equal(vr_region_meta_bytes(PAGE, 64, PAGE),
			 vr_region_meta_bytes(1, 64, PAGE));
	assert_int_equal(vr_region_meta_bytes(PAGE + 1, 64, PAGE) -
			 vr_region_meta_bytes(PAGE, 64, PAGE), PAGE / 64);
	/* refused */
	assert_int_equal(vr_region_meta_bytes(0, 64, PAGE), 0);
	assert_int_equal(vr_region_meta_bytes(SIZE_MAX, 64, PAGE), 0);
	assert_int_equal(vr_region_meta_bytes(PAGE, 0, PAGE), 0);
	assert_int_equal(vr_region_meta_bytes(PAGE, 4, PAGE), 0);
	assert_int_equal(vr_region_meta_bytes(PAGE, 48, PAGE), 0);
	assert_int_equal(vr_region_meta_bytes(PAGE, 2 * PAGE, PAGE), 0);
	assert_int_equal(vr_region_meta_bytes(PAGE, 8, 32), 0);
	assert_int_equal(vr_region_meta_bytes(PAGE, 8, 3000), 0);
	assert_true(vr_region_meta_bytes(PAGE, 8, 64) > 0);
}

/* ---- 3. trace events ---- */

/* The next event, checked against op and api. */
static const struct vr_trace_event *next_ev(unsigned *k, enum vr_trace_op op, const char *api)
{
	const struct vr_trace_event *e;

	assert_true(*k < nev && *k < NEV);
	e = &ev[(*k)++];
	if (e->op != op || strcmp(e->api, api) != 0)
		fail_msg("event %u: %s %s, expected %s %s", *k - 1, vr_trace_op_name(e->op), e->api,
			 vr_trace_op_name(op), api);
	return e;
}

static uint8_t foreign[64];

static void test_trace_events(void **state)
{
	const struct vr_trace_event *e;
	struct vr_region *vr, *v2;
	uintptr_t base;
	uint8_t *p, *q;
	unsigned k = 0;
	size_t ib;

	(void)state;
	vr = w_mk(4 * PAGE, 0, VR_REGION_GUARD);
	assert_non_null(vr);
	base = t_base(vr);
	e = next_ev(&k, VR_TRACE_REGION_CREATE, "vr_region_create");
	assert_int_equal(e->result, 0);
	assert_true(last_pool != 0);
	assert_int_equal(e->pool, last_pool);		/* w_pool, the last one set up */
	assert_int_equal(e->region, 1);
	assert_int_equal(e->size, 4 * PAGE);
	assert_int_equal(e->align, 0);
	assert_int_equal(e->flags, VR_REGION_GUARD);
	assert_int_equal(e->npages, 4);
	assert_int_equal(e->page, (base - t_port->window_base) / PAGE);

	/* lifetime: traced regions allocate in the library, even inline calls */
	p = vr_region_alloc(vr, 100);
	e = next_ev(&k, VR_TRACE_ALLOC, "vr_region_alloc");
	assert_int_equal(e->pool, last_pool);
	assert_int_equal(e->region, 1);
	assert_int_equal(e->phase, VR_REGION_LIFETIME);
	assert_int_equal(e->size, 100);
	assert_int_equal(e->align, 0);
	assert_false(e->coherent);
	assert_int_equal(e->result, 0);
	assert_int_equal(e->offset, t_off(vr, p));
	q = vr_region_alloc_coherent_align(vr, 10, 128);
	e = next_ev(&k, VR_TRACE_ALLOC, "vr_region_alloc_coherent_align");
	assert_true(e->coherent);
	assert_int_equal(e->size, 10);
	assert_int_equal(e->align, 128);
	assert_int_equal(e->offset, 128);
	assert_int_equal(t_off(vr, q), 128);
	assert_null(vr_region_alloc_align(vr, 10, 3));
	assert_int_equal(next_ev(&k, VR_TRACE_ALLOC, "vr_region_alloc_align")->result, -EINVAL);
	assert_null(vr_region_alloc(vr, 8 * PAGE));
	e = next_ev(&k, VR_TRACE_ALLOC, "vr_region_alloc");
	assert_int_equal(e->result, -ENOMEM);
	assert_int_equal(e->offset, 0);
	assert_int_equal(vr_region_free(vr, p), 0);
	e = next_ev(&k, VR_TRACE_FREE, "vr_region_free");
	assert_int_equal(e->result, 0);
	assert_int_equal(e->offset, 0);
	assert_int_equal(vr_region_free(vr, foreign), -EINVAL);	/* not in the region */
	e = next_ev(&k, VR_TRACE_FREE, "vr_region_free");
	assert_int_equal(e->result, -EINVAL);
	assert_int_equal(e->offset, SIZE_MAX);

	/* references */
	assert_ptr_equal(vr_region_get(vr), vr);
	assert_int_equal(next_ev(&k, VR_TRACE_REGION_GET, "vr_region_get")->refs, 2);
	assert_ptr_equal(vr_region_put(vr), vr);
	assert_int_equal(next_ev(&k, VR_TRACE_REGION_PUT, "vr_region_put")->refs, 1);

	/* phases */
	assert_int_equal(vr_region_interim_reset(vr), -EINVAL);
	assert_int_equal(next_ev(&k, VR_TRACE_INTERIM_RESET, "vr_region_interim_reset")->result,
			 -EINVAL);
	assert_int_equal(vr_region_set_interim(vr), 0);
	ib = t_st(vr).lifetime_size;
	e = next_ev(&k, VR_TRACE_SET_INTERIM, "vr_region_set_interim");
	assert_int_equal(e->phase, VR_REGION_LIFETIME);		/* before the call */
	assert_int_equal(e->result, 0);
	assert_int_equal(e->offset, ib);
	assert_int_equal(e->size, 4 * PAGE - ib);
	p = vr_region_alloc(vr, 300);
	e = next_ev(&k, VR_TRACE_ALLOC, "vr_region_alloc");
	assert_int_equal(e->phase, VR_REGION_INTERIM);
	assert_int_equal(e->offset, t_off(vr, p));
	assert_true(e->offset >= ib);
	assert_int_equal(vr_region_free(vr, (void *)(base + ib)), -EINVAL);	/* heap metadata */
	e = next_ev(&k, VR_TRACE_FREE, "vr_region_free");
	assert_int_equal(e->result, -EINVAL);
	assert_int_equal(e->offset, ib);
	assert_int_equal(vr_region_interim_reset(vr), 0);
	e = next_ev(&k, VR_TRACE_INTERIM_RESET, "vr_region_interim_reset");
	assert_int_equal(e->result, 0);
	assert_int_equal(e->refs, 0);		/* trace.h: pool, region, result */
	assert_int_equal(e->phase, 0);
	assert_non_null(vr_region_alloc(vr, 10));
	next_ev(&k, VR_TRACE_ALLOC, "vr_region_alloc");
	assert_int_equal(vr_region_set_interim(vr), 0);			/* harmless */
	assert_int_equal(next_ev(&k, VR_TRACE_SET_INTERIM, "vr_region_set_interim")->phase,
			 VR_REGION_INTERIM);

	/* the last put: put (refs 0), then release with the live count */
	assert_null(vr_region_put(vr));
	assert_int_equal(next_ev(&k, VR_TRACE_REGION_PUT, "vr_region_put")->refs, 0);
	e = next_ev(&k, VR_TRACE_REGION_RELEASE, "vr_region_put");
	assert_int_equal(e->live, 2);		/* the coherent object and the interim block */
	assert_int_equal(e->result, 0);
	assert_int_equal(e->region, 1);

	/* ids are creation numbers, never reused (the metadata block is) */
	v2 = w_mk(PAGE, 0, 0);
	e = next_ev(&k, VR_TRACE_REGION_CREATE, "vr_region_create");
	assert_int_equal(e->region, 2);
	assert_null(vr_region_put_report(v2, NULL));
	next_ev(&k, VR_TRACE_REGION_PUT, "vr_region_put_report");
	next_ev(&k, VR_TRACE_REGION_RELEASE, "vr_region_put_report");
	assert_null(w_mk(0, 0, 0));
	e = next_ev(&k, VR_TRACE_REGION_CREATE, "vr_region_create");
	assert_int_equal(e->result, -EINVAL);
	assert_int_equal(e->region, 0);

	/* no handle, no event */
	assert_null(vr_region_alloc(NULL, 1));
	assert_int_equal(vr_region_free(NULL, foreign), -EINVAL);
	assert_null(vr_region_get(NULL));
	assert_null(vr_region_create(NULL, NULL));
	assert_int_equal(k, nev);
	assert_int_equal(npage_ev, 0);
}

/* An INVALID region's allocations fail with -ENOSPC in the trace. */
static void test_trace_invalid(void **state)
{
	struct vr_region *vr = w_mk(PAGE, 0, 0);
	unsigned k;

	(void)state;
	assert_non_null(vr_region_alloc(vr, PAGE - 64));
	assert_int_equal(vr_region_set_interim(vr), -ENOSPC);
	k = nev;
	assert_null(vr_region_alloc(vr, 1));
	assert_int_equal(next_ev(&k, VR_TRACE_ALLOC, "vr_region_alloc")->result, -ENOSPC);
	assert_int_equal(ev[k - 1].phase, VR_REGION_INVALID);
	assert_null(vr_region_put(vr));
}

/* The SOF layer's calls arrive as the same events, named by SOF. */
static void test_trace_sof_names(void **state)
{
	struct vr_sof_config sc;
	struct vregion *vr;
	void *p, *q;
	unsigned k;

	(void)state;
	memset(&sc, 0, sizeof(sc));
	sc.port = &w;
	assert_int_equal(vr_sof_init(&sc), 0);
	k = nev;
	vr = vregion_create(2 * PAGE);
	assert_non_null(vr);
	next_ev(&k, VR_TRACE_REGION_CREATE, "vregion_create");
	p = vregion_alloc(vr, 10);
	next_ev(&k, VR_TRACE_ALLOC, "vregion_alloc");
	q = vregion_alloc_align(vr, 10, 128);
	next_ev(&k, VR_TRACE_ALLOC, "vregion_alloc_align");
	assert_non_null(vregion_alloc_coherent(vr, 10));
	next_ev(&k, VR_TRACE_ALLOC, "vregion_alloc_coherent");
	assert_non_null(vregion_alloc_coherent_align(vr, 10, 256));
	next_ev(&k, VR_TRACE_ALLOC, "vregion_alloc_coherent_align");
	vregion_free(vr, q);
	next_ev(&k, VR_TRACE_FREE, "vregion_free");
	assert_ptr_equal(vregion_get(vr), vr);
	next_ev(&k, VR_TRACE_REGION_GET, "vregion_get");
	assert_ptr_equal(vregion_put(vr), vr);
	next_ev(&k, VR_TRACE_REGION_PUT, "vregion_put");
	vregion_set_interim(vr);
	next_ev(&k, VR_TRACE_SET_INTERIM, "vregion_set_interim");
	vregion_free(vr, p);
	next_ev(&k, VR_TRACE_FREE, "vregion_free");
	assert_null(vregion_put(vr));
	next_ev(&k, VR_TRACE_REGION_PUT, "vregion_put");
	next_ev(&k, VR_TRACE_REGION_RELEASE, "vregion_put");
	assert_int_equal(k, nev);
	assert_int_equal(npage_ev, 0);
	/* and the page calls (they were traced as vr_vpage_*) */
	p = vpage_alloc(1);
	assert_non_null(p);
	assert_string_equal(last_page_api, "vpage_alloc");
	vpage_free(p);
	assert_string_equal(last_page_api, "vpage_free");
	q = vpage_reserve(2);
	assert_non_null(q);
	assert_string_equal(last_page_api, "vpage_reserve");
	vpage_release(q);
	assert_string_equal(last_page_api, "vpage_release");
	assert_int_equal(npage_ev, 4);
	assert_int_equal(vr_sof_deinit(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_lifetime_takes_no_lock, setup_locks, w_teardown),
		cmocka_unit_test_setup_teardown(test_short_locks, setup_spin, w_teardown),
		cmocka_unit_test_setup_teardown(test_meta_bytes, setup_locks, w_teardown),
		cmocka_unit_test_setup_teardown(test_trace_events, setup_trace, w_teardown),
		cmocka_unit_test_setup_teardown(test_trace_invalid, setup_trace, w_teardown),
		cmocka_unit_test_setup_teardown(test_trace_sof_names, setup_trace, w_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
