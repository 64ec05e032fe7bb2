/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_vpage_threads.c - 4 threads hammer one pool on the flat port, whose
 * lock callbacks are a pthread mutex (host only: POSIX THREADS).
 *
 * Each thread allocates, fills every page with its own pattern, checks the
 * pattern before freeing (so two threads handed the same page would show),
 * and works reservations piecewise (map, protect, unmap, release). Threads
 * call validate() now and then; at the end validate() passes and every page
 * and every metadata block is back. Worker threads never call cmocka
 * asserts (they are not thread-safe): they count errors, main asserts 0.
 */
#include "vr_test.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#include "vregion/port_flat.h"
#include "vregion/vpage.h"

#define PS 256u
#define W 128u	/* tight: even one thread (24 live x ~5.5 pages) fills it */
#define NTHREADS 4
#define OPS 20000
#define LIVE 24

static _Alignas(PS) uint8_t mem[W * PS];
static _Alignas(16) uint8_t meta[16384];
static struct vr_flat_port flat;
static struct vr_vpage_pool pool;

struct vr_port_lock { pthread_mutex_t m; };
static int nlock_objs;

static struct vr_port_lock *mx_create(void *ctx)
{
	struct vr_port_lock *l = malloc(sizeof(*l));

	(void)ctx;
	if (l && pthread_mutex_init(&l->m, NULL)) {
		free(l);
		return NULL;
	}
	if (l)
		__atomic_add_fetch(&nlock_objs, 1, __ATOMIC_RELAXED);
	return l;
}
static void mx_destroy(void *ctx, struct vr_port_lock *l)
{
	(void)ctx;
	pthread_mutex_destroy(&l->m);
	free(l);
	__atomic_sub_fetch(&nlock_objs, 1, __ATOMIC_RELAXED);
}
static void mx_lock(void *ctx, struct vr_port_lock *l) { (void)ctx; pthread_mutex_lock(&l->m); }
static void mx_unlock(void *ctx, struct vr_port_lock *l) { (void)ctx; pthread_mutex_unlock(&l->m); }

struct worker {
	pthread_t th;
	unsigned id;
	uint64_t rng;
	unsigned errors, allocs, nulls, maps;
	const char *first_error;
};

static uint64_t rnd(struct worker *w)
{
	w->rng ^= w->rng >> 12;
	w->rng ^= w->rng << 25;
	w->rng ^= w->rng >> 27;
	return w->rng * UINT64_C(2685821657736338717);
}

#define ERR(w, what) do { if (!(w)->errors++) (w)->first_error = (what); } while (0)

static bool filled(const uint8_t *p, size_t n, uint8_t v)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != v)
			return false;
	return true;
}

static pthread_barrier_t start;

static void *work(void *arg)
{
	struct worker *w = arg;
	struct { uint8_t *p; size_t n; bool res; uint8_t fill; } live[LIVE];
	size_t nlive = 0;

	for (int op = 0; op < OPS; op++) {
		/* op 0 reserves and maps, before the barrier: every thread does so
		 * at least once whatever the timing (the pool has room for all
		 * four); then all threads run at once */
		if (op == 1)
			pthread_barrier_wait(&start);
		unsigned what = op == 0 ? 4u : (unsigned)(rnd(w) % 8);

		if (nlive < LIVE && what < 5) {
			bool res = what == 4;
			size_t n = 1 + rnd(w) % 8;
			uint8_t fill = (uint8_t)(w->id * 64 + op % 61 + 1);
			uint8_t *p = res ? vr_vpage_reserve(&pool, n) : vr_vpage_alloc(&pool, n);

			if (!p) {
				w->nulls++;
				continue;
			}
			w->allocs++;
			if (vr_vpage_run_pages(&pool, p) != n)
				ERR(w, "run_pages");
			if (res) {
				/* map it whole in two pieces, protect one, unmap one page */
				size_t half = n / 2;

				if (half && vr_vpage_map(&pool, p, half, VR_PERM_RX))
					ERR(w, "map 1");
				if (vr_vpage_map(&pool, p + half * PS, n - half, VR_PERM_RW))
					ERR(w, "map 2");
				if (vr_vpage_protect(&pool, p, n, VR_PERM_RW))
					ERR(w, "protect");
				w->maps++;
			}
			if (!filled(p, n * PS, 0))
				ERR(w, "not zeroed");
			memset(p, fill, n * PS);
			live[nlive].p = p;
			live[nlive].n = n;
			live[nlive].res = res;
			live[nlive].fill = fill;
			nlive++;
		} else if (nlive) {
			size_t k = (size_t)(rnd(w) % nlive);

			if (!filled(live[k].p, live[k].n * PS, live[k].fill))
				ERR(w, "pattern overwritten (page shared?)");
			if (live[k].res && live[k].n > 1 &&
			    vr_vpage_unmap(&pool, live[k].p + PS, 1))
				ERR(w, "unmap");
			if (vr_vpage_free(&pool, live[k].p))
				ERR(w, "free");
			live[k] = live[--nlive];
		}
		if (op % 500 == 0 && vr_vpage_validate(&pool))
			ERR(w, "validate");
	}
	while (nlive) {
		nlive--;
		if (!filled(live[nlive].p, live[nlive].n * PS, live[nlive].fill))
			ERR(w, "pattern overwritten at the end");
		if (vr_vpage_free(&pool, live[nlive].p))
			ERR(w, "final free");
	}
	return NULL;
}

static void test_threads_hammer(void **state)
{
	struct vr_flat_config c = {
		.window = mem, .window_bytes = sizeof(mem), .page_size = PS,
		.meta = meta, .meta_bytes = sizeof(meta),
		.lock_create = mx_create, .lock_destroy = mx_destroy,
		.lock = mx_lock, .unlock = mx_unlock,
	};
	struct vr_vpage_config pc = { .guard_pages = 1 };
	struct worker w[NTHREADS];
	struct vr_vpage_stats st;
	unsigned allocs = 0, nulls = 0;

	(void)state;
	assert_int_equal(vr_flat_port_init(&flat, &c), 0);
	assert_int_equal(vr_vpage_pool_init(&pool, vr_flat_port_get(&flat), &pc), 0);
	assert_int_equal(nlock_objs, 2);	/* the port's metadata lock and the pool's */
	assert_int_equal(pthread_barrier_init(&start, NULL, NTHREADS), 0);
	for (unsigned i = 0; i < NTHREADS; i++) {
		memset(&w[i], 0, sizeof(w[i]));
		w[i].id = i;
		w[i].rng = 0x1234567 + i * 7919;
		assert_int_equal(pthread_create(&w[i].th, NULL, work, &w[i]), 0);
	}
	for (unsigned i = 0; i < NTHREADS; i++)
		assert_int_equal(pthread_join(w[i].th, NULL), 0);
	for (unsigned i = 0; i < NTHREADS; i++) {
		if (w[i].errors)
			fail_msg("thread %u: %u errors, first: %s", i, w[i].errors, w[i].first_error);
		allocs += w[i].allocs;
		nulls += w[i].nulls;
		assert_true(w[i].maps > 0);
	}
	pthread_barrier_destroy(&start);
	print_message("%u allocations/reservations, %u refused (pool full)\n", allocs, nulls);
	assert_true(allocs > NTHREADS * OPS / 8);
	assert_true(nulls > 0);		/* the pool did fill up under contention */
	assert_int_equal(vr_vpage_validate(&pool), 0);
	assert_int_equal(vr_vpage_get_stats(&pool, &st), 0);
	assert_int_equal(st.vpages_free, W);
	assert_int_equal(st.ppages_free, W);
	assert_int_equal(st.live_allocs + st.live_reserved, 0);
	assert_int_equal(st.failures, nulls);
	assert_int_equal(vr_flat_port_mapped_pages(&flat), 0);
	assert_int_equal(vr_vpage_pool_deinit(&pool), 0);
	assert_int_equal(vr_flat_port_deinit(&flat), 0);
	assert_int_equal(nlock_objs, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_threads_hammer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
