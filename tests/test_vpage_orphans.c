/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_vpage_orphans.c - a region's last put whose unmap fails loses no
 * page (issue 10.1): the pool keeps the run as an orphan and gets it back.
 *
 * Built twice (tests/CMakeLists.txt): over the flat port (test_vpage_orphans,
 * also on the emulated targets) and over the posix port
 * (test_vpage_orphans_posix, -DVP_ORPHANS_POSIX=1), both wrapped in the
 * fault port. A scripted scenario of regions (plain and guarded: an
 * allocation and a reservation underneath), direct page allocations, a
 * reservation mapped piecewise and their frees runs once clean to count
 * the port's unmap calls, n. Then for every k in 1..n:
 *   - only the k-th unmap fails: the scenario goes on, every invariant holds
 *     after every step (validate, the port's mapped pages = the pool's), an
 *     orphan appears exactly when a put's unmap failed, and the next call
 *     that reaches the port brings it back; at the end every page is back
 *     and deinit succeeds;
 *   - every unmap from the k-th on fails: deinit says -EBUSY while an orphan
 *     cannot be unmapped; then the port heals, the owners free what they
 *     still hold, and deinit succeeds with every page back.
 * Also vr_vpage_reclaim and the orphan's place in stats and for_each.
 */
#include "vr_test.h"

#include <errno.h>
#include <string.h>

#include "fault_port.h"
#include "vregion/vpage.h"
#include "vregion/vregion.h"

#if VP_ORPHANS_POSIX
#include "vregion/port_posix.h"
#define PS 4096u
static struct vr_port inner;
#else
#include "vregion/port_flat.h"
#define PS 256u
static _Alignas(PS) uint8_t mem[64 * PS];
static _Alignas(16) uint8_t meta[16384];
static struct vr_flat_port flat;
#endif
#define W 64u

static struct vr_fault_port fault;
static struct vr_vpage_pool pool;

static const struct vr_port *inner_up(void)
{
#if VP_ORPHANS_POSIX
	struct vr_posix_port_config c;

	memset(&c, 0, sizeof(c));
	c.phys_pages = W;
	c.window_pages = W;
	c.log_level = VR_POSIX_LOG_OFF;
	assert_int_equal(vr_posix_port_create(&inner, &c), 0);
	return &inner;
#else
	struct vr_flat_config c = {
		.window = mem, .window_bytes = sizeof(mem), .page_size = PS,
		.meta = meta, .meta_bytes = sizeof(meta),
	};

	assert_int_equal(vr_flat_port_init(&flat, &c), 0);
	return vr_flat_port_get(&flat);
#endif
}

/* Pages the inner port has mapped. */
static size_t port_mapped(void)
{
#if VP_ORPHANS_POSIX
	struct vr_posix_port_stats st;

	assert_int_equal(vr_posix_port_get_stats(&inner, &st), 0);
	assert_int_equal(vr_posix_port_validate(&inner), 0);
	return st.mapped_pages;
#else
	assert_int_equal(vr_flat_port_validate(&flat), 0);
	return vr_flat_port_mapped_pages(&flat);
#endif
}

static void inner_down(void)
{
#if VP_ORPHANS_POSIX
	assert_int_equal(vr_posix_port_destroy(&inner), 0);
#else
	assert_int_equal(vr_flat_port_deinit(&flat), 0);
#endif
}

static void up(void)
{
	vr_fault_port_init(&fault, inner_up());
	assert_int_equal(vr_vpage_pool_init(&pool, &fault.port, NULL), 0);
}

static struct vr_vpage_stats stats(void)
{
	struct vr_vpage_stats st;

	assert_int_equal(vr_vpage_get_stats(&pool, &st), 0);
	return st;
}

/* After every step: the pool is consistent and agrees with the port. */
static void check(void)
{
	struct vr_vpage_stats st = stats();

	assert_int_equal(vr_vpage_validate(&pool), 0);
	assert_int_equal(port_mapped(), st.ppages_total - st.ppages_free);
	assert_true(st.orphan_pages <= st.ppages_total - st.ppages_free);
}

/* Every page back, the pool torn down, the port idle. */
static void down(void)
{
	struct vr_vpage_stats st = stats();

	assert_int_equal(st.orphans + st.orphan_pages, 0);
	assert_int_equal(st.vpages_free, W);
	assert_int_equal(st.ppages_free, st.ppages_total);
	assert_int_equal(vr_vpage_pool_deinit(&pool), 0);
	assert_int_equal(port_mapped(), 0);
	inner_down();
}

/* ---- the scenario ---- */

enum { R1, R2, R3, R4, NREG };
enum { A, RES, NRUN };
static struct vr_region *reg[NREG];
static uint8_t *run[NRUN];
static unsigned put_orphans;	/* puts whose unmap failed */

static struct vr_region *mk(size_t pages, unsigned flags)
{
	struct vr_region_config cfg;

	memset(&cfg, 0, sizeof(cfg));
	cfg.size = pages * PS;
	cfg.flags = flags;
	return vr_region_create(&pool, &cfg);
}

/* The last put of reg[i]: NULL whatever the port does; an orphan iff the
 * put's own unmap failed (counted in put_orphans). */
static void put(int i)
{
	size_t o0;

	if (!reg[i])
		return;
	o0 = stats().orphans;
	assert_null(vr_region_put(reg[i]));
	reg[i] = NULL;
	/* the put first retries older orphans (they stay while the port
	 * fails), then unmaps its own run: it orphaned iff the count grew */
	if (stats().orphans > o0)
		put_orphans++;
	check();
}

/* A direct free: the owner keeps the run when the port fails. */
static void owner_free(int i)
{
	if (run[i] && vr_vpage_free(&pool, run[i]) == 0)
		run[i] = NULL;
	check();
}

enum { NSTEPS = 11 };

static void step(int i)
{
	switch (i) {
	case 0: reg[R1] = mk(1, 0); break;
	case 1: reg[R2] = mk(2, VR_REGION_GUARD); break;	/* a reservation underneath */
	case 2: run[A] = vr_vpage_alloc(&pool, 2); break;
	case 3: put(R1); break;
	case 4: reg[R3] = mk(3, 0); break;
	case 5:
		run[RES] = vr_vpage_reserve(&pool, 5);
		if (run[RES]) {
			(void)vr_vpage_map(&pool, run[RES], 1, VR_PERM_RW);
			(void)vr_vpage_map(&pool, run[RES] + 2 * PS, 2, VR_PERM_R);
		}
		break;
	case 6: put(R2); break;
	case 7: owner_free(A); break;
	case 8: put(R3); break;
	case 9: reg[R4] = mk(1, 0); put(R4); break;
	default: owner_free(RES); break;
	}
	check();
}

static void scenario_reset(void)
{
	memset(reg, 0, sizeof(reg));
	memset(run, 0, sizeof(run));
	put_orphans = 0;
}

static unsigned long clean_unmaps(void)
{
	unsigned long n;

	up();
	scenario_reset();
	for (int i = 0; i < NSTEPS; i++)
		step(i);
	assert_int_equal(put_orphans, 0);
	assert_int_equal(stats().orphans, 0);
	n = vr_fault_port_calls(&fault, VR_FAULT_UNMAP);
	down();
	return n;
}

/* The owners free what they still hold, with a healthy port. */
static void owners_finish(void)
{
	for (int i = 0; i < NREG; i++)
		put(i);
	for (int i = 0; i < NRUN; i++) {
		if (run[i])
			assert_int_equal(vr_vpage_free(&pool, run[i]), 0);
		run[i] = NULL;
	}
	check();
}

static void test_only_kth_unmap_fails(void **state)
{
	unsigned long n = clean_unmaps();
	unsigned orphaned_sweeps = 0;

	(void)state;
	assert_int_equal(n, 7);	/* 4 puts, 1 free, 2 pieces of the reservation */
	for (unsigned long k = 1; k <= n; k++) {
		up();
		scenario_reset();
		vr_fault_port_arm(&fault, VR_FAULT_UNMAP, VR_FAULT_ONLY, k, -EIO);
		for (int i = 0; i < NSTEPS; i++) {
			size_t before = stats().orphans;

			step(i);
			/* one failure at most: an orphan lives until the next
			 * call that reaches the port, which is the next step's
			 * (or, after the last step, the owners' cleanup) */
			assert_true(stats().orphans <= 1);
			if (before)
				assert_int_equal(stats().orphans, 0);
		}
		assert_int_equal(vr_fault_port_failed(&fault, VR_FAULT_UNMAP), 1);
		orphaned_sweeps += put_orphans;
		assert_int_equal(stats().orphans, 0);	/* the last step is a direct free */
		owners_finish();
		down();
	}
	assert_true(orphaned_sweeps >= 4);	/* the puts' unmaps were among the k */
}

static void test_from_kth_unmap_fails(void **state)
{
	unsigned long n = clean_unmaps();

	(void)state;
	for (unsigned long k = 1; k <= n + 1; k++) {
		struct vr_vpage_stats st;

		up();
		scenario_reset();
		vr_fault_port_arm(&fault, VR_FAULT_UNMAP, VR_FAULT_FROM, k, -EIO);
		for (int i = 0; i < NSTEPS; i++)
			step(i);
		st = stats();
		assert_int_equal(st.orphans, put_orphans);
		if (st.orphans) {
			/* the port still fails: deinit refuses, nothing changes */
			assert_int_equal(vr_vpage_pool_deinit(&pool), -EBUSY);
			assert_int_equal(vr_vpage_reclaim(&pool), (long)st.orphans);
			assert_int_equal(stats().orphans, st.orphans);
			check();
		}
		vr_fault_port_reset(&fault);	/* the platform recovers */
		owners_finish();		/* their first port call reclaims */
		assert_int_equal(stats().orphans, 0);
		down();
	}
}

static int count_cb(void *arg, void *start, size_t npages, enum vr_vpage_kind kind)
{
	size_t *orphans = arg;

	(void)start;
	(void)npages;
	*orphans += kind == VR_VPAGE_ORPHAN;
	return 0;
}

/* An orphan's place: stats, for_each, the calls it refuses, reclaim. */
static void test_orphan_is_the_pools(void **state)
{
	struct vr_region *vr;
	struct vr_vpage_stats st;
	size_t seen = 0;
	uintptr_t base;
	void *p;

	(void)state;
	up();
	vr = mk(3, 0);
	assert_non_null(vr);
	assert_int_equal(vr_region_mem_info(vr, NULL, &base), 0);
	vr_fault_port_arm(&fault, VR_FAULT_UNMAP, VR_FAULT_FROM, 1, -EIO);
	assert_null(vr_region_put(vr));
	st = stats();
	assert_int_equal(st.orphans, 1);
	assert_int_equal(st.orphan_pages, 3);
	assert_int_equal(st.live_allocs, 0);
	assert_int_equal(st.vpages_free, W - 3);
	assert_int_equal(st.ppages_free, st.ppages_total - 3);
	assert_int_equal(vr_vpage_for_each(&pool, count_cb, &seen), 0);
	assert_int_equal(seen, 1);
	/* nobody may use the orphan's pointer */
	assert_int_equal(vr_vpage_run_pages(&pool, (void *)base), 0);
	assert_int_equal(vr_vpage_free(&pool, (void *)base), -EINVAL);
	assert_int_equal(vr_vpage_protect(&pool, (void *)base, 1, VR_PERM_R), -EINVAL);
	/* every call that reaches the port retries it (and still fails) */
	p = vr_vpage_alloc(&pool, 1);
	assert_non_null(p);
	assert_int_equal(stats().orphans, 1);
	assert_int_equal(vr_vpage_reclaim(&pool), 1);
	assert_int_equal(vr_vpage_pool_deinit(&pool), -EBUSY);
	check();
	/* healed: the next call that reaches the port brings it back */
	vr_fault_port_reset(&fault);
	assert_int_equal(vr_vpage_free(&pool, p), 0);
	st = stats();
	assert_int_equal(st.orphans + st.orphan_pages, 0);
	assert_int_equal(vr_vpage_reclaim(&pool), 0);
	check();
	down();
}

/* Deinit alone brings the orphans back once the port works. */
static void test_deinit_reclaims(void **state)
{
	(void)state;
	up();
	vr_fault_port_arm(&fault, VR_FAULT_UNMAP, VR_FAULT_ONLY, 1, -EIO);
	assert_null(vr_region_put(mk(2, 0)));
	assert_null(vr_region_put(mk(1, VR_REGION_GUARD)));	/* retries, then frees */
	assert_int_equal(stats().orphans, 0);
	vr_fault_port_arm(&fault, VR_FAULT_UNMAP, VR_FAULT_ONLY, 1, -EIO);
	assert_null(vr_region_put(mk(2, 0)));
	assert_int_equal(stats().orphans, 1);
	vr_fault_port_reset(&fault);
	assert_int_equal(vr_vpage_pool_deinit(&pool), 0);	/* retries, succeeds */
	assert_int_equal(port_mapped(), 0);
	inner_down();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_orphan_is_the_pools),
		cmocka_unit_test(test_deinit_reclaims),
		cmocka_unit_test(test_only_kth_unmap_fails),
		cmocka_unit_test(test_from_kth_unmap_fails),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
