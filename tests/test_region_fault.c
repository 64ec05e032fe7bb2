/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_region_fault.c - fault injection (tests/common/fault_port.h) under
 * vr_region, on the flat port with counting locks (runs on every target):
 *   - create: metadata, lock and map failures at every call k return NULL
 *     and leave the pool and the port exactly as before (plain and guarded
 *     regions);
 *   - set_interim with VR_REGION_SEAL: a protect failure leaves the region
 *     in LIFETIME, unsealed, still allocating;
 *   - the last put with an unmap failure: the region is released, the run
 *     stays in the pool (logged) and can be freed later.
 */
#include "vr_test.h"

#include <errno.h>
#include <string.h>

#include "fault_port.h"
#include "vregion/port_flat.h"
#include "vregion/vregion.h"

#define PAGE 4096u
#define WPAGES 32u

static _Alignas(PAGE) uint8_t win[WPAGES * PAGE];
static _Alignas(16) uint8_t meta[64 * 1024];
static struct vr_flat_port flat;
static struct vr_fault_port fp;
static struct vr_vpage_pool pool;

/* counting locks: enough for one thread, and they show leaks */
static unsigned locks_live, lock_depth;
static uint8_t lock_slots[16];

static struct vr_port_lock *l_create(void *c)
{
	(void)c;
	locks_live++;
	return (struct vr_port_lock *)(void *)&lock_slots[locks_live % 16];
}

static void l_destroy(void *c, struct vr_port_lock *l)
{
	(void)c; (void)l;
	locks_live--;
}

static void l_lock(void *c, struct vr_port_lock *l)
{
	(void)c; (void)l;
	lock_depth++;
}

static void l_unlock(void *c, struct vr_port_lock *l)
{
	(void)c; (void)l;
	lock_depth--;
}

static unsigned nerr;
static void quiet_log(void *ctx, enum vr_log_level lvl, const char *fn, const char *msg,
		      uintptr_t a, uintptr_t b)
{
	(void)ctx; (void)fn; (void)msg; (void)a; (void)b;
	if (lvl == VR_LOG_ERR)
		nerr++;
}

static int setup(void **state)
{
	struct vr_flat_config c;

	(void)state;
	memset(&c, 0, sizeof(c));
	c.window = win;
	c.window_bytes = sizeof(win);
	c.page_size = PAGE;
	c.cache_line = 64;
	c.meta = meta;
	c.meta_bytes = sizeof(meta);
	c.lock_create = l_create;
	c.lock_destroy = l_destroy;
	c.lock = l_lock;
	c.unlock = l_unlock;
	c.log = quiet_log;
	if (vr_flat_port_init(&flat, &c))
		return -1;
	vr_fault_port_init(&fp, vr_flat_port_get(&flat));
	return vr_vpage_pool_init(&pool, &fp.port, NULL) ? -1 : 0;
}

static int teardown(void **state)
{
	(void)state;
	if (vr_vpage_pool_deinit(&pool) || vr_flat_port_deinit(&flat))
		return -1;
	return locks_live == 0 && lock_depth == 0 ? 0 : -1;	/* pool and port locks too */
}

/* Everything observable about the pool and the port. */
struct snap {
	struct vr_vpage_stats ps;
	size_t mapped, meta_live, meta_used;
	unsigned locks;
};

static struct snap take(void)
{
	struct snap s;

	memset(&s, 0, sizeof(s));
	assert_int_equal(vr_vpage_get_stats(&pool, &s.ps), 0);
	s.mapped = vr_flat_port_mapped_pages(&flat);
	s.meta_live = vr_flat_port_meta_live(&flat);
	s.meta_used = vr_flat_port_meta_used(&flat);
	s.locks = locks_live;
	return s;
}

static void same(const struct snap *a, const struct snap *b)
{
	assert_int_equal(a->ps.vpages_free, b->ps.vpages_free);
	assert_int_equal(a->ps.ppages_free, b->ps.ppages_free);
	assert_int_equal(a->ps.live_allocs, b->ps.live_allocs);
	assert_int_equal(a->ps.live_reserved, b->ps.live_reserved);
	assert_int_equal(a->mapped, b->mapped);
	assert_int_equal(a->meta_live, b->meta_live);
	assert_int_equal(a->meta_used, b->meta_used);
	assert_int_equal(a->locks, b->locks);
	assert_int_equal(lock_depth, 0);
}

static struct vr_region *mk(unsigned flags)
{
	struct vr_region_config cfg;

	memset(&cfg, 0, sizeof(cfg));
	cfg.size = 3 * PAGE;
	cfg.flags = flags;
	return vr_region_create(&pool, &cfg);
}

/* Fail call k of `kind` for k = 1, 2, ... until create succeeds; every
 * failure must leave everything as before. Returns the k that succeeded. */
static unsigned sweep(enum vr_fault_kind kind, enum vr_fault_mode mode, unsigned flags)
{
	struct snap s0 = take(), s1;
	struct vr_region *vr;
	unsigned k;

	for (k = 1; k < 16; k++) {
		vr_fault_port_arm(&fp, kind, mode, k, -EIO);
		vr = mk(flags);
		vr_fault_port_reset(&fp);
		if (vr) {
			assert_int_equal(vr_region_validate(vr), 0);
			assert_non_null(vr_region_alloc(vr, 100));
			assert_null(vr_region_put(vr));
			s1 = take();
			same(&s0, &s1);
			return k;
		}
		s1 = take();
		same(&s0, &s1);
		assert_int_equal(vr_vpage_validate(&pool), 0);
	}
	fail_msg("create never succeeded");
	return 0;
}

static void test_create_faults(void **state)
{
	static const unsigned flags[] = { 0, VR_REGION_GUARD, VR_REGION_NOLOCK };
	unsigned f;

	(void)state;
	for (f = 0; f < 3; f++) {
		/* create makes exactly one call of each kind (NOLOCK: no lock) */
		assert_int_equal(sweep(VR_FAULT_META_ALLOC, VR_FAULT_ONLY, flags[f]), 2);
		assert_int_equal(sweep(VR_FAULT_LOCK_CREATE, VR_FAULT_ONLY, flags[f]),
				 flags[f] & VR_REGION_NOLOCK ? 1 : 2);
		assert_int_equal(sweep(VR_FAULT_MAP, VR_FAULT_ONLY, flags[f]), 2);
		assert_int_equal(sweep(VR_FAULT_META_ALLOC, VR_FAULT_FROM, flags[f]), 2);
	}
}

/* A region created when every kind fails from call 1 on: NULL, nothing left. */
static void test_create_all_fail(void **state)
{
	struct snap s0 = take(), s1;
	unsigned kind;

	(void)state;
	for (kind = 0; kind < VR_FAULT_NKINDS; kind++)
		vr_fault_port_arm(&fp, (enum vr_fault_kind)kind, VR_FAULT_FROM, 1, -ENOMEM);
	assert_null(mk(0));
	assert_null(mk(VR_REGION_GUARD | VR_REGION_SEAL));
	vr_fault_port_reset(&fp);
	s1 = take();
	same(&s0, &s1);
}

static void test_seal_fault(void **state)
{
	struct vr_region *vr;
	struct vr_region_stats st;
	uint8_t *base;
	uintptr_t b = 0;
	int rc;

	(void)state;
	vr = mk(VR_REGION_SEAL);
	assert_non_null(vr);
	assert_non_null(vr_region_alloc(vr, 5000));
	assert_int_equal(vr_region_mem_info(vr, NULL, &b), 0);
	base = (uint8_t *)b;
	vr_fault_port_arm(&fp, VR_FAULT_PROTECT, VR_FAULT_ONLY, 1, -EIO);
	rc = vr_region_set_interim(vr);
	assert_int_equal(rc, -EIO);
	assert_int_equal(vr_fault_port_failed(&fp, VR_FAULT_PROTECT), 1);
	st.phase = vr_region_phase(vr);
	assert_int_equal(st.phase, VR_REGION_LIFETIME);
	assert_int_equal(vr_region_get_stats(vr, &st), 0);
	assert_false(st.sealed);
	assert_int_equal(st.lifetime_size, 3 * PAGE);
	assert_int_equal(vr_flat_port_perms(&flat, base), VR_PERM_RW);
	assert_int_equal(vr_region_validate(vr), 0);
	/* still allocating in LIFETIME, and the next attempt succeeds */
	assert_non_null(vr_region_alloc(vr, 10));
	assert_int_equal(vr_region_set_interim(vr), 0);
	assert_int_equal(vr_flat_port_perms(&flat, base), VR_PERM_R);
	assert_int_equal(vr_flat_port_perms(&flat, base + PAGE), VR_PERM_R);
	assert_int_equal(vr_flat_port_perms(&flat, base + 2 * PAGE), VR_PERM_RW);
	assert_int_equal(vr_region_validate(vr), 0);
	vr_fault_port_reset(&fp);
	assert_null(vr_region_put(vr));

	/* NOLOCK: the failed seal gives the inline lifetime path back */
	vr = mk(VR_REGION_SEAL | VR_REGION_NOLOCK);
	assert_int_equal(vr_region_mem_info(vr, NULL, &b), 0);
	assert_non_null(vr_region_alloc(vr, 5000));
	vr_fault_port_arm(&fp, VR_FAULT_PROTECT, VR_FAULT_ONLY, 1, -EIO);
	assert_int_equal(vr_region_set_interim(vr), -EIO);
	assert_int_equal(vr_region_validate(vr), 0);		/* fast path restored */
	assert_ptr_equal(vr_region_alloc(vr, 10), (void *)(b + 5056));
	assert_int_equal(vr_region_set_interim(vr), 0);
	assert_int_equal(vr_region_validate(vr), 0);
	vr_fault_port_reset(&fp);
	assert_null(vr_region_put(vr));
}

static void test_put_unmap_fault(void **state)
{
	struct vr_vpage_stats ps;
	struct vr_region *vr;
	uintptr_t base = 0;
	unsigned e0 = nerr, l0 = locks_live;

	(void)state;
	vr = mk(0);
	assert_int_equal(locks_live, l0 + 1);
	assert_int_equal(vr_region_mem_info(vr, NULL, &base), 0);
	vr_fault_port_arm(&fp, VR_FAULT_UNMAP, VR_FAULT_FROM, 1, -EIO);
	assert_null(vr_region_put(vr));		/* released anyway */
	assert_true(nerr > e0);			/* the failed unmap is logged */
	assert_int_equal(locks_live, l0);		/* the region's lock is gone */
	assert_int_equal(vr_vpage_get_stats(&pool, &ps), 0);
	assert_int_equal(ps.live_allocs, 0);	/* the run is the pool's orphan */
	assert_int_equal(ps.orphans, 1);
	assert_int_equal(ps.orphan_pages, 3);	/* mk(): 3 pages */
	assert_int_equal(vr_vpage_free(&pool, (void *)base), -EINVAL);	/* not the caller's */
	assert_int_equal(vr_vpage_validate(&pool), 0);
	vr_fault_port_reset(&fp);
	assert_int_equal(vr_vpage_reclaim(&pool), 0);	/* the port works again */
	assert_int_equal(vr_vpage_get_stats(&pool, &ps), 0);
	assert_int_equal(ps.orphans + ps.orphan_pages, 0);
	assert_int_equal(vr_vpage_validate(&pool), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_create_faults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_create_all_fail, setup, teardown),
		cmocka_unit_test_setup_teardown(test_seal_fault, setup, teardown),
		cmocka_unit_test_setup_teardown(test_put_unmap_fault, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
