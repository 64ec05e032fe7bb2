/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_region_threads.c - several threads sharing one region (host only,
 * posix port with locks; also run under TSan by CI's "threads" label):
 *   1. LIFETIME: each thread takes a reference, bumps objects of its own
 *      pattern; afterwards no two objects overlap and every pattern holds;
 *   2. INTERIM: each thread allocates, fills, checks and frees, with
 *      get/put pairs and validate() calls mixed in; every block's pattern
 *      is checked before its free;
 *   3. the last put reports exactly the lifetime objects never freed;
 *   4. lock-free lifetime bumps racing with set_interim, stats and validate
 *      on other threads: every object lands either below the interim base
 *      (a lifetime object, counted) or in the interim heap (a live block),
 *      never across, and every pattern holds.
 */
#include "vr_test.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>

#include "vregion/port_posix.h"
#include "vregion/vregion.h"

#define PAGE 4096u
#define NTHREADS 4
#define NLIFE 150		/* lifetime objects per thread */
#define NOPS 3000		/* interim operations per thread */
#define NSLOTS 24		/* interim blocks held at once per thread */

static struct vr_port port;
static struct vr_vpage_pool pool;
static struct vr_region *shared;

struct obj {
	uint8_t *p;
	size_t size;
};

struct worker {
	pthread_t tid;
	unsigned id;
	uint32_t rng;
	struct obj life[NLIFE > 400 ? NLIFE : 400];
	unsigned nlife;
	unsigned interim_fail;	/* NULL from a full heap: allowed, counted */
	int error;		/* first problem seen (0 = none) */
};

static struct worker workers[NTHREADS];

static uint32_t rnd(struct worker *w)
{
	w->rng ^= w->rng << 13;
	w->rng ^= w->rng >> 17;
	w->rng ^= w->rng << 5;
	return w->rng;
}

static bool holds(const uint8_t *p, size_t n, uint8_t pat)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != pat)
			return false;
	return true;
}

static int setup(void **state)
{
	struct vr_posix_port_config c;

	(void)state;
	memset(&c, 0, sizeof(c));
	c.page_size = PAGE;
	c.phys_pages = 64;
	c.window_pages = 64;
	c.cache_line = 64;
	c.log_level = VR_POSIX_LOG_OFF;
	if (vr_posix_port_create(&port, &c))
		return -1;
	return vr_vpage_pool_init(&pool, &port, NULL) ? -1 : 0;
}

static int teardown(void **state)
{
	(void)state;
	if (vr_vpage_pool_deinit(&pool))
		return -1;
	return vr_posix_port_destroy(&port) ? -1 : 0;
}

static void *lifetime_worker(void *arg)
{
	struct worker *w = arg;
	uint8_t pat = (uint8_t)(0x10 + w->id);
	unsigned i;

	if (vr_region_get(shared) != shared) {
		w->error = 1;
		return NULL;
	}
	for (i = 0; i < NLIFE; i++) {
		size_t size = 1 + rnd(w) % 200;
		uint8_t *p = rnd(w) % 4 ? vr_region_alloc(shared, size)
				       : vr_region_alloc_align(shared, size, 128);

		if (!p) {
			w->error = 2;
			break;
		}
		memset(p, pat, size);
		w->life[w->nlife].p = p;
		w->life[w->nlife].size = size;
		w->nlife++;
	}
	for (i = 0; i < w->nlife; i++)
		if (!holds(w->life[i].p, w->life[i].size, pat))
			w->error = 3;
	if (vr_region_put(shared) != shared)
		w->error = 4;
	return NULL;
}

static void *interim_worker(void *arg)
{
	struct worker *w = arg;
	struct obj slot[NSLOTS];
	uint8_t pats[NSLOTS];
	unsigned op, i;

	memset(slot, 0, sizeof(slot));
	for (op = 0; op < NOPS && !w->error; op++) {
		unsigned s = rnd(w) % NSLOTS;

		if (slot[s].p) {
			if (!holds(slot[s].p, slot[s].size, pats[s]))
				w->error = 10;
			if (vr_region_free(shared, slot[s].p) != 0)
				w->error = 11;
			slot[s].p = NULL;
		} else {
			size_t size = 1 + rnd(w) % 700;
			uint8_t *p = rnd(w) % 8 ? vr_region_alloc(shared, size)
					       : vr_region_alloc_coherent(shared, size);

			if (!p) {
				w->interim_fail++;
				continue;
			}
			pats[s] = (uint8_t)(w->id * 16 + (op & 15));
			memset(p, pats[s], size);
			slot[s].p = p;
			slot[s].size = size;
		}
		if (op % 97 == 0) {
			if (vr_region_get(shared) != shared || vr_region_validate(shared) != 0)
				w->error = 12;
			if (vr_region_put(shared) != shared)
				w->error = 13;
		}
	}
	for (i = 0; i < NSLOTS; i++) {
		if (slot[i].p) {
			if (!holds(slot[i].p, slot[i].size, pats[i]))
				w->error = 14;
			if (vr_region_free(shared, slot[i].p) != 0)
				w->error = 15;
		}
	}
	/* every thread also gives back its own lifetime objects (counted) */
	for (i = 0; i < w->nlife / 2; i++)
		if (vr_region_free(shared, w->life[i].p) != 0)
			w->error = 16;
	return NULL;
}

static void run_all(void *(*fn)(void *))
{
	unsigned t;

	for (t = 0; t < NTHREADS; t++)
		assert_int_equal(pthread_create(&workers[t].tid, NULL, fn, &workers[t]), 0);
	for (t = 0; t < NTHREADS; t++)
		assert_int_equal(pthread_join(workers[t].tid, NULL), 0);
	for (t = 0; t < NTHREADS; t++)
		if (workers[t].error)
			fail_msg("thread %u: error %d", t, workers[t].error);
}

static void test_threads_share_region(void **state)
{
	struct vr_region_config cfg;
	struct vr_region_stats st;
	size_t total = 0, kept = 0, out = 0;
	unsigned t, u, i, j;

	(void)state;
	memset(&cfg, 0, sizeof(cfg));
	cfg.size = 40 * PAGE;
	shared = vr_region_create(&pool, &cfg);
	assert_non_null(shared);
	memset(workers, 0, sizeof(workers));
	for (t = 0; t < NTHREADS; t++) {
		workers[t].id = t;
		workers[t].rng = 0x9e3779b9u * (t + 1);
	}

	/* 1. lifetime, concurrently */
	run_all(lifetime_worker);
	for (t = 0; t < NTHREADS; t++) {
		assert_int_equal(workers[t].nlife, NLIFE);
		total += workers[t].nlife;
	}
	/* no two lifetime objects of any threads overlap */
	for (t = 0; t < NTHREADS; t++)
		for (i = 0; i < NLIFE; i++)
			for (u = t; u < NTHREADS; u++)
				for (j = (u == t ? i + 1 : 0); j < NLIFE; j++) {
					const struct obj *a = &workers[t].life[i];
					const struct obj *b = &workers[u].life[j];

					if (a->p < b->p + b->size && b->p < a->p + a->size)
						fail_msg("overlap: thread %u #%u and thread %u #%u",
							 t, i, u, j);
				}
	assert_int_equal(vr_region_get_stats(shared, &st), 0);
	assert_int_equal(st.lifetime_allocs, total);
	assert_int_equal(st.refcount, 1);
	assert_int_equal(vr_region_validate(shared), 0);

	/* 2. interim, concurrently */
	assert_int_equal(vr_region_set_interim(shared), 0);
	run_all(interim_worker);
	assert_int_equal(vr_region_validate(shared), 0);
	assert_int_equal(vr_region_get_stats(shared, &st), 0);
	assert_int_equal(st.interim_live, 0);
	assert_int_equal(st.errors, 0);
	assert_int_equal(st.refcount, 1);
	for (t = 0; t < NTHREADS; t++)
		kept += workers[t].nlife - workers[t].nlife / 2;
	assert_int_equal(st.lifetime_frees, total - kept);
	/* every lifetime object still holds its pattern */
	for (t = 0; t < NTHREADS; t++)
		for (i = workers[t].nlife / 2; i < workers[t].nlife; i++)
			assert_true(holds(workers[t].life[i].p, workers[t].life[i].size,
					  (uint8_t)(0x10 + t)));

	/* 3. the last put reports the lifetime objects never freed */
	assert_null(vr_region_put_report(shared, &out));
	assert_int_equal(out, kept);
}

/* ---- 4. bumps racing with set_interim ---- */

#define NRACE 400		/* objects per racing thread */

static volatile int race_stop;	/* the watcher stops (set after set_interim) */
static int watch_error;

static void *race_worker(void *arg)
{
	struct worker *w = arg;
	uint8_t pat = (uint8_t)(0x40 + w->id);
	unsigned i;

	for (i = 0; i < NRACE; i++) {
		size_t size = 1 + rnd(w) % 100;	/* 1600 of them fit in LIFETIME */
		uint8_t *p = vr_region_alloc(shared, size);

		if (!p) {
			w->interim_fail++;
			continue;
		}
		memset(p, pat, size);
		w->life[w->nlife].p = p;
		w->life[w->nlife].size = size;
		w->nlife++;
	}
	return NULL;
}

/* stats and validate while the others bump (they stop the bump pointer) */
static void *race_watcher(void *arg)
{
	struct vr_region_stats st;

	(void)arg;
	while (!__atomic_load_n(&race_stop, __ATOMIC_RELAXED)) {
		if (vr_region_get_stats(shared, &st) != 0 || vr_region_validate(shared) != 0)
			watch_error = 1;
	}
	return NULL;
}

static void test_threads_bump_races_set_interim(void **state)
{
	static struct obj *all[NTHREADS * NRACE];
	struct vr_region_config cfg;
	struct vr_region_stats st;
	pthread_t watcher;
	uintptr_t base = 0, ib;
	size_t below = 0, above = 0, n = 0;
	unsigned t, i;

	(void)state;
	memset(&cfg, 0, sizeof(cfg));
	cfg.size = 48 * PAGE;
	shared = vr_region_create(&pool, &cfg);
	assert_non_null(shared);
	assert_int_equal(vr_region_mem_info(shared, NULL, &base), 0);
	memset(workers, 0, sizeof(workers));
	race_stop = 0;
	watch_error = 0;
	assert_int_equal(pthread_create(&watcher, NULL, race_watcher, NULL), 0);
	for (t = 0; t < NTHREADS; t++) {
		workers[t].id = t;
		workers[t].rng = 0x85ebca6bu * (t + 1);
		assert_int_equal(pthread_create(&workers[t].tid, NULL, race_worker, &workers[t]), 0);
	}
	/* switch while they bump: wait until some objects exist */
	do
		assert_int_equal(vr_region_get_stats(shared, &st), 0);
	while (st.lifetime_allocs < NTHREADS * NRACE / 4);
	assert_int_equal(vr_region_set_interim(shared), 0);
	for (t = 0; t < NTHREADS; t++)
		assert_int_equal(pthread_join(workers[t].tid, NULL), 0);
	__atomic_store_n(&race_stop, 1, __ATOMIC_RELAXED);
	assert_int_equal(pthread_join(watcher, NULL), 0);
	assert_int_equal(watch_error, 0);

	assert_int_equal(vr_region_get_stats(shared, &st), 0);
	ib = base + st.lifetime_size;
	for (t = 0; t < NTHREADS; t++) {
		for (i = 0; i < workers[t].nlife; i++) {
			const struct obj *o = &workers[t].life[i];

			all[n++] = &workers[t].life[i];
			if ((uintptr_t)o->p < ib) {
				assert_true((uintptr_t)o->p + o->size <= ib);
				below++;
			} else {
				above++;
			}
			assert_true(holds(o->p, o->size, (uint8_t)(0x40 + t)));
		}
	}
	assert_int_equal(st.lifetime_allocs, below);
	assert_int_equal(st.interim_live, above);
	assert_true(below >= NTHREADS * NRACE / 4);
	assert_int_equal(vr_region_validate(shared), 0);	/* heap headers intact */
	for (i = 0; i < n; i++)
		assert_int_equal(vr_region_free(shared, all[i]->p), 0);
	assert_int_equal(vr_region_get_stats(shared, &st), 0);
	assert_int_equal(st.interim_live, 0);
	assert_int_equal(st.lifetime_frees, below);
	assert_null(vr_region_put(shared));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_threads_share_region, setup, teardown),
		cmocka_unit_test_setup_teardown(test_threads_bump_races_set_interim, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
