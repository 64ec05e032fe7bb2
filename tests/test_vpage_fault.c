/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_vpage_fault.c - vpage under port failures (fault port over the flat
 * port, so it also runs on emulated targets).
 *
 * A scripted scenario (allocations, a reservation mapped piecewise,
 * protections, unmaps, frees) runs once clean to count the port calls of
 * each kind. Then, for every kind in {map, unmap, protect} and every k, it
 * runs again with the k-th call of that kind failing:
 *   - the failing public call returns the port's error (NULL for alloc);
 *   - nothing observable changed: stats (except `failures` for alloc/map),
 *     every page's recorded state in the port, and validate() passes;
 *   - retrying the call succeeds and the scenario finishes with everything
 *     freed and every page unmapped.
 * With "fail every call from k on", the scenario runs to its end with calls
 * failing, then the faults stop and everything still live is freed.
 * Also: meta_alloc and lock_create failing in init, and every public call
 * leaving the (counting, non-recursive) lock released, on every path.
 */
#include "vr_test.h"

#include <errno.h>
#include <limits.h>

#include "fault_port.h"
#include "vregion/port_flat.h"
#include "vregion/vpage.h"

#define PS 128u
#define W 64u

static _Alignas(PS) uint8_t mem[W * PS];
static _Alignas(16) uint8_t meta[2048];
static struct vr_flat_port flat;
static struct vr_fault_port fault;
static struct vr_vpage_pool pool;

#define CHECK_LOCKS_MAX 4
#include "check_lock.h"

static void up(void)
{
	struct vr_flat_config c = {
		.window = mem, .window_bytes = sizeof(mem), .page_size = PS,
		.meta = meta, .meta_bytes = sizeof(meta),
		.lock_create = check_lock_create, .lock_destroy = check_lock_destroy,
		.lock = check_lock, .unlock = check_unlock,
	};
	struct vr_vpage_config pc = { .guard_pages = 1 };

	check_locks_reset();
	assert_int_equal(vr_flat_port_init(&flat, &c), 0);
	vr_fault_port_init(&fault, vr_flat_port_get(&flat));
	assert_int_equal(vr_vpage_pool_init(&pool, &fault.port, &pc), 0);
}

static void down(void)
{
	struct vr_vpage_stats st;

	assert_int_equal(vr_vpage_validate(&pool), 0);
	assert_int_equal(vr_vpage_get_stats(&pool, &st), 0);
	assert_int_equal(st.vpages_free, W);
	assert_int_equal(st.ppages_free, W);
	assert_int_equal(st.live_allocs + st.live_reserved, 0);
	assert_int_equal(vr_flat_port_mapped_pages(&flat), 0);
	assert_int_equal(vr_vpage_pool_deinit(&pool), 0);
	check_locks_unlocked();
	assert_int_equal(vr_flat_port_meta_live(&flat), 0);
	assert_int_equal(vr_flat_port_deinit(&flat), 0);
}

/* Everything observable: stats and the port's record of every page. */
struct snap {
	struct vr_vpage_stats st;
	int perms[W];
};

static void take_snap(struct snap *s)
{
	assert_int_equal(vr_vpage_get_stats(&pool, &s->st), 0);
	for (size_t i = 0; i < W; i++)
		s->perms[i] = vr_flat_port_perms(&flat, mem + i * PS);
}

static void assert_same(const struct snap *a, const struct snap *b, size_t extra_failures)
{
	assert_int_equal(a->st.vpages_free, b->st.vpages_free);
	assert_int_equal(a->st.ppages_free, b->st.ppages_free);
	assert_int_equal(a->st.live_allocs, b->st.live_allocs);
	assert_int_equal(a->st.live_reserved, b->st.live_reserved);
	assert_int_equal(a->st.largest_free_run, b->st.largest_free_run);
	assert_int_equal(a->st.failures + extra_failures, b->st.failures);
	for (size_t i = 0; i < W; i++)
		if (a->perms[i] != b->perms[i])
			fail_msg("page %u changed from %d to %d", (unsigned)i, a->perms[i], b->perms[i]);
}

/* ---- the scenario ---- */

enum { A, B, C, R, NSLOT };
static uint8_t *slot[NSLOT];

enum { NSTEPS = 16 };

/* Step i: 0 ok, 1 skipped (its input failed earlier), or the error. */
static int step(int i)
{
	static const int needs[NSTEPS] = {
		-1, -1, R, R, -1, A, R, R, A, -1, R, C, R, B, C, R,
	};
	uint8_t *p;

	if (needs[i] >= 0 && !slot[needs[i]])
		return 1;
	switch (i) {
	case 0: p = vr_vpage_alloc(&pool, 3); slot[A] = p; return p ? 0 : -ENOMEM;
	case 1: p = vr_vpage_reserve(&pool, 6); slot[R] = p; return p ? 0 : -ENOMEM;
	case 2: return vr_vpage_map(&pool, slot[R], 2, VR_PERM_RX);
	case 3: return vr_vpage_map(&pool, slot[R] + 3 * PS, 2, VR_PERM_RW);
	case 4: p = vr_vpage_alloc_perm(&pool, 2, VR_PERM_R); slot[B] = p; return p ? 0 : -ENOMEM;
	case 5: return vr_vpage_protect(&pool, slot[A], 3, VR_PERM_R);
	case 6: return vr_vpage_protect(&pool, slot[R] + 3 * PS, 1, VR_PERM_NONE);
	case 7: return vr_vpage_unmap(&pool, slot[R] + 3 * PS, 1);
	case 8: {
		int rc = vr_vpage_free(&pool, slot[A]);

		if (!rc)
			slot[A] = NULL;
		return rc;
	}
	case 9: p = vr_vpage_alloc(&pool, 1); slot[C] = p; return p ? 0 : -ENOMEM;
	case 10: return vr_vpage_map(&pool, slot[R] + 5 * PS, 1, VR_PERM_RW);
	case 11: return vr_vpage_protect(&pool, slot[C], 1, VR_PERM_RWX);
	case 12: return vr_vpage_protect(&pool, slot[R], 2, VR_PERM_R);
	case 13: {
		int rc = vr_vpage_free(&pool, slot[B]);

		if (!rc)
			slot[B] = NULL;
		return rc;
	}
	case 14: {
		int rc = vr_vpage_free(&pool, slot[C]);

		if (!rc)
			slot[C] = NULL;
		return rc;
	}
	default: {	/* release the reservation: unmaps pieces [0,2) and [4,6) */
		int rc = vr_vpage_release(&pool, slot[R]);

		if (!rc)
			slot[R] = NULL;
		return rc;
	}
	}
}

/* Steps that allocate: their failure is NULL, reported by step() as -ENOMEM. */
static bool is_alloc(int i)
{
	return i == 0 || i == 1 || i == 4 || i == 9;
}

/* What an injected port error looks like at step i. */
static int injected(int i)
{
	return is_alloc(i) ? -ENOMEM : -EIO;
}

/* Steps whose failure counts in stats.failures (alloc, reserve, map). */
static bool counts_failure(int i)
{
	return i == 0 || i == 1 || i == 2 || i == 3 || i == 4 || i == 9 || i == 10;
}

static const enum vr_fault_kind kinds[] = { VR_FAULT_MAP, VR_FAULT_UNMAP, VR_FAULT_PROTECT };

static void test_clean_counts(void **state)
{
	(void)state;
	up();
	memset(slot, 0, sizeof(slot));
	for (int i = 0; i < NSTEPS; i++) {
		assert_int_equal(step(i), 0);
		assert_int_equal(vr_vpage_validate(&pool), 0);
		check_locks_unlocked();
	}
	/* 6 maps (3 allocs, 3 map calls), 6 unmaps (3 frees, 1 unmap, 2 pieces
	 * in the release), 4 protects */
	assert_int_equal(vr_fault_port_calls(&fault, VR_FAULT_MAP), 6);
	assert_int_equal(vr_fault_port_calls(&fault, VR_FAULT_UNMAP), 6);
	assert_int_equal(vr_fault_port_calls(&fault, VR_FAULT_PROTECT), 4);
	down();
}

static unsigned long clean_calls(enum vr_fault_kind kind)
{
	unsigned long n;

	up();
	memset(slot, 0, sizeof(slot));
	for (int i = 0; i < NSTEPS; i++)
		assert_int_equal(step(i), 0);
	n = vr_fault_port_calls(&fault, kind);
	down();
	return n;
}

/* Fail exactly the k-th call of each kind, for every k. */
static void test_fail_only_kth(void **state)
{
	(void)state;
	for (size_t ki = 0; ki < sizeof(kinds) / sizeof(kinds[0]); ki++) {
		unsigned long n = clean_calls(kinds[ki]);

		assert_true(n >= 4);
		for (unsigned long k = 1; k <= n; k++) {
			int failed_steps = 0;

			up();
			memset(slot, 0, sizeof(slot));
			vr_fault_port_arm(&fault, kinds[ki], VR_FAULT_ONLY, k, -EIO);
			for (int i = 0; i < NSTEPS; i++) {
				struct snap before, after;
				unsigned long f0 = vr_fault_port_failed(&fault, kinds[ki]);
				int rc;

				take_snap(&before);
				rc = step(i);
				check_locks_unlocked();
				assert_int_equal(vr_vpage_validate(&pool), 0);
				if (rc == 0)
					continue;
				/* the injected failure, and only it */
				failed_steps++;
				assert_int_equal(vr_fault_port_failed(&fault, kinds[ki]), f0 + 1);
				assert_int_equal(rc, injected(i));
				take_snap(&after);
				if (i == NSTEPS - 1 && kinds[ki] == VR_FAULT_UNMAP &&
				    after.st.ppages_free != before.st.ppages_free) {
					/* release of a piecewise-mapped reservation: the
					 * first piece went, the reservation stays live */
					assert_true(after.st.ppages_free > before.st.ppages_free);
					before.st.ppages_free = after.st.ppages_free;
					for (size_t p = 0; p < W; p++)
						before.perms[p] = after.perms[p];
					assert_int_equal(vr_vpage_run_pages(&pool, slot[R]), 6);
				}
				assert_same(&before, &after, counts_failure(i) ? 1 : 0);
				/* retry: the fault was one-shot */
				assert_int_equal(step(i), 0);
				assert_int_equal(vr_vpage_validate(&pool), 0);
			}
			assert_int_equal(failed_steps, 1);
			down();
		}
	}
}

static int collect_cb(void *arg, void *start, size_t npages, enum vr_vpage_kind kind)
{
	void **list = arg;

	(void)npages; (void)kind;
	for (int i = 0; i < 8; i++)
		if (!list[i]) {
			list[i] = start;
			return 0;
		}
	return -1;
}

/* Fail every call of a kind from the k-th on; then stop failing and clean up. */
static void test_fail_from_kth(void **state)
{
	(void)state;
	for (size_t ki = 0; ki < sizeof(kinds) / sizeof(kinds[0]); ki++) {
		unsigned long n = clean_calls(kinds[ki]);

		for (unsigned long k = 1; k <= n + 1; k++) {
			void *live[8] = { 0 };

			up();
			memset(slot, 0, sizeof(slot));
			vr_fault_port_arm(&fault, kinds[ki], VR_FAULT_FROM, k, -EIO);
			for (int i = 0; i < NSTEPS; i++) {
				struct snap before, after;
				unsigned long f0 = vr_fault_port_failed(&fault, kinds[ki]);
				int rc;

				take_snap(&before);
				rc = step(i);
				check_locks_unlocked();
				assert_int_equal(vr_vpage_validate(&pool), 0);
				if (rc >= 0)
					continue;
				/* the injected error, or a precondition that an
				 * earlier injected failure left unmet */
				if (vr_fault_port_failed(&fault, kinds[ki]) > f0)
					assert_int_equal(rc, injected(i));
				else
					assert_int_equal(rc, -EINVAL);
				take_snap(&after);
				if (i == NSTEPS - 1 && after.st.ppages_free != before.st.ppages_free) {
					before.st.ppages_free = after.st.ppages_free;
					for (size_t p = 0; p < W; p++)
						before.perms[p] = after.perms[p];
				}
				assert_same(&before, &after, counts_failure(i) ? 1 : 0);
			}
			/* k > n: nothing failed */
			if (k > n)
				assert_int_equal(vr_fault_port_failed(&fault, kinds[ki]), 0);
			else
				assert_true(vr_fault_port_failed(&fault, kinds[ki]) >= 1);
			/* the platform recovers: everything still live frees */
			vr_fault_port_reset(&fault);
			assert_int_equal(vr_vpage_for_each(&pool, collect_cb, live), 0);
			for (int i = 0; i < 8 && live[i]; i++)
				assert_int_equal(vr_vpage_free(&pool, live[i]), 0);
			down();
		}
	}
}

/* The port running out of physical pages in map (-ENOMEM from the port). */
static void test_port_enomem(void **state)
{
	struct snap before, after;
	uint8_t *r;

	(void)state;
	up();
	vr_fault_port_arm(&fault, VR_FAULT_MAP, VR_FAULT_FROM, 1, -ENOMEM);
	take_snap(&before);
	assert_null(vr_vpage_alloc(&pool, 1));
	r = vr_vpage_reserve(&pool, 2);			/* no map: works */
	assert_non_null(r);
	assert_int_equal(vr_vpage_map(&pool, r, 2, VR_PERM_RW), -ENOMEM);
	assert_int_equal(vr_vpage_release(&pool, r), 0);
	take_snap(&after);
	assert_same(&before, &after, 2);
	vr_fault_port_reset(&fault);
	down();
}

/* A port returning INT_MIN (no errno: its negation, for the log, overflowed,
 * which UBSan reports) gets -EIO from every call, as a positive value does;
 * nothing changes. */
static void test_port_int_min(void **state)
{
	struct snap before, after;
	uint8_t *a, *r;

	(void)state;
	up();
	a = vr_vpage_alloc(&pool, 1);
	r = vr_vpage_reserve(&pool, 2);
	assert_non_null(a);
	assert_non_null(r);
	take_snap(&before);
	vr_fault_port_arm(&fault, VR_FAULT_MAP, VR_FAULT_ONLY, 1, INT_MIN);
	assert_int_equal(vr_vpage_map(&pool, r, 1, VR_PERM_RW), -EIO);
	vr_fault_port_arm(&fault, VR_FAULT_PROTECT, VR_FAULT_ONLY, 1, INT_MIN);
	assert_int_equal(vr_vpage_protect(&pool, a, 1, VR_PERM_R), -EIO);
	vr_fault_port_arm(&fault, VR_FAULT_UNMAP, VR_FAULT_ONLY, 1, INT_MIN);
	assert_int_equal(vr_vpage_free(&pool, a), -EIO);
	take_snap(&after);
	assert_same(&before, &after, 1);		/* the map counted a failure */
	vr_fault_port_arm(&fault, VR_FAULT_MAP, VR_FAULT_ONLY, 1, INT_MIN);
	assert_null(vr_vpage_alloc(&pool, 1));
	vr_fault_port_reset(&fault);
	assert_int_equal(vr_vpage_free(&pool, a), 0);
	assert_int_equal(vr_vpage_release(&pool, r), 0);
	down();
}

/* meta_alloc / lock_create failing in init: -ENOMEM, nothing allocated. */
static void test_init_faults(void **state)
{
	struct vr_vpage_pool p2;

	(void)state;
	up();
	vr_fault_port_arm(&fault, VR_FAULT_META_ALLOC, VR_FAULT_ONLY, 1, 0);
	assert_int_equal(vr_vpage_pool_init(&p2, &fault.port, NULL), -ENOMEM);
	assert_int_equal(vr_flat_port_meta_live(&flat), 1);	/* only `pool`'s block */
	vr_fault_port_arm(&fault, VR_FAULT_LOCK_CREATE, VR_FAULT_ONLY, 1, 0);
	assert_int_equal(vr_vpage_pool_init(&p2, &fault.port, NULL), -ENOMEM);
	assert_int_equal(vr_flat_port_meta_live(&flat), 1);	/* meta given back */
	assert_int_equal(vr_fault_port_calls(&fault, VR_FAULT_LOCK_CREATE), 1);
	assert_int_equal(vr_vpage_pool_init(&p2, &fault.port, NULL), 0);
	assert_int_equal(vr_flat_port_meta_live(&flat), 2);
	assert_int_equal(vr_vpage_pool_deinit(&p2), 0);
	assert_int_equal(vr_flat_port_meta_live(&flat), 1);
	down();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean_counts),
		cmocka_unit_test(test_fail_only_kth),
		cmocka_unit_test(test_fail_from_kth),
		cmocka_unit_test(test_port_enomem),
		cmocka_unit_test(test_port_int_min),
		cmocka_unit_test(test_init_faults),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
