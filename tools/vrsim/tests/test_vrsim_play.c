/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_vrsim_play.c - the player on the real library: what it records per
 * region (the upstream ztest vectors), references, interim reset, expected
 * and unexpected failures, surprises, skipped events, pool limits, the leak
 * check and region size overrides.
 */
#include <stdio.h>
#include <stdlib.h>

#include "vr_test.h"

#include "play.h"

struct run {
	struct vrs_scenario sc;
	struct vrs_result r;
};

static void play_text(struct run *p, const char *text, const size_t *ov)
{
	struct vrs_diags dg;
	struct vrs_play_opts o = { .flags = VRS_PLAY_RECORD | VRS_PLAY_VALIDATE, .size_override = ov };
	int rc = vrs_load("t.vrs", text, strlen(text), 4096, &p->sc, &dg);

	if (rc) {
		print_message("parse: line %u: %s\n", dg.n ? dg.d[0].line : 0,
			      dg.n ? dg.d[0].msg : "?");
		fail();
	}
	assert_int_equal(vrs_play(&p->sc, &o, &p->r), 0);
	/* whatever the scenario does, the library must behave */
	if (p->r.liberr_total) {
		print_message("library error: %s\n", p->r.liberr[0]);
		fail();
	}
}

static void done(struct run *p)
{
	vrs_result_free(&p->r);
	vrs_scenario_free(&p->sc);
}

static const struct vrs_region_rec *rec(struct run *p, const char *name)
{
	uint32_t k = vrs_find_object(&p->sc, name);

	assert_int_not_equal(k, VRS_NONE);
	return &p->r.reg[k];
}

/* The upstream ztest vectors (SYSTEM.md section 3). */
static void test_ztest_vectors(void **state)
{
	static const char text[] =
		"platform phys=16 virt=16\n"
		"pipeline Z\nmodule Z.m dp size=12K\n"
		"alloc Z.m.a 6000\nalloc Z.m.b 5000 align=16\nalloc Z.m.c 6000 expect=fail\n"
		"free Z.m.a\nfree Z.m.b\ncomplete Z.m\n"
		"alloc Z.m.d 20\nalloc Z.m.e 1000 align=16\nalloc Z.m.f 2000 expect=fail\n"
		"free Z.m.d\nfree Z.m.e\nalloc Z.m.g 1000\n"
		"destroy Z.m\ndestroy Z\n";
	const struct vrs_region_rec *q;
	struct run p;

	(void)state;
	play_text(&p, text, NULL);
	q = rec(&p, "Z.m");
	assert_true(q->is_region);
	assert_int_equal(q->pages, 3);
	assert_int_equal(q->lifetime_used, 6016 + 5056);
	assert_int_equal(q->lifetime_size, 11072);
	assert_int_equal(q->interim_size, 12288 - 11072);
	assert_int_equal(q->expected, 2);
	assert_int_equal(q->unexpected, 0);
	assert_int_equal(q->surprises, 0);
	assert_int_equal(q->nfails, 2);
	assert_int_equal(q->fails[0].line, 6);
	assert_int_equal(q->fails[0].phase, 0);
	assert_int_equal(q->fails[0].largest_free, 12288 - 11072);
	assert_int_equal(q->fails[1].line, 12);
	assert_int_equal(q->fails[1].phase, 1);
	assert_int_equal(q->allocs, 5);
	assert_int_equal(q->frees, 5);
	assert_true(vrs_result_clean(&p.r));
	assert_true(p.r.leak_ok);
	assert_int_equal(p.r.vpeak, 4);		/* 3 pages + the guard page */
	assert_int_equal(p.r.ppeak, 3);
	done(&p);
}

/* A DP module destroyed before its buffers: the region lives on until the
 * last unbind, and its pages go back exactly then. */
static void test_references(void **state)
{
	static const char text[] =
		"platform phys=32 virt=32\n"
		"pipeline P\nmodule P.a ll\nmodule P.d dp size=8K\n"	/* 2-4 */
		"bind P.a P.d as B1\nbind P.d P.a as B2\n"		/* 5-6 */
		"alloc B1.x 100\nalloc B2.y 200\n"			/* 7-8 */
		"destroy P.d\n"						/* 9 */
		"unbind B1\n"						/* 10 */
		"unbind B2\n"						/* 11 */
		"destroy P.a\ndestroy P\n";
	const struct vrs_region_rec *q;
	struct run p;
	size_t i;

	(void)state;
	play_text(&p, text, NULL);
	q = rec(&p, "P.d");
	assert_int_equal(q->refs_max, 3);
	assert_int_equal(q->nrefhist, 6);
	{
		static const unsigned refs[] = { 1, 2, 3, 2, 1, 0 };
		static const unsigned lines[] = { 4, 5, 6, 9, 10, 11 };

		for (i = 0; i < 6; i++) {
			assert_int_equal(q->refhist[i].refs, refs[i]);
			assert_int_equal(q->refhist[i].line, lines[i]);
		}
	}
	/* buffers allocate in the dp region; their frees come with unbind */
	assert_int_equal(q->allocs, 2);
	assert_int_equal(q->frees, 2);
	/* pages: 2 + guard while alive, back after line 11 */
	for (i = 0; i < p.sc.nevs; i++) {
		unsigned line = p.sc.evs[i].line;

		if (line >= 4 && line <= 10)
			assert_int_equal(p.r.samples[i].vused, 3);
		if (line >= 11)
			assert_int_equal(p.r.samples[i].vused, 0);
	}
	assert_true(vrs_result_clean(&p.r));
	done(&p);
}

/* A buffer bound with `heap` is in the system heap: no reference on any
 * region, even between two modules of a pipeline with a region. */
static void test_heap_bind(void **state)
{
	static const char text[] =
		"platform phys=32 virt=32\n"
		"pipeline P size=8K\nmodule P.a ll\nmodule P.b ll\n"	/* 2-4 */
		"bind P.a P.b as H heap\n"				/* 5 */
		"bind P.a P.b as R\n"					/* 6 */
		"unbind H\nunbind R\ndestroy P.a\ndestroy P.b\ndestroy P\n";
	const struct vrs_region_rec *q;
	struct run p;

	(void)state;
	play_text(&p, text, NULL);
	q = rec(&p, "P");
	assert_int_equal(q->refs_max, 4);	/* P, P.a, P.b, R: not H */
	assert_int_equal(q->refhist[3].line, 6);
	assert_int_equal(q->refhist[3].refs, 4);
	assert_int_equal(q->refhist[4].line, 8);	/* unbind H (7) took nothing away */
	assert_true(vrs_result_clean(&p.r));
	done(&p);
}

/* Interim reset drops every interim allocation at once: afterwards the whole
 * heap is available again, lifetime data stays. */
static void test_interim_reset(void **state)
{
	static const char text[] =
		"platform phys=32 virt=32\n"
		"pipeline P size=8K\n"
		"alloc P.life 1000\n"
		"complete P\nstart P\n"
		"alloc P.a 3000\nalloc P.b 3000\n"
		"alloc P.c 3000 expect=fail\n"		/* 7: the heap is ~7 KiB */
		"stop P\nreset P interim-reset\nstart P\n"
		"alloc P.a 3000\nalloc P.b 3000\n"	/* 12-13: fit again */
		"stop P\nreset P\ndestroy P\n";
	const struct vrs_region_rec *q;
	struct run p;

	(void)state;
	play_text(&p, text, NULL);
	q = rec(&p, "P");
	assert_int_equal(q->expected, 1);
	assert_int_equal(q->unexpected, 0);
	assert_int_equal(q->lifetime_used, 1024);
	assert_true(q->interim_peak >= 6000);
	assert_true(vrs_result_clean(&p.r));
	done(&p);
}

/* Not expected: counted, named with its line, the play is not clean. */
static void test_unexpected_and_surprise(void **state)
{
	static const char text[] =
		"platform phys=32 virt=32\n"
		"pipeline P size=4K\n"
		"alloc P.a 3000\n"
		"alloc P.b 3000\n"			/* 4: unexpected */
		"alloc P.c 64 expect=fail\n"		/* 5: surprise */
		"free P.b\n"				/* 6: skipped (it failed) */
		"destroy P\n";
	const struct vrs_region_rec *q;
	struct run p;

	(void)state;
	play_text(&p, text, NULL);
	q = rec(&p, "P");
	assert_int_equal(q->unexpected, 1);
	assert_int_equal(q->surprises, 1);
	assert_int_equal(q->expected, 0);
	assert_int_equal(q->nfails, 2);
	assert_int_equal(q->fails[0].line, 4);
	assert_false(q->fails[0].expected);
	assert_int_equal(q->fails[1].line, 5);
	assert_true(q->fails[1].surprise);
	assert_int_equal(p.r.skipped, 1);
	assert_false(vrs_result_clean(&p.r));
	assert_true(p.r.leak_ok);
	done(&p);
}

/* A region that cannot be created: one failure, everything that depends on
 * it skipped, no cascade. */
static void test_create_failure_skips(void **state)
{
	static const char text[] =
		"platform phys=8 virt=8\n"
		"pipeline P size=64K\n"			/* 16 pages > 8 */
		"module P.a ll\nalloc P.a.x 10\nalloc P.y 10\n"
		"complete P\nstart P\nalloc P.z 10\nstop P\nreset P interim-reset\n"
		"destroy P.a\ndestroy P\n";
	const struct vrs_region_rec *q;
	struct run p;

	(void)state;
	play_text(&p, text, NULL);
	q = rec(&p, "P");
	assert_int_equal(q->instances, 1);
	assert_int_equal(q->created, 0);
	assert_int_equal(q->unexpected, 1);
	assert_int_equal(q->fails[0].kind, VRS_EV_PIPELINE);
	assert_int_equal(q->create_unexpected, 1);
	assert_int_equal(q->fails[0].size, 65536);
	assert_int_equal(q->fails[0].phys_free, 8);
	assert_int_equal(p.r.unexpected, 1);
	/* nothing was ever mapped: the pool "at its peak" is the empty window */
	assert_int_equal(p.r.vpeak, 0);
	assert_int_equal(p.r.frag_free_at_peak, 8);
	assert_int_equal(p.r.frag_largest_at_peak, 8);
	assert_int_equal(p.r.skipped, 5);	/* 3 allocs, set_interim, interim reset */
	assert_true(p.r.leak_ok);
	done(&p);
}

/* Contiguity: enough free pages, no run long enough (expected); and the
 * pool's fragmentation figures. */
static void test_pool_fragmentation(void **state)
{
	static const char text[] =
		"platform phys=32 virt=32 guard=1\n"
		"pipeline A\n"
		"module A.m1 dp size=16K\nmodule A.m2 dp size=8K\nmodule A.m3 dp size=16K\n"
		"module A.m4 dp size=8K\nmodule A.m5 dp size=16K\nmodule A.m6 dp size=8K\n"
		"destroy A.m1\ndestroy A.m3\ndestroy A.m5\n"		/* 9-11 */
		"module A.big dp size=40K expect=fail\n"		/* 12 */
		"destroy A.m2\ndestroy A.m4\ndestroy A.m6\n"
		"module A.big dp size=40K\ndestroy A.big\ndestroy A\n";
	const struct vrs_region_rec *q;
	struct run p;

	(void)state;
	play_text(&p, text, NULL);
	q = rec(&p, "A.big");
	assert_int_equal(q->instances, 2);
	assert_int_equal(q->created, 1);
	assert_int_equal(q->expected, 1);
	assert_int_equal(q->fails[0].line, 12);
	assert_int_equal(q->fails[0].largest_free, 8 * 4096);
	assert_int_equal(p.r.vpeak, 24);
	/* after line 11: 23 free pages, the largest run 8 */
	assert_int_equal(p.r.worst_frag_free, 23);
	assert_int_equal(p.r.worst_frag_largest, 8);
	assert_int_equal(p.r.min_largest_run, 8);
	assert_true(vrs_result_clean(&p.r));
	done(&p);
}

/* Physical pages run out before virtual ones. */
static void test_physical_limit(void **state)
{
	static const char text[] =
		"platform phys=6 virt=32 guard=1\n"
		"pipeline A\n"
		"module A.a dp size=16K\n"
		"module A.b dp size=12K expect=fail\n"	/* 4 + 3 > 6 */
		"module A.c dp size=8K\n"		/* 4 + 2 = 6 */
		"destroy A.a\ndestroy A.c\ndestroy A\n";
	struct run p;

	(void)state;
	play_text(&p, text, NULL);
	assert_int_equal(rec(&p, "A.b")->expected, 1);
	/* the record says why: a run of 4 virtual pages was free, 2 physical */
	assert_int_equal(rec(&p, "A.b")->fails[0].size, 12288);
	assert_int_equal(rec(&p, "A.b")->fails[0].phys_free, 2);
	assert_true(rec(&p, "A.b")->fails[0].largest_free >= 4 * 4096);
	assert_int_equal(rec(&p, "A.b")->create_unexpected, 0);
	assert_int_equal(rec(&p, "A.c")->created, 1);
	assert_int_equal(p.r.ppeak, 6);
	assert_true(vrs_result_clean(&p.r));
	done(&p);
}

/* What the scenario forgets is a leak, named; the player still cleans up. */
static void test_leak_check(void **state)
{
	static const char text[] =
		"platform phys=32 virt=32\n"
		"pipeline P size=8K\nmodule P.a ll\nmodule P.d dp size=4K\n"
		"bind P.a P.d as B\n"
		"destroy P.d\n";
	struct run p;
	unsigned i;
	bool named_p = false, named_b = false, pages = false;

	(void)state;
	play_text(&p, text, NULL);
	assert_false(p.r.leak_ok);
	assert_false(vrs_result_clean(&p.r));
	assert_int_equal(p.r.leak_regions, 2);	/* P (pipeline + P.a) and P.d (held by B) */
	assert_int_equal(p.r.leak_vpages, 2 + 1 + 1 + 1);
	assert_int_equal(p.r.leak_ppages, 3);
	for (i = 0; i < p.r.nleaks; i++) {
		named_p |= strstr(p.r.leaks[i], "pipeline 'P' still exists") != NULL;
		named_b |= strstr(p.r.leaks[i], "buffer 'B' still exists") != NULL;
		pages |= strstr(p.r.leaks[i], "5 virtual and 3 physical pages") != NULL;
	}
	assert_true(named_p);
	assert_true(named_b);
	assert_true(pages);
	done(&p);
}

/* --region: the override is what is played. */
static void test_size_override(void **state)
{
	static const char text[] =
		"platform phys=32 virt=32\n"
		"pipeline P size=4K\nalloc P.a 6000\ndestroy P\n";
	size_t ov[1] = { 8192 };
	struct run p;

	(void)state;
	play_text(&p, text, NULL);
	assert_int_equal(rec(&p, "P")->unexpected, 1);
	done(&p);
	play_text(&p, text, ov);
	assert_int_equal(rec(&p, "P")->unexpected, 0);
	done(&p);
	/* a creation failure records the size as played, not as written */
	ov[0] = 64 * 4096;
	play_text(&p, text, ov);
	assert_int_equal(rec(&p, "P")->create_unexpected, 1);
	assert_int_equal(rec(&p, "P")->fails[0].size, 64 * 4096);
	done(&p);
	ov[0] = 8192;
	play_text(&p, text, ov);
	assert_int_equal(rec(&p, "P")->unexpected, 0);
	assert_int_equal(rec(&p, "P")->requested, 8192);
	assert_int_equal(rec(&p, "P")->pages, 2);
	assert_true(vrs_result_clean(&p.r));
	done(&p);
}

/* set_interim with too little space: the region is invalid, later
 * allocations fail; expected when marked. */
static void test_invalid_region(void **state)
{
	static const char text[] =
		"platform phys=32 virt=32\n"
		"pipeline P size=4K\n"
		"alloc P.a 4096\n"
		"complete P expect=fail\n"
		"alloc P.b 10 expect=fail\n"
		"destroy P\n";
	struct run p;

	(void)state;
	play_text(&p, text, NULL);
	assert_int_equal(rec(&p, "P")->invalid, 1);
	assert_int_equal(rec(&p, "P")->expected, 2);
	assert_int_equal(rec(&p, "P")->fails[0].kind, VRS_EV_SET_INTERIM);
	assert_true(vrs_result_clean(&p.r));
	done(&p);
}

/* seal: the lifetime part is whole pages (read-only), the heap starts on the
 * next page; frees of sealed lifetime blocks and coherent blocks still work. */
static void test_seal(void **state)
{
	static const char text[] =
		"platform phys=32 virt=32\n"
		"pipeline P size=16K seal\nalloc P.a 1000\nalloc P.c 100 coherent\n"
		"complete P\nalloc P.b 5000\nfree P.a\nfree P.c\nfree P.b\ndestroy P\n";
	const struct vrs_region_rec *q;
	struct run p;

	(void)state;
	play_text(&p, text, NULL);
	q = rec(&p, "P");
	assert_int_equal(q->lifetime_used, 1024 + 128);
	assert_int_equal(q->lifetime_size, 4096);
	assert_int_equal(q->interim_size, 12288);
	assert_int_equal(q->frees, 3);
	assert_true(vrs_result_clean(&p.r));
	done(&p);
}

extern const unsigned char vrsim_default_scenario[];
extern const size_t vrsim_default_scenario_len;

static uint32_t rnd(uint32_t *s)
{
	*s = *s * 1103515245u + 12345u;
	return *s >> 8;
}

/* Mutate one line: halve, double or nudge its first number, or garble a word. */
static void mutate_line(char *dst, size_t n, const char *line, uint32_t *seed)
{
	const char *p = line;
	size_t i = 0;

	while (*p && (*p < '0' || *p > '9'))
		p++;
	if (*p && rnd(seed) % 4) {
		unsigned long v = strtoul(p, NULL, 10);
		const char *q = p;

		while (*q >= '0' && *q <= '9')
			q++;
		switch (rnd(seed) % 4) {
		case 0: v /= 2; break;
		case 1: v *= 2; break;
		case 2: v += 1; break;
		default: v = v ? v - 1 : 0; break;
		}
		snprintf(dst, n, "%.*s%lu%s", (int)(p - line), line, v, q);
		return;
	}
	for (; line[i] && i + 1 < n; i++)
		dst[i] = line[i];
	dst[i] = 0;
	if (i)
		dst[rnd(seed) % i] = "x.=# {}0"[rnd(seed) % 8];
}

/*
 * Property: a scenario that passes the check plays without any library error
 * (the static model and the player agree), and one that does not is rejected
 * without crashing. Random line deletions, duplications, swaps and edits of
 * the default scenario.
 */
static void test_mutations(void **state)
{
	enum { ITER = 1000, MAXL = 400 };
	static char lines[MAXL][160];
	static char text[MAXL * 160];
	size_t nl = 0, off = 0;
	uint32_t seed = 12345;
	unsigned it, ok = 0, bad = 0;

	(void)state;
	while (off < vrsim_default_scenario_len && nl < MAXL) {
		size_t e = off, k;

		while (e < vrsim_default_scenario_len && vrsim_default_scenario[e] != '\n')
			e++;
		k = e - off < sizeof(lines[0]) - 1 ? e - off : sizeof(lines[0]) - 1;
		memcpy(lines[nl], vrsim_default_scenario + off, k);
		lines[nl++][k] = 0;
		off = e + 1;
	}
	for (it = 0; it < ITER; it++) {
		static char work[MAXL + 8][160];
		struct vrs_play_opts o = { .flags = VRS_PLAY_RECORD | VRS_PLAY_VALIDATE };
		struct vrs_scenario sc;
		struct vrs_diags dg;
		struct vrs_result r;
		size_t n = nl, i, m, nm = 1 + rnd(&seed) % 3, len = 0;

		memcpy(work, lines, sizeof(lines));
		for (m = 0; m < nm; m++) {
			size_t a = rnd(&seed) % n, b = rnd(&seed) % n;

			switch (rnd(&seed) % 4) {
			case 0:	/* delete */
				memmove(work[a], work[a + 1], (n - a - 1) * sizeof(work[0]));
				n--;
				break;
			case 1:	/* duplicate a at b */
				if (n < MAXL + 7) {
					char t[160];

					memcpy(t, work[a], sizeof(t));
					memmove(work[b + 1], work[b], (n - b) * sizeof(work[0]));
					memcpy(work[b], t, sizeof(t));
					n++;
				}
				break;
			case 2: {	/* swap */
				char t[160];

				memcpy(t, work[a], sizeof(t));
				memcpy(work[a], work[b], sizeof(t));
				memcpy(work[b], t, sizeof(t));
				break;
			}
			default: {
				char t[160];

				mutate_line(t, sizeof(t), work[a], &seed);
				memcpy(work[a], t, sizeof(t));
				break;
			}
			}
		}
		for (i = 0; i < n; i++)
			len += (size_t)snprintf(text + len, sizeof(text) - len, "%s\n", work[i]);
		if (vrs_load("m.vrs", text, len, 4096, &sc, &dg)) {
			assert_true(dg.n >= 1);
			assert_null(sc.evs);
			bad++;
			continue;
		}
		ok++;
		assert_int_equal(vrs_play(&sc, &o, &r), 0);
		if (r.liberr_total) {
			print_message("iteration %u: library error: %s\n", it, r.liberr[0]);
			fail();
		}
		vrs_result_free(&r);
		vrs_scenario_free(&sc);
	}
	print_message("mutations: %u played, %u rejected\n", ok, bad);
	assert_true(ok >= ITER / 10);
	assert_true(bad >= ITER / 10);
}


/* Issue 10.6: the work of a play grows linearly with its events, whatever the
 * number of live regions or of lifetime allocations (before: a search of
 * every region at every new peak, and a pool walk after every event). The
 * bounds are per event and the same for 1000 and 3000 regions; the old
 * player took n^2 / 2 snapshot lookups for n regions created in a row. */
static void work_bounds(struct run *p, size_t window)
{
	const struct vrs_work *w = &p->r.work;
	size_t ev = p->r.events;

	assert_int_equal(p->r.unexpected, 0);
	assert_true(p->r.leak_ok);
	assert_int_equal(w->snapshots, 1);
	assert_true(w->region_stats <= 4 * ev);
	assert_true(w->pool_stats <= ev + 1);
	assert_true(w->region_validate_units <= 2 * VRS_VALIDATE_RATIO * ev);
	assert_true(w->pool_validate_units <= VRS_VALIDATE_RATIO * ev + 2 * window);
	assert_true(w->region_stats_units <= 2 * VRS_STATS_RATIO * ev);
}

static void test_work_linear(void **state)
{
	static const size_t ns[] = { 1000, 3000 };
	size_t k;

	(void)state;
	for (k = 0; k < 2; k++) {
		size_t n = ns[k], i, len = 0, cap = n * 48 + 64, x = 12345;
		char *text = malloc(cap);
		size_t *order = malloc(n * sizeof(*order));
		struct run p;

		assert_non_null(text);
		assert_non_null(order);
		len += (size_t)snprintf(text + len, cap - len, "platform virt=%zu phys=%zu\n",
					2 * n + 2, n + 1);
		for (i = 0; i < n; i++) {
			len += (size_t)snprintf(text + len, cap - len, "pipeline P%zu size=4K\n", i);
			order[i] = i;
		}
		for (i = n - 1; i > 0; i--) {	/* destroyed out of order */
			size_t j, t;

			x = x * 1103515245u + 12345u;
			j = (x >> 8) % (i + 1);
			t = order[i], order[i] = order[j], order[j] = t;
		}
		for (i = 0; i < n; i++)
			len += (size_t)snprintf(text + len, cap - len, "destroy P%zu\n", order[i]);
		play_text(&p, text, NULL);
		work_bounds(&p, 2 * n + 2);
		/* one snapshot, at the peak: every region is there */
		assert_int_equal(p.r.vpeak, 2 * n);
		assert_true(p.r.work.snapshot_runs <= n + 1);
		assert_int_equal(p.r.snap.nruns, n);
		done(&p);
		free(order);
		free(text);
	}
}

/* A region with a large lifetime part (64K granules, whose statistics cost
 * that much to read) and 20000 interim events: the reads are spaced. */
static void test_work_large_region(void **state)
{
	size_t n = 10000, i, len = 0, cap = n * 40 + 256;
	char *text = malloc(cap);
	struct run p;

	(void)state;
	assert_non_null(text);
	len += (size_t)snprintf(text + len, cap - len, "platform virt=2048 phys=2048\n"
				"pipeline P size=5M\nalloc P.big 4M\ncomplete P\n");
	for (i = 0; i < n; i++)
		len += (size_t)snprintf(text + len, cap - len, "alloc P.x%zu 100\nfree P.x%zu\n", i, i);
	snprintf(text + len, cap - len, "destroy P\n");
	play_text(&p, text, NULL);
	work_bounds(&p, 2048);
	/* the peaks stay exact: one 100 B block (+ its header) at a time */
	assert_true(rec(&p, "P")->interim_peak >= 100 && rec(&p, "P")->interim_peak < 200);
	assert_int_equal(rec(&p, "P")->lifetime_used, 4u << 20);
	done(&p);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ztest_vectors),
		cmocka_unit_test(test_references),
		cmocka_unit_test(test_heap_bind),
		cmocka_unit_test(test_interim_reset),
		cmocka_unit_test(test_unexpected_and_surprise),
		cmocka_unit_test(test_create_failure_skips),
		cmocka_unit_test(test_pool_fragmentation),
		cmocka_unit_test(test_physical_limit),
		cmocka_unit_test(test_leak_check),
		cmocka_unit_test(test_size_override),
		cmocka_unit_test(test_invalid_region),
		cmocka_unit_test(test_seal),
		cmocka_unit_test(test_mutations),
		cmocka_unit_test(test_work_linear),
		cmocka_unit_test(test_work_large_region),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
