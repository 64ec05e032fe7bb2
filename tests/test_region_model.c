/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_region_model.c - random operation sequences against a model, on the
 * flat port (runs on every target). validate() after every operation, a fill
 * pattern checked before every free and after every reset.
 *
 * The model predicts the LIFETIME phase exactly (the bump allocator is fully
 * specified: every returned offset and every failure is checked). For the
 * INTERIM phase it checks what any correct heap must give: alignment, bounds
 * inside the interim part, no overlap with any live block, stats counters.
 * Bogus frees (interior, misaligned, double, foreign, after reset) are mixed
 * in and must change nothing. Seeds, region flags and min_align vary.
 */
#include "region_fixture.h"
#include "region_model.h"

#define MAXB 192

struct blk {
	uint8_t *p;
	size_t size;
	uint8_t pat;
	bool interim;
};

static struct blk live[MAXB];
static unsigned nlive;
static uint8_t *dead_lt[MAXB];		/* freed lifetime starts (double-free bait) */
static unsigned ndead;

/* model of the lifetime bump allocator: the shared rule (region_model.h)
 * over offsets, and the counters */
struct lmodel {
	struct vr_lt_model lt;	/* bump = offset, end = region size */
	size_t bump;		/* = lt.bump */
	size_t size;
	size_t min_align;
	size_t allocs, frees;
};

static size_t up(size_t x, size_t a)
{
	return vr_model_up(x, a);
}

/* offset the region must return, or SIZE_MAX for a failure */
static size_t lmodel_alloc(struct lmodel *m, size_t size, size_t align, bool coherent)
{
	uintptr_t at;

	m->lt.bump = m->bump;
	m->lt.end = m->size;
	m->lt.min_align = m->min_align;
	m->lt.line = LINE;
	if (!vr_model_alloc(&m->lt, size, align, coherent, &at))
		return SIZE_MAX;
	m->bump = m->lt.bump;
	m->allocs++;
	return at;
}

static void drop(unsigned i)
{
	live[i] = live[--nlive];
}

static void check_no_overlap(const uint8_t *p, size_t size)
{
	unsigned i;

	for (i = 0; i < nlive; i++)
		if (p < live[i].p + live[i].size && live[i].p < p + size)
			fail_msg("block %p+%u overlaps live %p+%u", (const void *)p, (unsigned)size,
				 (const void *)live[i].p, (unsigned)live[i].size);
}

static void check_stats(struct vr_region *vr, const struct lmodel *m, bool interim)
{
	struct vr_region_stats st = t_st(vr);
	unsigned i, ni = 0;

	for (i = 0; i < nlive; i++)
		ni += live[i].interim;
	assert_int_equal(st.lifetime_allocs, m->allocs);
	assert_int_equal(st.lifetime_frees, m->frees);
	assert_int_equal(st.lifetime_used, m->bump);
	assert_int_equal(st.interim_live, interim ? ni : 0);
	assert_int_equal(st.outstanding, nlive);
}

static void run_seed(uint32_t seed, size_t min_align, unsigned flags, unsigned nops)
{
	static const size_t aligns[] = { 0, 0, 0, 8, 16, 64, 128, 256, 1024 };
	struct vr_region *vr;
	struct lmodel m;
	bool interim = false;
	uint8_t *base;
	size_t size = 12 * PAGE, ib = 0, out = 0;
	unsigned op, i, switch_at;
	uint8_t next_pat = 1;
	int rc;

	t_rng = seed;
	nlive = 0;
	ndead = 0;
	vr = t_mk(size, min_align, flags);
	assert_non_null(vr);
	base = (uint8_t *)t_base(vr);
	memset(&m, 0, sizeof(m));
	m.size = size;
	m.min_align = t_st(vr).min_align;
	switch_at = nops / 4 + t_rand() % (nops / 2);

	for (op = 0; op < nops; op++) {
		uint32_t r = t_rand() % 100;

		if (!interim && op == switch_at) {
			size_t step = (flags & VR_REGION_SEAL) ? PAGE :
				(LINE > m.min_align ? LINE : m.min_align);

			ib = up(m.bump, step);
			rc = vr_region_set_interim(vr);
			/* INVALID iff a fresh heap there (granule min_align) could
			 * not grant one min_align block (tested in test_heap) */
			if (vr_heap_fresh_max_granule(base + ib, size - ib, m.min_align, m.min_align) <
			    m.min_align) {
				assert_int_equal(rc, -ENOSPC);
				assert_int_equal(vr_region_phase(vr), VR_REGION_INVALID);
				/* INVALID: nothing more to allocate; free the rest below */
				break;
			}
			assert_int_equal(rc, 0);
			assert_int_equal(t_st(vr).lifetime_size, ib);
			assert_int_equal(t_st(vr).interim_size, size - ib);
			interim = true;
		} else if (r < 55 && nlive < MAXB) {
			/* allocate */
			size_t sz = 1 + t_rand() % (interim ? 1500 : 500);
			size_t al = aligns[t_rand() % (sizeof(aligns) / sizeof(aligns[0]))];
			bool coh = t_rand() % 8 == 0;
			uint8_t *p;

			if (coh)
				p = al ? vr_region_alloc_coherent_align(vr, sz, al)
				       : vr_region_alloc_coherent(vr, sz);
			else
				p = al ? vr_region_alloc_align(vr, sz, al) : vr_region_alloc(vr, sz);
			if (!interim) {
				size_t want = lmodel_alloc(&m, sz, al, coh);

				if (want == SIZE_MAX)
					assert_null(p);
				else
					assert_ptr_equal(p, base + want);
			} else if (p) {
				size_t a = al > m.min_align ? al : m.min_align;

				if (coh && a < LINE)
					a = LINE;
				assert_int_equal((uintptr_t)p % a, 0);
				assert_true(p >= base + ib && p + sz <= base + size);
			}
			if (p) {
				check_no_overlap(p, sz);
				live[nlive].p = p;
				live[nlive].size = sz;
				live[nlive].pat = next_pat;
				live[nlive].interim = interim;
				t_fill(p, sz, next_pat);
				next_pat = (uint8_t)(next_pat % 250 + 1);
				nlive++;
			}
		} else if (r < 85 && nlive) {
			/* free a live block, pattern checked first */
			i = t_rand() % nlive;
			t_check(live[i].p, live[i].size, live[i].pat);
			assert_int_equal(vr_region_free(vr, live[i].p), 0);
			if (!live[i].interim) {
				m.frees++;
				if (ndead < MAXB)
					dead_lt[ndead++] = live[i].p;
			}
			drop(i);
		} else if (r < 95) {
			/* a bogus free: must be refused and change nothing */
			struct vr_region_stats before = t_st(vr);
			uint8_t *bad;
			int local;

			switch (t_rand() % 4) {
			case 0:
				bad = nlive ? live[t_rand() % nlive].p + 1 + t_rand() % 7 : base + 3;
				break;
			case 1:
				bad = ndead ? dead_lt[t_rand() % ndead] : base - 1;
				break;
			case 2:
				bad = (uint8_t *)&local;
				break;
			default:
				bad = base + size + t_rand() % PAGE;
				break;
			}
			rc = vr_region_free(vr, bad);
			assert_true(rc == -EINVAL || rc == -EFAULT);
			assert_int_equal(t_st(vr).errors, before.errors + 1);
			assert_int_equal(t_st(vr).outstanding, before.outstanding);
		} else if (interim && r < 97) {
			/* interim reset: interim blocks vanish, lifetime ones stay */
			assert_int_equal(vr_region_interim_reset(vr), 0);
			for (i = 0; i < nlive;) {
				if (live[i].interim)
					drop(i);
				else
					i++;
			}
		} else {
			/* spot check of every pattern */
			for (i = 0; i < nlive; i++)
				t_check(live[i].p, live[i].size, live[i].pat);
			/* interim_largest_free is exactly the largest request
			 * vr_region_alloc grants now (issue 10.4: it was a bound,
			 * and +k still succeeded in 40% of random probes) */
			if (interim) {
				struct vr_region_stats st = t_st(vr);
				uint8_t *big;
				size_t k;

				for (k = 1; k <= 2 * m.min_align; k += 1 + t_rand() % 8) {
					big = vr_region_alloc(vr, st.interim_largest_free + k);
					if (big)
						fail_msg("op %u: largest free %u + %u granted (min_align %u)",
							 op, (unsigned)st.interim_largest_free, (unsigned)k,
							 (unsigned)m.min_align);
				}
				if (st.interim_largest_free) {
					big = vr_region_alloc(vr, st.interim_largest_free);
					if (!big)
						fail_msg("op %u: largest free %u refused (min_align %u, used %u, live %u)",
							 op, (unsigned)st.interim_largest_free,
							 (unsigned)m.min_align, (unsigned)st.interim_used,
							 (unsigned)st.interim_live);
					check_no_overlap(big, st.interim_largest_free);
					assert_int_equal(vr_region_free(vr, big), 0);
				}
			}
		}
		assert_int_equal(vr_region_validate(vr), 0);
		check_stats(vr, &m, interim);
	}

	/* free everything but a few, then the last put reports those */
	while (nlive > 3) {
		i = t_rand() % nlive;
		t_check(live[i].p, live[i].size, live[i].pat);
		assert_int_equal(vr_region_free(vr, live[i].p), 0);
		if (!live[i].interim)
			m.frees++;
		drop(i);
		assert_int_equal(vr_region_validate(vr), 0);
	}
	check_stats(vr, &m, interim);
	assert_null(vr_region_put_report(vr, &out));
	assert_int_equal(out, nlive);
	assert_int_equal(t_pool_live(), 0);
}

static void test_model_default(void **state)
{
	uint32_t s;

	(void)state;
	for (s = 1; s <= 6; s++)
		run_seed(s * 2654435761u, 0, 0, 400);
}

static void test_model_min16_nolock(void **state)
{
	uint32_t s;

	(void)state;
	for (s = 1; s <= 6; s++)
		run_seed(s * 40503u + 7, 16, VR_REGION_NOLOCK, 400);
}

static void test_model_seal_guard(void **state)
{
	uint32_t s;

	(void)state;
	for (s = 1; s <= 6; s++)
		run_seed(s * 69069u + 1, 0, VR_REGION_SEAL | VR_REGION_GUARD, 400);
}

static void test_model_min128(void **state)
{
	uint32_t s;

	(void)state;
	for (s = 1; s <= 4; s++)
		run_seed(s * 1103515245u + 12345, 128, 0, 400);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_model_default, t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_model_min16_nolock, t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_model_seal_guard, t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_model_min128, t_setup, t_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
