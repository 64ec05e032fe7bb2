/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_vpage.c - the vpage pool on the flat port (so it also runs on
 * emulated targets): boundary pairs, exact layouts of scripted sequences
 * (upstream's), non-LIFO frees with many live allocations (upstream's
 * compaction bug), random operation sequences against a model with
 * validate() after every op and fill patterns checked before every free,
 * zeroed pages on reuse, bad input that must change nothing, aliases,
 * over-committed physical pages, iteration, and validate() catching
 * corruption.
 */
#include "vr_test.h"

#include <errno.h>

#include "fault_port.h"
#include "vregion/port_flat.h"
#include "vregion/vpage.h"

#define PS 256u
#define W 512u
#define META_BYTES 8192u

static _Alignas(PS) uint8_t mem[(W + 2) * PS];
#define WIN (mem + PS)		/* the window; one page each side stays outside */
static _Alignas(16) uint8_t meta[META_BYTES];
static struct vr_flat_port flat;
static struct vr_vpage_pool pool;
static const struct vr_port *port;

/* Log capture: the last ERR/WRN message and function. */
static unsigned nerr;
static const char *last_fn, *last_msg;
static void cap_log(void *ctx, enum vr_log_level lvl, const char *fn, const char *msg,
		    uintptr_t a, uintptr_t b)
{
	(void)ctx; (void)a; (void)b;
	if (lvl <= VR_LOG_WRN) {
		nerr++;
		last_fn = fn;
		last_msg = msg;
	}
}

#define CHECK_LOCKS_MAX 8
#include "check_lock.h"

static void flat_up(void)
{
	struct vr_flat_config c = {
		.window = WIN, .window_bytes = W * PS, .page_size = PS,
		.meta = meta, .meta_bytes = sizeof(meta), .log = cap_log,
		.lock_create = check_lock_create, .lock_destroy = check_lock_destroy,
		.lock = check_lock, .unlock = check_unlock,
	};

	assert_true(vr_flat_port_meta_bytes(W, vr_vpage_meta_bytes_for(W)) <= sizeof(meta));
	check_locks_reset();
	assert_int_equal(vr_flat_port_init(&flat, &c), 0);
	port = vr_flat_port_get(&flat);
	nerr = 0;
}

static void pool_up(size_t guard)
{
	struct vr_vpage_config cfg = { .guard_pages = guard };

	flat_up();
	assert_int_equal(vr_vpage_pool_init(&pool, port, &cfg), 0);
	assert_int_equal(vr_vpage_validate(&pool), 0);
}

/* Everything returned: pool empty, nothing mapped, all metadata back. */
static void pool_down(void)
{
	struct vr_vpage_stats st;

	assert_int_equal(vr_vpage_validate(&pool), 0);
	assert_int_equal(vr_vpage_get_stats(&pool, &st), 0);
	assert_int_equal(st.vpages_free, W);
	assert_int_equal(st.ppages_free, st.ppages_total);
	assert_int_equal(st.live_allocs, 0);
	assert_int_equal(st.live_reserved, 0);
	assert_int_equal(st.largest_free_run, W);
	assert_int_equal(vr_flat_port_mapped_pages(&flat), 0);
	check_locks_unlocked();
	assert_int_equal(vr_vpage_pool_deinit(&pool), 0);
	assert_int_equal(vr_flat_port_meta_live(&flat), 0);
	assert_int_equal(vr_flat_port_deinit(&flat), 0);
}

static struct vr_vpage_stats stats(void)
{
	struct vr_vpage_stats st;

	assert_int_equal(vr_vpage_get_stats(&pool, &st), 0);
	return st;
}

static void assert_stats_equal(const struct vr_vpage_stats *a, const struct vr_vpage_stats *b)
{
	assert_int_equal(a->page_size, b->page_size);
	assert_int_equal(a->vpages_total, b->vpages_total);
	assert_int_equal(a->vpages_free, b->vpages_free);
	assert_int_equal(a->ppages_total, b->ppages_total);
	assert_int_equal(a->ppages_free, b->ppages_free);
	assert_int_equal(a->live_allocs, b->live_allocs);
	assert_int_equal(a->live_reserved, b->live_reserved);
	assert_int_equal(a->largest_free_run, b->largest_free_run);
	assert_int_equal(a->failures, b->failures);
}

static uint8_t *pg(size_t i) { return WIN + i * PS; }

static bool all_bytes(const uint8_t *p, size_t n, uint8_t v)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != v)
			return false;
	return true;
}

static uint64_t rng = 1;
static uint64_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * UINT64_C(2685821657736338717);
}
static size_t rndn(size_t n) { return (size_t)(rnd() % n); }

/* ---------------------------------------------------------------- */

static void test_sizing_and_init_errors(void **state)
{
	struct vr_vpage_pool p2;
	struct vr_vpage_config cfg = { 0 };
	struct vr_port bad;
	struct vr_fault_port fp;

	(void)state;
	assert_int_equal(vr_vpage_meta_bytes_for(0), 0);
	assert_int_equal(vr_vpage_meta_bytes_for(1), 4 + 24);
	assert_int_equal(vr_vpage_meta_bytes_for(64), 256 + 24);
	assert_int_equal(vr_vpage_meta_bytes_for(65), 260 + 48);
	assert_int_equal(vr_vpage_meta_bytes_for(VR_VPAGE_MAX_PAGES + 1), 0);
	assert_int_equal(vr_vpage_meta_bytes(NULL), 0);
	/* never a wrapped size: exact, or 0 when it does not fit in size_t
	 * (32-bit targets: 4 * W + 24 * ceil(W / 64) exceeds 4 GiB near the
	 * largest window) */
	{
		static const size_t ws[] = {
			VR_VPAGE_MAX_PAGES, VR_VPAGE_MAX_PAGES - 63, VR_VPAGE_MAX_PAGES / 2,
			(size_t)0x3c000000u, (size_t)0x3a000000u, (size_t)0x10000000u,
		};

		for (size_t i = 0; i < sizeof(ws) / sizeof(ws[0]); i++) {
			uint64_t want = 4 * (uint64_t)ws[i] + 24 * (((uint64_t)ws[i] + 63) / 64);

			assert_true(vr_vpage_meta_bytes_for(ws[i]) ==
				    (want > SIZE_MAX ? 0 : (size_t)want));
		}
	}

	flat_up();
	assert_int_equal(vr_vpage_meta_bytes(port), 4 * W + 24 * (W / 64));
	assert_int_equal(vr_vpage_pool_init(NULL, port, NULL), -EINVAL);
	assert_int_equal(vr_vpage_pool_init(&p2, NULL, NULL), -EINVAL);
	bad = *port;
	bad.page_size = 100;
	assert_int_equal(vr_vpage_meta_bytes(&bad), 0);
	assert_int_equal(vr_vpage_pool_init(&p2, &bad, NULL), -EINVAL);
	bad = *port;
	bad.map = NULL;
	assert_int_equal(vr_vpage_pool_init(&p2, &bad, NULL), -EINVAL);
	cfg.guard_pages = W;			/* guard >= window: max-1 fails ... */
	assert_int_equal(vr_vpage_pool_init(&p2, port, &cfg), -EINVAL);
	cfg.guard_pages = W - 1;		/* ... max works: one 1-page run */
	assert_int_equal(vr_vpage_pool_init(&p2, port, &cfg), 0);
	assert_non_null(vr_vpage_alloc(&p2, 1));
	assert_null(vr_vpage_alloc(&p2, 1));
	assert_int_equal(vr_vpage_pool_deinit(&p2), -EBUSY);
	assert_int_equal(vr_vpage_free(&p2, pg(0)), 0);
	assert_int_equal(vr_vpage_pool_deinit(&p2), 0);
	assert_int_equal(vr_vpage_pool_deinit(&p2), -EINVAL);	/* twice */
	assert_int_equal(vr_flat_port_meta_live(&flat), 0);

	/* meta_alloc fails: -ENOMEM, nothing left */
	vr_fault_port_init(&fp, port);
	vr_fault_port_arm(&fp, VR_FAULT_META_ALLOC, VR_FAULT_ONLY, 1, 0);
	assert_int_equal(vr_vpage_pool_init(&p2, &fp.port, NULL), -ENOMEM);
	assert_int_equal(vr_flat_port_meta_live(&flat), 0);
	assert_int_equal(vr_vpage_pool_init(&p2, &fp.port, NULL), 0);	/* call 2 works */
	assert_int_equal(vr_vpage_pool_deinit(&p2), 0);
	assert_int_equal(vr_flat_port_deinit(&flat), 0);
}

/* A zeroed (never initialised) or deinitialised pool is refused everywhere. */
static void test_invalid_pool(void **state)
{
	struct vr_vpage_pool z;
	struct vr_vpage_stats st;
	struct vr_vpage_pool *pools[3] = { NULL, &z, &pool };

	(void)state;
	memset(&z, 0, sizeof(z));
	pool_up(0);
	assert_non_null(vr_vpage_port(&pool));
	assert_int_equal(vr_vpage_pool_deinit(&pool), 0);
	for (int i = 0; i < 3; i++) {
		struct vr_vpage_pool *p = pools[i];

		assert_null(vr_vpage_alloc(p, 1));
		assert_null(vr_vpage_alloc_perm(p, 1, VR_PERM_RW));
		assert_null(vr_vpage_reserve(p, 1));
		assert_int_equal(vr_vpage_free(p, pg(0)), -EINVAL);
		assert_int_equal(vr_vpage_release(p, pg(0)), -EINVAL);
		assert_int_equal(vr_vpage_run_pages(p, pg(0)), 0);
		assert_int_equal(vr_vpage_map(p, pg(0), 1, VR_PERM_RW), -EINVAL);
		assert_int_equal(vr_vpage_unmap(p, pg(0), 1), -EINVAL);
		assert_int_equal(vr_vpage_protect(p, pg(0), 1, VR_PERM_R), -EINVAL);
		assert_int_equal(vr_vpage_get_stats(p, &st), -EINVAL);
		assert_int_equal(vr_vpage_validate(p), -EINVAL);
		assert_int_equal(vr_vpage_pool_deinit(p), -EINVAL);
		assert_null(vr_vpage_port(p));
	}
	assert_int_equal(vr_flat_port_mapped_pages(&flat), 0);
	assert_int_equal(vr_flat_port_deinit(&flat), 0);
}

/* Boundary pairs for alloc and reserve, with and without guard pages. */
static void test_boundaries(void **state)
{
	static const size_t guards[] = { 0, 1, 3 };

	(void)state;
	for (size_t gi = 0; gi < 3; gi++) {
		size_t g = guards[gi], max = W - g;

		for (int kind = 0; kind < 2; kind++) {
			void *(*take)(struct vr_vpage_pool *, size_t) =
				kind ? vr_vpage_reserve : vr_vpage_alloc;
			struct vr_vpage_stats st;
			void *a, *b;

			pool_up(g);
			assert_null(take(&pool, 0));			/* min-1 */
			assert_int_equal(stats().failures, 1);
			a = take(&pool, 1);				/* min */
			assert_ptr_equal(a, pg(0));
			assert_int_equal(vr_vpage_run_pages(&pool, a), 1);
			st = stats();
			assert_int_equal(st.vpages_free, W - 1 - g);
			assert_int_equal(st.ppages_free, kind ? W : W - 1);
			b = take(&pool, 1);				/* after the guards */
			assert_ptr_equal(b, pg(1 + g));
			assert_int_equal(vr_vpage_free(&pool, a), 0);
			assert_int_equal(vr_vpage_free(&pool, b), 0);
			assert_int_equal(vr_vpage_validate(&pool), 0);

			assert_null(take(&pool, max + 1));		/* max+1 */
			assert_null(take(&pool, SIZE_MAX));
			assert_null(take(&pool, (size_t)VR_VPAGE_MAX_PAGES + 1));
			assert_int_equal(stats().failures, 4);
			a = take(&pool, max);				/* max */
			assert_ptr_equal(a, pg(0));
			assert_int_equal(vr_vpage_run_pages(&pool, a), max);
			st = stats();
			assert_int_equal(st.vpages_free, 0);
			assert_int_equal(st.largest_free_run, 0);
			assert_int_equal(vr_flat_port_mapped_pages(&flat), kind ? 0 : max);
			assert_null(take(&pool, 1));			/* full */
			assert_null(vr_vpage_alloc(&pool, 1));
			assert_int_equal(stats().failures, 6);
			assert_int_equal(vr_vpage_validate(&pool), 0);
			/* the last page of the window maps (upstream's strict-end bug) */
			if (!kind)
				assert_int_equal(vr_flat_port_perms(&flat, pg(max - 1)), VR_PERM_RW);
			for (size_t i = 0; i < g; i++)
				assert_int_equal(vr_flat_port_perms(&flat, pg(max + i)), -ENOENT);
			assert_int_equal(vr_vpage_free(&pool, a), 0);
			pool_down();
		}
	}
}

/* Upstream's ztest sequence, with exact addresses. */
static void test_upstream_sequence(void **state)
{
	void *a, *b, *c;

	(void)state;
	pool_up(0);
	a = vr_vpage_alloc(&pool, 1);
	b = vr_vpage_alloc(&pool, 2);
	assert_ptr_equal(a, pg(0));
	assert_ptr_equal(b, pg(1));
	assert_int_equal(vr_vpage_free(&pool, a), 0);
	assert_int_equal(vr_vpage_free(&pool, b), 0);
	assert_int_equal(stats().vpages_free, W);
	c = vr_vpage_alloc(&pool, 2);
	assert_ptr_equal(c, pg(0));
	assert_int_equal(vr_vpage_validate(&pool), 0);
	assert_int_equal(vr_vpage_free(&pool, c), 0);
	/* upstream's compaction bug in its smallest form: free the first of
	 * three, allocate again, then every run must still free */
	a = vr_vpage_alloc(&pool, 1);
	b = vr_vpage_alloc(&pool, 1);
	c = vr_vpage_alloc(&pool, 1);
	assert_int_equal(vr_vpage_free(&pool, a), 0);
	a = vr_vpage_alloc(&pool, 3);
	assert_ptr_equal(a, pg(3));
	assert_int_equal(vr_vpage_free(&pool, b), 0);
	assert_int_equal(vr_vpage_free(&pool, c), 0);
	assert_int_equal(vr_vpage_free(&pool, a), 0);
	pool_down();
}

/*
 * More than 128 live allocations (upstream's table limit), freed in random
 * (non-LIFO) order interleaved with new allocations: every allocation stays
 * freeable and every page comes back.
 */
static void test_many_non_lifo(void **state)
{
	enum { N = 300 };
	static void *live[N];
	size_t n = 0;

	(void)state;
	rng = 77;
	pool_up(0);
	for (n = 0; n < N; n++) {
		live[n] = vr_vpage_alloc(&pool, 1);
		assert_ptr_equal(live[n], pg(n));
		*(uint32_t *)live[n] = (uint32_t)n;
	}
	assert_int_equal(stats().live_allocs, N);
	for (int round = 0; round < 2000; round++) {
		if (n && (rnd() & 1)) {
			size_t k = rndn(n);

			assert_int_equal(vr_vpage_run_pages(&pool, live[k]), 1);
			assert_int_equal(vr_vpage_free(&pool, live[k]), 0);
			live[k] = live[--n];
		} else if (n < N) {
			live[n] = vr_vpage_alloc(&pool, 1);
			assert_non_null(live[n]);
			n++;
		}
		if (round % 64 == 0)
			assert_int_equal(vr_vpage_validate(&pool), 0);
		assert_int_equal(stats().live_allocs, n);
	}
	/* free the rest from the middle outwards */
	while (n) {
		size_t k = n / 2;

		assert_int_equal(vr_vpage_free(&pool, live[k]), 0);
		live[k] = live[--n];
	}
	assert_int_equal(nerr, 0);
	pool_down();
}

/* ---- random sequences against a model ---- */

struct mrun { size_t idx, len; int kind; };

static struct {
	struct mrun run[W];
	size_t nrun;
	bool used[W];
	int8_t perm[W];		/* -1 unmapped */
	uint8_t fill[W];
	size_t guard, phys, failures, mapped;
} M;

static size_t model_fit(size_t need)
{
	size_t run = 0;

	for (size_t i = 0; i < W; i++) {
		run = M.used[i] ? 0 : run + 1;
		if (run == need)
			return i + 1 - need;
	}
	return SIZE_MAX;
}

static size_t model_longest(void)
{
	size_t run = 0, best = 0;

	for (size_t i = 0; i < W; i++) {
		run = M.used[i] ? 0 : run + 1;
		if (run > best)
			best = run;
	}
	return best;
}

static void model_check(void)
{
	struct vr_vpage_stats st = stats();
	size_t used = 0, allocs = 0;

	assert_int_equal(vr_vpage_validate(&pool), 0);
	for (size_t i = 0; i < W; i++)
		used += M.used[i];
	for (size_t r = 0; r < M.nrun; r++)
		allocs += M.run[r].kind == VR_VPAGE_ALLOC;
	assert_int_equal(st.vpages_free, W - used);
	assert_int_equal(st.ppages_free, M.phys - M.mapped);
	assert_int_equal(st.live_allocs, allocs);
	assert_int_equal(st.live_reserved, M.nrun - allocs);
	assert_int_equal(st.largest_free_run, model_longest());
	assert_int_equal(st.failures, M.failures);
}

static int cmp_cb(void *arg, void *start, size_t npages, enum vr_vpage_kind kind)
{
	size_t *seen = arg;
	size_t idx = (size_t)((uint8_t *)start - WIN) / PS;
	bool found = false;

	for (size_t r = 0; r < M.nrun; r++)
		if (M.run[r].idx == idx) {
			found = M.run[r].len == npages && M.run[r].kind == (int)kind;
			break;
		}
	if (!found)
		return -1;
	/* address order */
	if (*seen != SIZE_MAX && idx <= *seen)
		return -2;
	*seen = idx;
	return 0;
}

static void model_check_full(void)
{
	size_t seen = SIZE_MAX, n = 0;

	model_check();
	assert_int_equal(vr_vpage_for_each(&pool, cmp_cb, &seen), 0);
	for (size_t i = 0; i < W; i++) {
		int want = M.perm[i] < 0 ? -ENOENT : M.perm[i];

		assert_int_equal(vr_flat_port_perms(&flat, pg(i)), want);
		n += M.perm[i] >= 0;
	}
	assert_int_equal(n, M.mapped);
	assert_int_equal(vr_flat_port_mapped_pages(&flat), M.mapped);
}

static void m_take(int kind)
{
	size_t n = (rnd() % 8 == 0) ? 1 + rndn(W) : 1 + rndn(12);
	size_t at = model_fit(n + M.guard);
	unsigned perms = 1 + (unsigned)rndn(7);
	uint8_t *p;

	if (at != SIZE_MAX && kind == VR_VPAGE_ALLOC && M.mapped + n > M.phys)
		at = SIZE_MAX;
	p = kind == VR_VPAGE_ALLOC ? vr_vpage_alloc_perm(&pool, n, perms) : vr_vpage_reserve(&pool, n);
	if (at == SIZE_MAX) {
		assert_null(p);
		M.failures++;
		return;
	}
	assert_ptr_equal(p, pg(at));
	assert_int_equal(vr_vpage_run_pages(&pool, p), n);
	M.run[M.nrun++] = (struct mrun){ at, n, kind };
	for (size_t i = at; i < at + n + M.guard; i++)
		M.used[i] = true;
	if (kind == VR_VPAGE_ALLOC) {
		uint8_t f = (uint8_t)(1 + rndn(255));

		/* zeroed, even where an earlier run left its pattern */
		assert_true(all_bytes(p, n * PS, 0));
		memset(p, f, n * PS);
		for (size_t i = at; i < at + n; i++) {
			M.perm[i] = (int8_t)perms;
			M.fill[i] = f;
		}
		M.mapped += n;
	}
}

static void m_free(void)
{
	size_t r = rndn(M.nrun);
	struct mrun run = M.run[r];

	for (size_t i = run.idx; i < run.idx + run.len; i++)
		if (M.perm[i] >= 0 && !all_bytes(pg(i), PS, M.fill[i]))
			fail_msg("page %u lost its fill pattern", (unsigned)i);
	assert_int_equal(run.kind == VR_VPAGE_ALLOC ? vr_vpage_free(&pool, pg(run.idx))
						    : vr_vpage_release(&pool, pg(run.idx)), 0);
	for (size_t i = run.idx; i < run.idx + run.len + M.guard; i++) {
		M.used[i] = false;
		if (M.perm[i] >= 0)
			M.mapped--;
		M.perm[i] = -1;
	}
	M.run[r] = M.run[--M.nrun];
}

/* A random sub-range of a random live run; false if none. */
static bool m_pick(int kind, size_t *idx, size_t *n)
{
	size_t cands[W], nc = 0;

	for (size_t r = 0; r < M.nrun; r++)
		if (kind == 0 || M.run[r].kind == kind)
			cands[nc++] = r;
	if (!nc)
		return false;
	{
		struct mrun run = M.run[cands[rndn(nc)]];
		size_t off = rndn(run.len);

		*idx = run.idx + off;
		*n = 1 + rndn(run.len - off);
		if (rnd() % 16 == 0)
			*n += 1 + M.guard;	/* runs into the guard or the next run */
		if (rnd() % 16 == 0) {
			*idx = rndn(W);		/* anywhere: free, guard, other runs */
			*n = 1 + rndn(4);
		}
	}
	return true;
}

static bool m_all_mapped(size_t idx, size_t n, bool mapped)
{
	if (idx + n > W)
		return false;
	for (size_t i = idx; i < idx + n; i++)
		if ((M.perm[i] >= 0) != mapped)
			return false;
	return true;
}

/* The run containing [idx, idx + n), as the pool should see it. */
static bool m_inside_one_run(size_t idx, size_t n, int kind)
{
	for (size_t r = 0; r < M.nrun; r++)
		if (idx >= M.run[r].idx && idx < M.run[r].idx + M.run[r].len)
			return idx + n <= M.run[r].idx + M.run[r].len &&
			       (kind == 0 || M.run[r].kind == kind);
	return false;
}

static void m_map(void)
{
	size_t idx, n;
	unsigned perms = 1 + (unsigned)rndn(7);
	bool ok;
	int rc;

	if (!m_pick(VR_VPAGE_RESERVED, &idx, &n))
		return;
	ok = m_inside_one_run(idx, n, VR_VPAGE_RESERVED) && m_all_mapped(idx, n, false);
	rc = vr_vpage_map(&pool, pg(idx), n, perms);
	if (!ok || M.mapped + n > M.phys) {
		assert_int_equal(rc, ok ? -ENOMEM : -EINVAL);
		M.failures++;
		return;
	}
	assert_int_equal(rc, 0);
	assert_true(all_bytes(pg(idx), n * PS, 0));
	for (size_t i = idx; i < idx + n; i++) {
		M.perm[i] = (int8_t)perms;
		M.fill[i] = (uint8_t)(i * 7 + 1);
		memset(pg(i), M.fill[i], PS);
	}
	M.mapped += n;
}

static void m_unmap(void)
{
	size_t idx, n;
	bool ok;
	int rc;

	if (!m_pick(VR_VPAGE_RESERVED, &idx, &n))
		return;
	if (rnd() & 1) {
		/* half the time: a mapped piece of some reservation, or a part of it */
		size_t start = rndn(W);

		for (size_t k = 0; k < W; k++) {
			size_t i = (start + k) % W;

			if (M.perm[i] >= 0 && m_inside_one_run(i, 1, VR_VPAGE_RESERVED)) {
				idx = i;
				n = 1;
				while (idx + n < W && M.perm[idx + n] >= 0 && rnd() % 4)
					n++;
				break;
			}
		}
	}
	ok = m_inside_one_run(idx, n, VR_VPAGE_RESERVED) && m_all_mapped(idx, n, true);
	rc = vr_vpage_unmap(&pool, pg(idx), n);
	if (!ok) {
		assert_int_equal(rc, -EINVAL);
		return;
	}
	assert_int_equal(rc, 0);
	for (size_t i = idx; i < idx + n; i++)
		M.perm[i] = -1;
	M.mapped -= n;
}

static void m_protect(void)
{
	size_t idx, n;
	unsigned perms = (unsigned)rndn(8);
	bool ok;
	int rc;

	if (!m_pick(0, &idx, &n))
		return;
	ok = m_inside_one_run(idx, n, 0) && m_all_mapped(idx, n, true);
	rc = vr_vpage_protect(&pool, pg(idx), n, perms);
	if (!ok) {
		assert_int_equal(rc, -EINVAL);
		return;
	}
	assert_int_equal(rc, 0);
	for (size_t i = idx; i < idx + n; i++)
		M.perm[i] = (int8_t)perms;
}

/* A pointer that must not free: interior, guard, free page, double free. */
static void m_bad_free(void)
{
	struct vr_vpage_stats before = stats(), after;
	size_t i = rndn(W);
	bool start = false;

	for (size_t r = 0; r < M.nrun; r++)
		start = start || M.run[r].idx == i;
	if (start)
		return;
	assert_int_equal(vr_vpage_free(&pool, pg(i)), -EINVAL);
	assert_int_equal(vr_vpage_run_pages(&pool, pg(i)), 0);
	after = stats();
	assert_stats_equal(&before, &after);
}

static void run_model(size_t guard, size_t phys, uint64_t seed, int ops)
{
	struct vr_port p2;

	rng = seed;
	memset(&M, 0, sizeof(M));
	memset(M.perm, -1, sizeof(M.perm));
	M.guard = guard;
	M.phys = phys;
	flat_up();
	p2 = *port;
	p2.phys_pages = phys;		/* over-commit: fewer physical pages */
	{
		struct vr_vpage_config cfg = { .guard_pages = guard };

		assert_int_equal(vr_vpage_pool_init(&pool, &p2, &cfg), 0);
	}
	for (int op = 0; op < ops; op++) {
		unsigned what = (unsigned)rndn(16);

		if (what < 4)
			m_take(VR_VPAGE_ALLOC);
		else if (what < 6)
			m_take(VR_VPAGE_RESERVED);
		else if (what < 10) {
			if (M.nrun)
				m_free();
		} else if (what < 12)
			m_map();
		else if (what < 13)
			m_unmap();
		else if (what < 15)
			m_protect();
		else
			m_bad_free();
		if (op % 50 == 0)
			model_check_full();
		else
			model_check();
	}
	while (M.nrun)
		m_free();
	model_check_full();
	pool_down();
}

static void test_random_model(void **state)
{
	(void)state;
	run_model(0, W, 1, 3000);
	run_model(1, W, 2, 3000);
	run_model(2, W, 3, 2000);
	run_model(0, W / 4, 4, 3000);	/* physical pages run out first */
	run_model(1, W / 8, 5, 2000);
}

/* Pages handed out again are zero, whatever the previous owner wrote. */
static void test_zeroed_on_reuse(void **state)
{
	uint8_t *a, *r;

	(void)state;
	pool_up(0);
	a = vr_vpage_alloc(&pool, 4);
	memset(a, 0x5a, 4 * PS);
	assert_int_equal(vr_vpage_free(&pool, a), 0);
	a = vr_vpage_alloc(&pool, 2);
	assert_ptr_equal(a, pg(0));
	assert_true(all_bytes(a, 2 * PS, 0));
	assert_int_equal(vr_vpage_free(&pool, a), 0);
	/* a reservation maps pages zeroed too */
	r = vr_vpage_reserve(&pool, 4);
	assert_ptr_equal(r, pg(0));
	assert_int_equal(vr_vpage_map(&pool, r + PS, 2, VR_PERM_RW), 0);
	assert_true(all_bytes(r + PS, 2 * PS, 0));
	memset(r + PS, 0x77, 2 * PS);
	assert_int_equal(vr_vpage_unmap(&pool, r + PS, 1), 0);
	assert_int_equal(vr_vpage_map(&pool, r + PS, 1, VR_PERM_R), 0);
	assert_true(all_bytes(r + PS, PS, 0));
	assert_true(all_bytes(r + 2 * PS, PS, 0x77));
	assert_int_equal(vr_vpage_release(&pool, r), 0);
	pool_down();
}

/* Bad input: an error, a log line, and no change at all. */
static void test_bad_input(void **state)
{
	struct vr_vpage_stats before, after;
	uint8_t *a, *b, *r, *rr, *dead;
	int local;
	unsigned nerr0;

	(void)state;
	pool_up(1);
	a = vr_vpage_alloc(&pool, 3);		/* pages 0-2, guard 3 */
	r = vr_vpage_reserve(&pool, 4);		/* pages 4-7, guard 8 */
	b = vr_vpage_alloc(&pool, 1);		/* page 9, guard 10 */
	dead = vr_vpage_alloc(&pool, 1);	/* page 11, guard 12 */
	assert_ptr_equal(r, pg(4));
	assert_ptr_equal(dead, pg(11));
	rr = vr_vpage_reserve(&pool, 1);	/* page 13, guard 14 */
	assert_ptr_equal(rr, pg(13));
	assert_int_equal(vr_vpage_free(&pool, dead), 0);
	assert_int_equal(vr_vpage_map(&pool, r + PS, 1, VR_PERM_RW), 0);
	before = stats();
	nerr0 = nerr;

	/* frees */
	assert_int_equal(vr_vpage_free(NULL, a), -EINVAL);
	assert_int_equal(vr_vpage_free(&pool, NULL), -EINVAL);
	assert_int_equal(vr_vpage_free(&pool, a + 1), -EINVAL);		/* unaligned */
	assert_int_equal(vr_vpage_free(&pool, a + PS / 2), -EINVAL);
	assert_int_equal(vr_vpage_free(&pool, a + PS), -EINVAL);	/* interior */
	assert_int_equal(vr_vpage_free(&pool, pg(3)), -EINVAL);		/* guard */
	assert_int_equal(vr_vpage_free(&pool, pg(8)), -EINVAL);		/* reservation's guard */
	assert_int_equal(vr_vpage_free(&pool, r + 2 * PS), -EINVAL);	/* interior of res. */
	assert_int_equal(vr_vpage_free(&pool, dead), -EINVAL);		/* double free */
	assert_int_equal(vr_vpage_free(&pool, pg(W - 1)), -EINVAL);	/* never allocated */
	assert_int_equal(vr_vpage_free(&pool, mem), -EINVAL);		/* below the window */
	assert_int_equal(vr_vpage_free(&pool, pg(W)), -EINVAL);		/* one past the end */
	assert_int_equal(vr_vpage_free(&pool, &local), -EINVAL);	/* foreign */
	assert_int_equal(vr_vpage_free(&pool, (void *)(uintptr_t)(UINTPTR_MAX & ~(uintptr_t)(PS - 1))),
			 -EINVAL);
	assert_int_equal(vr_vpage_release(&pool, r + PS), -EINVAL);
	assert_int_equal(vr_vpage_run_pages(&pool, a + PS), 0);
	assert_int_equal(vr_vpage_run_pages(&pool, NULL), 0);
	assert_int_equal(vr_vpage_run_pages(NULL, a), 0);
	assert_true(nerr > nerr0);
	assert_int_equal(strcmp(last_fn, "vr_vpage_run_pages"), 0);

	/* map / unmap / protect */
	assert_int_equal(vr_vpage_map(&pool, a, 1, VR_PERM_RW), -EINVAL);	/* not reserved */
	assert_int_equal(vr_vpage_map(&pool, r + PS, 1, VR_PERM_RW), -EINVAL);	/* mapped */
	assert_int_equal(vr_vpage_map(&pool, r, 2, VR_PERM_RW), -EINVAL);	/* part mapped */
	assert_int_equal(vr_vpage_map(&pool, r, 0, VR_PERM_RW), -EINVAL);
	assert_int_equal(vr_vpage_map(&pool, r, 1, 0), -EINVAL);
	assert_int_equal(vr_vpage_map(&pool, r, 1, 8), -EINVAL);
	assert_int_equal(vr_vpage_map(&pool, r + 2 * PS, 3, VR_PERM_RW), -EINVAL); /* into guard */
	assert_int_equal(vr_vpage_map(&pool, pg(8), 1, VR_PERM_RW), -EINVAL);	/* guard */
	assert_int_equal(vr_vpage_map(&pool, pg(20), 1, VR_PERM_RW), -EINVAL);	/* free */
	assert_int_equal(vr_vpage_map(&pool, pg(15), 1, VR_PERM_RW), -EINVAL);	/* after rr */
	assert_int_equal(vr_vpage_map(&pool, r + 1, 1, VR_PERM_RW), -EINVAL);
	assert_int_equal(vr_vpage_map(&pool, r, SIZE_MAX, VR_PERM_RW), -EINVAL);
	assert_int_equal(vr_vpage_map(&pool, pg(W - 1), 2, VR_PERM_RW), -EINVAL);
	assert_int_equal(vr_vpage_map(&pool, NULL, 1, VR_PERM_RW), -EINVAL);
	assert_int_equal(vr_vpage_unmap(&pool, r, 1), -EINVAL);			/* unmapped */
	assert_int_equal(vr_vpage_unmap(&pool, r + PS, 2), -EINVAL);
	assert_int_equal(vr_vpage_unmap(&pool, a, 1), -EINVAL);			/* allocation */
	assert_int_equal(vr_vpage_unmap(&pool, r + PS, 0), -EINVAL);
	assert_int_equal(vr_vpage_protect(&pool, r, 1, VR_PERM_R), -EINVAL);	/* unmapped */
	assert_int_equal(vr_vpage_protect(&pool, a, 4, VR_PERM_R), -EINVAL);	/* into guard */
	assert_int_equal(vr_vpage_protect(&pool, a, 1, 8), -EINVAL);
	assert_int_equal(vr_vpage_protect(&pool, a, 0, VR_PERM_R), -EINVAL);
	assert_int_equal(vr_vpage_protect(&pool, pg(3), 1, VR_PERM_R), -EINVAL);
	assert_int_equal(vr_vpage_protect(&pool, dead, 1, VR_PERM_R), -EINVAL);
	/* queries */
	assert_int_equal(vr_vpage_get_stats(&pool, NULL), -EINVAL);
	assert_int_equal(vr_vpage_for_each(&pool, NULL, NULL), -EINVAL);
	assert_int_equal(vr_vpage_pool_deinit(&pool), -EBUSY);
	assert_int_equal(vr_vpage_validate(&pool), 0);

	check_locks_unlocked();
	after = stats();
	/* only the failed map calls are counted */
	assert_int_equal(after.failures, before.failures + 14);
	after.failures = before.failures;
	assert_stats_equal(&before, &after);
	assert_int_equal(vr_flat_port_perms(&flat, a), VR_PERM_RW);
	assert_int_equal(vr_flat_port_perms(&flat, r), -ENOENT);
	assert_int_equal(vr_flat_port_perms(&flat, r + PS), VR_PERM_RW);
	assert_int_equal(vr_flat_port_mapped_pages(&flat), 5);

	/* bad allocation requests: NULL, counted, nothing else */
	before = stats();
	assert_null(vr_vpage_alloc_perm(&pool, 1, 0));
	assert_null(vr_vpage_alloc_perm(&pool, 1, 8));
	assert_null(vr_vpage_alloc_perm(&pool, 1, UINT32_MAX));
	assert_null(vr_vpage_alloc(&pool, 0));
	assert_null(vr_vpage_reserve(&pool, 0));
	assert_null(vr_vpage_alloc(&pool, W));		/* more pages than exist (with guard) */
	assert_null(vr_vpage_alloc(&pool, W + 1));
	assert_null(vr_vpage_reserve(&pool, W + 1));
	assert_null(vr_vpage_alloc(&pool, SIZE_MAX));
	assert_null(vr_vpage_alloc(&pool, SIZE_MAX - 1));	/* + guard wraps to 0 */
	assert_null(vr_vpage_reserve(&pool, SIZE_MAX));
	assert_null(vr_vpage_alloc(&pool, W - 10));	/* exists, but not free */
	check_locks_unlocked();
	after = stats();
	assert_int_equal(after.failures, before.failures + 12);
	after.failures = before.failures;
	assert_stats_equal(&before, &after);

	assert_int_equal(vr_vpage_free(&pool, a), 0);
	assert_int_equal(vr_vpage_free(&pool, b), 0);
	assert_int_equal(vr_vpage_free(&pool, r), 0);		/* unmaps its mapped page */
	assert_int_equal(vr_vpage_release(&pool, rr), 0);
	pool_down();
}

static void test_protect_and_perms(void **state)
{
	uint8_t *a;
	struct vr_port noprot;
	struct vr_vpage_pool p2;

	(void)state;
	pool_up(0);
	a = vr_vpage_alloc_perm(&pool, 4, VR_PERM_RX);
	for (int i = 0; i < 4; i++)
		assert_int_equal(vr_flat_port_perms(&flat, a + i * PS), VR_PERM_RX);
	assert_int_equal(vr_vpage_protect(&pool, a, 4, VR_PERM_R), 0);
	assert_int_equal(vr_vpage_protect(&pool, a + 3 * PS, 1, VR_PERM_NONE), 0);
	assert_int_equal(vr_vpage_protect(&pool, a + PS, 1, VR_PERM_RWX), 0);
	assert_int_equal(vr_flat_port_perms(&flat, a), VR_PERM_R);
	assert_int_equal(vr_flat_port_perms(&flat, a + PS), VR_PERM_RWX);
	assert_int_equal(vr_flat_port_perms(&flat, a + 2 * PS), VR_PERM_R);
	assert_int_equal(vr_flat_port_perms(&flat, a + 3 * PS), VR_PERM_NONE);
	assert_int_equal(vr_vpage_free(&pool, a), 0);	/* frees whatever the perms */
	assert_int_equal(vr_vpage_pool_deinit(&pool), 0);

	/* a port that cannot protect: -ENOTSUP, nothing changes */
	noprot = *port;
	noprot.protect = NULL;
	assert_int_equal(vr_vpage_pool_init(&p2, &noprot, NULL), 0);
	a = vr_vpage_alloc(&p2, 1);
	assert_non_null(a);
	assert_int_equal(vr_vpage_protect(&p2, a, 1, VR_PERM_R), -ENOTSUP);
	assert_int_equal(vr_flat_port_perms(&flat, a), VR_PERM_RW);
	assert_int_equal(vr_vpage_free(&p2, a), 0);
	assert_int_equal(vr_vpage_pool_deinit(&p2), 0);
	assert_int_equal(vr_flat_port_deinit(&flat), 0);
}

static int count_cb(void *arg, void *start, size_t npages, enum vr_vpage_kind kind)
{
	size_t *n = arg;

	(void)start; (void)npages; (void)kind;
	return ++*n == 2 ? 42 : 0;
}

/* Reservations: piecewise mapping (LLEXT), release unmaps the pieces. */
static void test_reservation(void **state)
{
	uint8_t *r, *a;
	size_t n = 0;

	(void)state;
	pool_up(0);
	r = vr_vpage_reserve(&pool, 8);
	a = vr_vpage_alloc(&pool, 2);
	assert_ptr_equal(a, pg(8));
	assert_int_equal(stats().ppages_free, W - 2);
	assert_int_equal(vr_vpage_map(&pool, r + 1 * PS, 2, VR_PERM_RX), 0);	/* .text */
	assert_int_equal(vr_vpage_map(&pool, r + 4 * PS, 1, VR_PERM_R), 0);	/* .rodata */
	assert_int_equal(vr_vpage_map(&pool, r + 5 * PS, 3, VR_PERM_RW), 0);	/* .data to the end */
	assert_int_equal(stats().ppages_free, W - 8);
	assert_int_equal(vr_flat_port_perms(&flat, r), -ENOENT);
	assert_int_equal(vr_flat_port_perms(&flat, r + 2 * PS), VR_PERM_RX);
	assert_int_equal(vr_flat_port_perms(&flat, r + 7 * PS), VR_PERM_RW);
	/* unmap across two earlier maps (P3 allows it) */
	assert_int_equal(vr_vpage_unmap(&pool, r + 4 * PS, 2), 0);
	assert_int_equal(vr_flat_port_perms(&flat, r + 5 * PS), -ENOENT);
	assert_int_equal(vr_vpage_validate(&pool), 0);
	assert_int_equal(vr_vpage_for_each(&pool, count_cb, &n), 42);	/* early stop */
	assert_int_equal(n, 2);
	assert_int_equal(vr_vpage_release(&pool, r), 0);	/* 2 pieces left: unmapped */
	assert_int_equal(vr_flat_port_mapped_pages(&flat), 2);
	assert_int_equal(stats().live_reserved, 0);
	assert_int_equal(vr_vpage_free(&pool, a), 0);
	pool_down();
}

/* A port with a (fake) uncached alias at a fixed offset: free accepts both. */
#define ALIAS_OFF ((uintptr_t)0x10000000u)
static struct vr_port aliased;
static void *al_to_uncached(void *ctx, void *p) { (void)ctx; return (uint8_t *)p + ALIAS_OFF; }
static void *al_to_cached(void *ctx, void *p)
{
	(void)ctx;
	return (uintptr_t)p - aliased.window_base >= ALIAS_OFF ? (uint8_t *)p - ALIAS_OFF : p;
}
static bool al_is_uncached(void *ctx, const void *p)
{
	uintptr_t a = (uintptr_t)p, lo = aliased.window_base + ALIAS_OFF;

	(void)ctx;
	return a >= lo && a - lo < aliased.window_pages * aliased.page_size;
}

static void test_aliases(void **state)
{
	struct vr_vpage_pool p2;
	uint8_t *a, *b, *ua;

	(void)state;
	flat_up();
	aliased = *port;
	aliased.to_uncached = al_to_uncached;
	aliased.to_cached = al_to_cached;
	aliased.is_uncached = al_is_uncached;
	assert_int_equal(vr_vpage_pool_init(&p2, &aliased, NULL), 0);
	a = vr_vpage_alloc(&p2, 2);
	b = vr_vpage_reserve(&p2, 2);
	ua = al_to_uncached(NULL, a);
	assert_int_equal(vr_vpage_run_pages(&p2, ua), 2);
	assert_int_equal(vr_vpage_free(&p2, ua + PS), -EINVAL);		/* interior, uncached */
	assert_int_equal(vr_vpage_free(&p2, ua), 0);			/* uncached start */
	assert_int_equal(vr_vpage_free(&p2, a), -EINVAL);		/* and not twice */
	assert_int_equal(vr_vpage_map(&p2, al_to_uncached(NULL, b), 1, VR_PERM_RW), 0);
	assert_int_equal(vr_flat_port_perms(&flat, b), VR_PERM_RW);	/* cached alias mapped */
	assert_int_equal(vr_vpage_release(&p2, al_to_uncached(NULL, b)), 0);
	assert_int_equal(vr_vpage_validate(&p2), 0);
	assert_int_equal(vr_vpage_pool_deinit(&p2), 0);
	assert_int_equal(vr_flat_port_deinit(&flat), 0);
}

/* validate() finds corruption it is told about, and names it. */
static void test_validate_detects(void **state)
{
	uint8_t *a;
	vr_bitmap_word_t save;
	uint32_t hsave;
	size_t csave;

	(void)state;
	pool_up(1);
	a = vr_vpage_alloc(&pool, 3);
	assert_non_null(vr_vpage_reserve(&pool, 2));
	assert_int_equal(vr_vpage_validate(&pool), 0);

	save = pool.used.words[0];
	pool.used.words[0] &= ~((vr_bitmap_word_t)1 << 3);		/* guard page freed */
	nerr = 0;
	assert_int_equal(vr_vpage_validate(&pool), -EFAULT);
	assert_int_equal(nerr, 1);
	assert_int_equal(strcmp(last_fn, "vr_vpage_validate"), 0);
	pool.used.words[0] |= (vr_bitmap_word_t)1 << 20;		/* orphan used page */
	pool.used.words[0] |= (vr_bitmap_word_t)1 << 3;
	assert_int_equal(vr_vpage_validate(&pool), -EFAULT);
	pool.used.words[0] = save;

	save = pool.mapped.words[0];
	pool.mapped.words[0] &= ~((vr_bitmap_word_t)1 << 1);		/* allocation hole */
	assert_int_equal(vr_vpage_validate(&pool), -EFAULT);
	pool.mapped.words[0] = save | ((vr_bitmap_word_t)1 << 3);	/* guard mapped */
	assert_int_equal(vr_vpage_validate(&pool), -EFAULT);
	pool.mapped.words[0] = save;

	hsave = pool.run[0];
	pool.run[0] = hsave + 4;				/* length + 1 */
	assert_int_equal(vr_vpage_validate(&pool), -EFAULT);
	pool.run[0] = (hsave & ~3u) | 3u;			/* bad kind */
	assert_int_equal(vr_vpage_validate(&pool), -EFAULT);
	pool.run[0] = hsave;
	pool.run[1] = hsave;					/* header inside a run */
	assert_int_equal(vr_vpage_validate(&pool), -EFAULT);
	pool.run[1] = 0;

	csave = pool.free_vpages;
	pool.free_vpages++;
	assert_int_equal(vr_vpage_validate(&pool), -EFAULT);
	pool.free_vpages = csave;
	pool.live_allocs++;
	assert_int_equal(vr_vpage_validate(&pool), -EFAULT);
	pool.live_allocs--;
	pool.mapped_pages--;
	assert_int_equal(vr_vpage_validate(&pool), -EFAULT);
	pool.mapped_pages++;
	save = pool.starts.words[0];
	pool.starts.words[0] |= (vr_bitmap_word_t)1 << 1;
	assert_int_equal(vr_vpage_validate(&pool), -EFAULT);
	pool.starts.words[0] = save;
	/* a start on a free page (the last one) */
	pool.starts.words[(W - 1) / VR_BITMAP_WORD_BITS] |=
		(vr_bitmap_word_t)1 << ((W - 1) % VR_BITMAP_WORD_BITS);
	assert_int_equal(vr_vpage_validate(&pool), -EFAULT);
	pool.starts.words[(W - 1) / VR_BITMAP_WORD_BITS] = 0;

	/* the pool's own fields: geometry, metadata layout, lock */
	{
		struct vr_vpage_pool keep = pool;

		pool.page_shift++;
		assert_int_equal(vr_vpage_validate(&pool), -EFAULT);
		pool = keep;
		pool.meta_bytes -= 4;
		assert_int_equal(vr_vpage_validate(&pool), -EFAULT);
		pool = keep;
		pool.mapped.words = pool.used.words;	/* two bitmaps on one storage */
		assert_int_equal(vr_vpage_validate(&pool), -EFAULT);
		pool = keep;
		pool.guard_pages = 0;
		assert_int_equal(vr_vpage_validate(&pool), -EFAULT);
		pool = keep;
		pool.guard_pages = 2;
		assert_int_equal(vr_vpage_validate(&pool), -EFAULT);
		pool = keep;
		pool.lock = NULL;			/* the port has locks */
		assert_int_equal(vr_vpage_validate(&pool), -EFAULT);
		pool = keep;
	}

	assert_int_equal(vr_vpage_validate(&pool), 0);
	assert_int_equal(vr_vpage_free(&pool, a), 0);
	assert_int_equal(vr_vpage_free(&pool, pg(4)), 0);
	pool_down();
}

/*
 * Upstream kept page counts in u16: runs of 65536 pages or more truncated.
 * A port with no memory behind it (vpage never touches the window) and a
 * window of 70 000 pages: runs of 65 535, 65 536 and 65 537 pages come and
 * go with their exact length.
 */
#define BIG_W 70000u
static _Alignas(16) uint8_t big_meta[4 * BIG_W + 24 * (BIG_W / 64 + 1)];
static size_t null_mapped;
static int null_map(void *c, void *v, size_t n, unsigned p) { (void)c; (void)v; (void)p; null_mapped += n; return 0; }
static int null_unmap(void *c, void *v, size_t n) { (void)c; (void)v; null_mapped -= n; return 0; }
static void *null_meta_alloc(void *c, size_t n) { (void)c; return n <= sizeof(big_meta) ? big_meta : NULL; }
static void null_meta_free(void *c, void *p, size_t n) { (void)c; (void)p; (void)n; }

static void test_large_runs(void **state)
{
	static const size_t sizes[] = { 65535, 65536, 65537, BIG_W };
	struct vr_port np = {
		.page_size = 64, .window_base = (uintptr_t)0x40000000u, .window_pages = BIG_W,
		.phys_pages = BIG_W, .map = null_map, .unmap = null_unmap,
		.meta_alloc = null_meta_alloc, .meta_free = null_meta_free,
	};
	struct vr_vpage_pool p2;
	struct vr_vpage_stats st;

	(void)state;
	assert_int_equal(vr_vpage_meta_bytes(&np), 4 * BIG_W + 24 * ((BIG_W + 63) / 64));
	assert_int_equal(vr_vpage_pool_init(&p2, &np, NULL), 0);
	for (size_t i = 0; i < 4; i++) {
		void *a = vr_vpage_alloc(&p2, sizes[i]);
		void *b = vr_vpage_alloc(&p2, BIG_W - sizes[i]);	/* NULL when 0 */

		assert_ptr_equal(a, (void *)np.window_base);
		assert_int_equal(vr_vpage_run_pages(&p2, a), sizes[i]);
		assert_int_equal(null_mapped, BIG_W - (b ? 0 : BIG_W - sizes[i]));
		assert_int_equal(vr_vpage_get_stats(&p2, &st), 0);
		assert_int_equal(st.vpages_free, b ? 0 : BIG_W - sizes[i]);
		assert_int_equal(vr_vpage_validate(&p2), 0);
		if (b)
			assert_int_equal(vr_vpage_free(&p2, b), 0);
		assert_int_equal(vr_vpage_free(&p2, a), 0);
		assert_int_equal(null_mapped, 0);
	}
	assert_null(vr_vpage_alloc(&p2, BIG_W + 1));
	assert_int_equal(vr_vpage_pool_deinit(&p2), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sizing_and_init_errors),
		cmocka_unit_test(test_invalid_pool),
		cmocka_unit_test(test_boundaries),
		cmocka_unit_test(test_upstream_sequence),
		cmocka_unit_test(test_many_non_lifo),
		cmocka_unit_test(test_random_model),
		cmocka_unit_test(test_zeroed_on_reuse),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_protect_and_perms),
		cmocka_unit_test(test_reservation),
		cmocka_unit_test(test_aliases),
		cmocka_unit_test(test_validate_detects),
		cmocka_unit_test(test_large_runs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
