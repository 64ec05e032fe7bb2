/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_sof_threads.c - the SOF layer's default pool under threads (host
 * only, posix default pool; CI also runs it under TSan, label "threads"):
 *   1. first use from several threads at once: every SOF entry point that
 *      can set the pool up (vpage_*, vregion_create, sof_ctx_* without a
 *      region, vr_sof_pool) and the ones that log before setting it up
 *      (vpage_alloc(0), vregion_create(0)) race on a barrier; exactly one
 *      pool results, every thread gets it, nothing leaks; 40 rounds, each
 *      torn down with vr_sof_deinit;
 *   2. a DP module's region shared by threads through SOF's API (alloc,
 *      free, get/put, vregion_info) while another thread uses the platform
 *      heap through sof_ctx_* without a region.
 */
#include "vr_test.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>

#include <rtos/alloc.h>
#include <sof/lib/vpage.h>
#include <sof/lib/vregion.h>
#include "vregion/sof_compat.h"

#define PG 4096u
#define NTHREADS 6
#define ROUNDS 40

static pthread_barrier_t barrier;

struct first {
	pthread_t tid;
	unsigned role;
	struct vr_vpage_pool *pool;	/* the pool this thread saw */
	void *page;			/* vpage_alloc(1) */
	struct vregion *vr;		/* vregion_create */
	void *heap;			/* sof_ctx_alloc without a region */
	int error;
};

static struct first firsts[NTHREADS];

static void *first_use(void *arg)
{
	struct first *f = arg;
	struct mod_alloc_ctx ctx = { NULL, NULL };

	pthread_barrier_wait(&barrier);
	switch (f->role) {
	case 0:	/* logs "0 pages" before anything is set up */
		if (vpage_alloc(0) != NULL)
			f->error = 1;
		break;
	case 1:	/* logs "memsize 0" */
		if (vregion_create(0) != NULL)
			f->error = 2;
		break;
	case 2:
		f->vr = vregion_create(2 * PG);
		if (!f->vr)
			f->error = 3;
		break;
	case 3:
		f->page = vpage_alloc(1);
		if (!f->page)
			f->error = 4;
		break;
	case 4:
		f->heap = sof_ctx_alloc(&ctx, 0, 100, 0);
		if (!f->heap)
			f->error = 5;
		break;
	default:
		break;
	}
	f->pool = vr_sof_pool();
	return NULL;
}

static void test_first_use_race(void **state)
{
	struct vr_vpage_stats ps;
	unsigned round, t;

	(void)state;
	for (round = 0; round < ROUNDS; round++) {
		memset(firsts, 0, sizeof(firsts));
		assert_int_equal(pthread_barrier_init(&barrier, NULL, NTHREADS), 0);
		for (t = 0; t < NTHREADS; t++) {
			firsts[t].role = (t + round) % NTHREADS;
			assert_int_equal(pthread_create(&firsts[t].tid, NULL, first_use, &firsts[t]), 0);
		}
		for (t = 0; t < NTHREADS; t++)
			assert_int_equal(pthread_join(firsts[t].tid, NULL), 0);
		assert_int_equal(pthread_barrier_destroy(&barrier), 0);

		/* one pool, seen by everyone, holding exactly what was asked */
		assert_non_null(firsts[0].pool);
		for (t = 0; t < NTHREADS; t++) {
			if (firsts[t].error)
				fail_msg("round %u thread %u: error %d", round, t, firsts[t].error);
			assert_ptr_equal(firsts[t].pool, firsts[0].pool);
			if (firsts[t].vr)
				assert_ptr_equal(vr_region_pool(vr_sof_region(firsts[t].vr)),
						 firsts[0].pool);
		}
		assert_int_equal(vr_vpage_get_stats(firsts[0].pool, &ps), 0);
		assert_int_equal(ps.live_allocs, 2);		/* the region and the page */
		assert_int_equal(vr_vpage_validate(firsts[0].pool), 0);
		for (t = 0; t < NTHREADS; t++) {
			if (firsts[t].vr)
				assert_null(vregion_put(firsts[t].vr));
			if (firsts[t].page)
				vpage_free(firsts[t].page);
			if (firsts[t].heap)
				sof_ctx_free(NULL, firsts[t].heap);
		}
		assert_int_equal(vr_sof_deinit(), 0);		/* nothing left anywhere */
	}
}

/* ---- a shared DP region through SOF's API -------------------------------------- */

#define NOPS 2000

static struct vregion *dp;

struct user {
	pthread_t tid;
	uint32_t rng;
	unsigned id;
	int error;
};

static struct user users[4];

static uint32_t rnd(struct user *u)
{
	u->rng ^= u->rng << 13;
	u->rng ^= u->rng >> 17;
	u->rng ^= u->rng << 5;
	return u->rng;
}

static void *region_user(void *arg)
{
	struct user *u = arg;
	struct mod_alloc_ctx ctx = { NULL, NULL };
	uint8_t *slot[8] = { NULL };
	size_t size[8] = { 0 };
	unsigned op, s, i;

	ctx.vreg = vregion_get(dp);		/* a bound buffer's reference */
	if (ctx.vreg != dp) {
		u->error = 1;
		return NULL;
	}
	for (op = 0; op < NOPS && !u->error; op++) {
		s = rnd(u) % 8;
		if (slot[s]) {
			for (i = 0; i < size[s]; i++)
				if (slot[s][i] != (uint8_t)(u->id + 1))
					u->error = 2;
			sof_ctx_free(&ctx, slot[s]);
			slot[s] = NULL;
		} else {
			size[s] = 1 + rnd(u) % 300;
			slot[s] = sof_ctx_zalloc(&ctx, rnd(u) % 4 ? 0 : SOF_MEM_FLAG_COHERENT,
						 size[s], 0);
			if (slot[s])
				memset(slot[s], u->id + 1, size[s]);
		}
		if (op % 211 == 0)
			vregion_info(dp);
	}
	for (s = 0; s < 8; s++)
		sof_ctx_free(&ctx, slot[s]);
	if (vregion_put(dp) != dp)
		u->error = 3;
	return NULL;
}

static void *heap_user(void *arg)
{
	struct user *u = arg;
	unsigned op;

	for (op = 0; op < NOPS / 4; op++) {
		uint8_t *p = sof_ctx_zalloc(NULL, 0, 64, 0);

		if (!p) {
			u->error = 10;
			break;
		}
		if (p[0] || p[63])
			u->error = 11;
		sof_ctx_free(NULL, p);
	}
	return NULL;
}

static void test_shared_dp_region(void **state)
{
	struct vr_region_stats st;
	size_t out = 1;
	unsigned t;

	(void)state;
	dp = vregion_create(28 * 1024);
	assert_non_null(dp);
	vregion_set_interim(dp);
	memset(users, 0, sizeof(users));
	for (t = 0; t < 4; t++) {
		users[t].id = t;
		users[t].rng = 0x2545f491u * (t + 1);
		assert_int_equal(pthread_create(&users[t].tid, NULL,
						t == 3 ? heap_user : region_user, &users[t]), 0);
	}
	for (t = 0; t < 4; t++)
		assert_int_equal(pthread_join(users[t].tid, NULL), 0);
	for (t = 0; t < 4; t++)
		if (users[t].error)
			fail_msg("thread %u: error %d", t, users[t].error);
	assert_int_equal(vr_region_get_stats(vr_sof_region(dp), &st), 0);
	assert_int_equal(st.refcount, 1);
	assert_int_equal(st.errors, 0);
	assert_int_equal(vr_region_validate(vr_sof_region(dp)), 0);
	assert_null(vr_sof_put_report(dp, &out));
	assert_int_equal(out, 0);
}

static int teardown(void **state)
{
	(void)state;
	return vr_sof_deinit();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_first_use_race, NULL, teardown),
		cmocka_unit_test_setup_teardown(test_shared_dp_region, NULL, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
