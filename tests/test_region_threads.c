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
 *      never across, and every pattern holds (a quarter of them coherent:
 *      the uncached alias is chosen after the allocation unlocked);
 *   5. a trace file written by threads on their own regions of one pool
 *      reads in order: every line's seq is the one after its pool's
 *      previous line;
 *   6. interim_reset refused (LIFETIME) on one thread while another
 *      switches the region: the refusal's log names the phase the reset
 *      saw, read under the lock (TSan saw the log read it after the unlock);
 *   7. a put that waited for a long section (stats) and the last put on
 *      another thread: the last put must not free the control block or
 *      destroy the ordinary lock while the first put still leaves through
 *      them (a port whose short unlock is slow while the ordinary lock is
 *      held widens the window; TSan saw a use after free).
 */
#include "vr_test.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
		/* every fourth one coherent: its alias is chosen after the lock
		 * is released, from the phase the allocation saw (TSan) */
		uint8_t *p = i % 4 == 3 ? vr_region_alloc_coherent(shared, size)
					: vr_region_alloc(shared, size);

		if (p && i % 4 == 3)
			p = port.to_cached(port.ctx, p);

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

/* ---- 5. the trace file of several threads ---- */

#define NTRACE 3000		/* alloc/free pairs per thread */

static void *trace_worker(void *arg)
{
	struct worker *w = arg;
	struct vr_region_config cfg;
	struct vr_region *vr;
	unsigned i;

	memset(&cfg, 0, sizeof(cfg));
	cfg.size = 4 * PAGE;
	vr = vr_region_create(&pool, &cfg);
	if (!vr || vr_region_set_interim(vr)) {
		w->error = 1;
		return NULL;
	}
	for (i = 0; i < NTRACE; i++) {
		void *p = vr_region_alloc(vr, 1 + rnd(w) % 500);

		if (!p || vr_region_free(vr, p))
			w->error = 2;
	}
	if (vr_region_put(vr) != NULL)
		w->error = 3;
	return NULL;
}

static void test_threads_trace_file_in_order(void **state)
{
	char path[64], line[VR_TRACE_LINE_MAX + 1];
	unsigned last[16] = { 0 }, pool_id, seq, lines = 0, bad = 0;
	struct vr_posix_port_config c;
	struct vr_port tport;
	FILE *f;
	unsigned t;

	(void)state;
	snprintf(path, sizeof(path), "/tmp/vr_threads_trace_%d", (int)getpid());
	memset(&c, 0, sizeof(c));
	c.page_size = PAGE;
	c.phys_pages = 64;
	c.window_pages = 64;
	c.log_level = VR_POSIX_LOG_OFF;
	c.trace_path = path;
	assert_int_equal(vr_posix_port_create(&tport, &c), 0);
	assert_int_equal(vr_vpage_pool_init(&pool, &tport, NULL), 0);
	memset(workers, 0, sizeof(workers));
	for (t = 0; t < NTHREADS; t++) {
		workers[t].id = t;
		workers[t].rng = 0x27d4eb2du * (t + 1);
		assert_int_equal(pthread_create(&workers[t].tid, NULL, trace_worker, &workers[t]), 0);
	}
	for (t = 0; t < NTHREADS; t++) {
		assert_int_equal(pthread_join(workers[t].tid, NULL), 0);
		assert_int_equal(workers[t].error, 0);
	}
	assert_int_equal(vr_vpage_pool_deinit(&pool), 0);
	assert_int_equal(vr_posix_port_destroy(&tport), 0);
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		const char *p = strstr(line, " pool="), *q = strstr(line, " seq=");

		if (line[0] == '#')
			continue;
		lines++;
		assert_non_null(p);
		assert_non_null(q);
		pool_id = (unsigned)strtoul(p + 6, NULL, 10) % 16;
		seq = (unsigned)strtoul(q + 5, NULL, 10);
		bad += seq != last[pool_id] + 1;
		last[pool_id] = seq;
	}
	fclose(f);
	unlink(path);
	/* create, set_interim, the pairs and the put's two events per thread */
	assert_true(lines >= NTHREADS * (2 * NTRACE + 4) + 2);
	assert_int_equal(bad, 0);
}

/* ---- 6. a refused interim_reset racing with set_interim ---- */

#define NRESET_ROUNDS 20

static int reset_refused;		/* the resetter was refused once (atomic) */
static int reset_bad_log;		/* a refusal logged a phase other than LIFETIME */

static void reset_log(void *ctx, enum vr_log_level level, const char *func, const char *msg,
		      uintptr_t a, uintptr_t b)
{
	(void)ctx;
	(void)level;
	(void)func;
	(void)b;
	if (strstr(msg, "reset outside INTERIM") && a != VR_REGION_LIFETIME)
		__atomic_store_n(&reset_bad_log, 1, __ATOMIC_RELAXED);
}

static void *resetter(void *arg)
{
	int rc;

	(void)arg;
	while ((rc = vr_region_interim_reset(shared)) == -EINVAL)
		__atomic_store_n(&reset_refused, 1, __ATOMIC_RELAXED);
	return rc == 0 ? NULL : (void *)1;
}

static void test_threads_reset_races_set_interim(void **state)
{
	struct vr_posix_port_config c;
	struct vr_region_config cfg;
	struct vr_port lp;
	struct vr_vpage_pool lpool;
	pthread_t tid;
	void *res;
	unsigned r;

	(void)state;
	memset(&c, 0, sizeof(c));
	c.page_size = PAGE;
	c.phys_pages = 16;
	c.window_pages = 16;
	c.log_level = VR_LOG_ERR;
	c.log = reset_log;
	assert_int_equal(vr_posix_port_create(&lp, &c), 0);
	assert_int_equal(vr_vpage_pool_init(&lpool, &lp, NULL), 0);
	memset(&cfg, 0, sizeof(cfg));
	cfg.size = 4 * PAGE;
	reset_bad_log = 0;
	for (r = 0; r < NRESET_ROUNDS; r++) {
		shared = vr_region_create(&lpool, &cfg);
		assert_non_null(shared);
		reset_refused = 0;
		assert_int_equal(pthread_create(&tid, NULL, resetter, NULL), 0);
		while (!__atomic_load_n(&reset_refused, __ATOMIC_RELAXED))
			;
		assert_int_equal(vr_region_set_interim(shared), 0);
		assert_int_equal(pthread_join(tid, &res), 0);
		assert_null(res);
		assert_null(vr_region_put(shared));
	}
	assert_int_equal(reset_bad_log, 0);
	assert_int_equal(vr_vpage_pool_deinit(&lpool), 0);
	assert_int_equal(vr_posix_port_destroy(&lp), 0);
}

/* ---- 7. a put through a long section racing with the last put ---- */

#define NPUT_ROUNDS 20

static struct vr_port slow_real;		/* the posix port the wrappers call */
static _Thread_local int slow_holds;		/* this thread holds an ordinary lock */
static int put_started;			/* the stats froze the region */
static int put_held_log;			/* "lock is held, not destroyed" logged */

static void slow_lock(void *ctx, struct vr_port_lock *l)
{
	slow_real.lock(ctx, l);
	slow_holds = 1;
}

static void slow_unlock(void *ctx, struct vr_port_lock *l)
{
	slow_holds = 0;
	slow_real.unlock(ctx, l);
}

static _Thread_local int slow_stats;		/* this thread takes the stats */

/* Slow only when the ordinary lock is held too. On the stats thread, once:
 * the region is frozen now; let the other put arrive and wait for it. On
 * the other: its short section came through the long one
 * (vri_region_enter_frozen) and still holds the ordinary lock. */
static void slow_spin_unlock(void *ctx, struct vr_port_lock *l, uintptr_t key)
{
	slow_real.spin_unlock(ctx, l, key);
	if (slow_holds && slow_stats == 1) {
		slow_stats = 2;
		__atomic_store_n(&put_started, 1, __ATOMIC_RELAXED);
		usleep(1000);
	} else if (slow_holds && !slow_stats) {
		usleep(1000);
	}
}

static void put_log(void *ctx, enum vr_log_level level, const char *func, const char *msg,
		    uintptr_t a, uintptr_t b)
{
	(void)ctx;
	(void)level;
	(void)func;
	(void)a;
	(void)b;
	if (strstr(msg, "lock is held"))
		__atomic_store_n(&put_held_log, 1, __ATOMIC_RELAXED);
}

/* a long section, then the region's last reference goes */
static void *stats_then_put(void *arg)
{
	struct vr_region_stats st;

	(void)arg;
	slow_stats = 1;
	if (vr_region_get_stats(shared, &st) != 0)
		return (void *)1;
	usleep(200);	/* the other put, woken by the unlock, goes first */
	(void)vr_region_put(shared);
	return NULL;
}

/* a put that usually finds the region frozen by the stats */
static void *plain_put(void *arg)
{
	(void)arg;
	while (!__atomic_load_n(&put_started, __ATOMIC_RELAXED))
		;
	(void)vr_region_put(shared);
	return NULL;
}

static void test_threads_put_races_last_put(void **state)
{
	struct vr_posix_port_config c;
	struct vr_region_config cfg;
	struct vr_port sp;
	struct vr_vpage_pool spool;
	pthread_t a, b;
	void *ra, *rb;
	unsigned r;

	(void)state;
	memset(&c, 0, sizeof(c));
	c.page_size = PAGE;
	c.phys_pages = 64;
	c.window_pages = 64;
	c.log_level = VR_LOG_ERR;
	c.log = put_log;
	assert_int_equal(vr_posix_port_create(&slow_real, &c), 0);
	sp = slow_real;
	sp.lock = slow_lock;
	sp.unlock = slow_unlock;
	sp.spin_unlock = slow_spin_unlock;
	assert_int_equal(vr_vpage_pool_init(&spool, &sp, NULL), 0);
	memset(&cfg, 0, sizeof(cfg));
	cfg.size = 4 * PAGE;
	put_held_log = 0;
	for (r = 0; r < NPUT_ROUNDS; r++) {
		shared = vr_region_create(&spool, &cfg);
		assert_non_null(shared);
		assert_ptr_equal(vr_region_get(shared), shared);
		put_started = 0;
		assert_int_equal(pthread_create(&a, NULL, plain_put, NULL), 0);
		assert_int_equal(pthread_create(&b, NULL, stats_then_put, NULL), 0);
		assert_int_equal(pthread_join(a, &ra), 0);
		assert_int_equal(pthread_join(b, &rb), 0);
		assert_null(rb);
	}
	assert_int_equal(put_held_log, 0);
	assert_int_equal(vr_vpage_pool_deinit(&spool), 0);
	assert_int_equal(vr_posix_port_destroy(&slow_real), 0);	/* no lock leaked */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_threads_share_region, setup, teardown),
		cmocka_unit_test_setup_teardown(test_threads_bump_races_set_interim, setup, teardown),
		cmocka_unit_test(test_threads_trace_file_in_order),
		cmocka_unit_test(test_threads_reset_races_set_interim),
		cmocka_unit_test(test_threads_put_races_last_put),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
