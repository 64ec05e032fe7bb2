/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_vrsim_trace.c - traces (docs/trace.md): the library's formatter
 * (vr_trace_format) read back by vrsim's reader for every operation; bad
 * traces (FILE:LINE and what is wrong); the conversion into a scenario (names,
 * page events of region operations, refused calls, pools); the equivalent
 * .vrs read back to the same events; the replay matching the recording, and
 * saying where it does not; captured logs; what-if platforms.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "vr_test.h"

#include "vregion/trace.h"
#include "vregion/vregion.h"

#include "play.h"
#include "tracefile.h"

/* A trace being written with the library's formatter. */
struct tbuf {
	char *s;
	size_t n, cap;
	uint32_t seq;
};

static void add(struct tbuf *b, const char *line)
{
	size_t n = strlen(line);

	if (b->n + n + 2 > b->cap) {
		b->cap = (b->n + n + 2) * 2;
		b->s = realloc(b->s, b->cap);
		assert_non_null(b->s);
	}
	memcpy(b->s + b->n, line, n);
	b->n += n;
	b->s[b->n++] = '\n';
	b->s[b->n] = 0;
}

static void ev(struct tbuf *b, struct vr_trace_event e)
{
	char line[VR_TRACE_LINE_MAX];
	size_t n;

	if (!b->n)
		add(b, vr_trace_header());
	e.pool = e.pool ? e.pool : 1;
	e.seq = ++b->seq;
	e.api = e.api ? e.api : "test";
	n = vr_trace_format(&e, line, sizeof(line));
	assert_true(n < sizeof(line));
	add(b, line);
}

#define EV(b, ...) ev(b, (struct vr_trace_event){ __VA_ARGS__ })

static void pool_init(struct tbuf *b, size_t window)
{
	EV(b, .op = VR_TRACE_POOL_INIT, .page_size = 4096, .cache_line = 64,
	   .window_pages = window, .phys_pages = window, .guard_pages = 1);
}

/* A region create with its own page event first (as vr_region_create makes it). */
static void create(struct tbuf *b, uint32_t id, size_t size, size_t page, const char *name)
{
	size_t np = (size + 4095) / 4096;

	EV(b, .op = VR_TRACE_PAGE_ALLOC, .npages = np, .perms = 3, .page = page);
	EV(b, .op = VR_TRACE_REGION_CREATE, .region = id, .size = size, .npages = np,
	   .page = page, .name = name);
}

static void release(struct tbuf *b, uint32_t id, size_t page)
{
	EV(b, .op = VR_TRACE_PAGE_FREE, .page = page);
	EV(b, .op = VR_TRACE_REGION_PUT, .region = id, .refs = 0);
	EV(b, .op = VR_TRACE_REGION_RELEASE, .region = id);
}

static int load(const char *text, const struct vrs_trace_opts *o, struct vrs_scenario *sc,
		struct vrs_trace_info *info, struct vrs_diags *dg)
{
	static const struct vrs_trace_opts none = { .host_page = 4096 };

	return vrs_trace_load("t.trace", text, strlen(text), o ? o : &none, sc, info, dg);
}

static void load_ok(const char *text, const struct vrs_trace_opts *o, struct vrs_scenario *sc,
		    struct vrs_trace_info *info)
{
	struct vrs_diags dg;

	if (load(text, o, sc, info, &dg)) {
		print_message("line %u: %s\n", dg.n ? dg.d[0].line : 0, dg.n ? dg.d[0].msg : "?");
		fail();
	}
}

/* Every operation, formatted by the library and read back: the same fields. */
static void test_format_roundtrip(void **state)
{
	struct tbuf b = { 0 };
	struct vrs_diags dg;
	struct vrs_treader *r;
	struct vrs_trec t;
	char small[8];
	unsigned n = 0;

	(void)state;
	pool_init(&b, 320);
	EV(&b, .op = VR_TRACE_PAGE_RESERVE, .npages = 3, .perms = 1, .page = 7);
	EV(&b, .op = VR_TRACE_PAGE_FREE, .page = SIZE_MAX, .result = -EINVAL);
	EV(&b, .op = VR_TRACE_PAGE_PROTECT, .page = 8, .npages = 2, .perms = 5);
	EV(&b, .op = VR_TRACE_REGION_CREATE, .region = 4294967295u, .size = SIZE_MAX,
	   .align = 4096, .flags = 7, .npages = SIZE_MAX - 1, .page = SIZE_MAX - 2,
	   .name = "P2 src/\xc3\xa9t\xc3\xa9%xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
	EV(&b, .op = VR_TRACE_ALLOC, .region = 2, .phase = VR_REGION_INTERIM, .size = 14336,
	   .align = 64, .coherent = true, .result = -ENOMEM);
	EV(&b, .op = VR_TRACE_SET_INTERIM, .region = 2, .phase = VR_REGION_LIFETIME, .offset = 64,
	   .size = 1000);
	EV(&b, .op = VR_TRACE_FREE, .region = 2, .phase = VR_REGION_INVALID, .offset = SIZE_MAX,
	   .result = -EFAULT);
	EV(&b, .op = VR_TRACE_REGION_RELEASE, .region = 2, .live = 3);
	r = vrs_treader_new(b.s, b.n, NULL, &dg);
	memset(&dg, 0, sizeof(dg));
	while (vrs_treader_next(r, &t) > 0) {
		switch (n++) {
		case 0:
			assert_int_equal(t.op, VR_TRACE_POOL_INIT);
			assert_int_equal(t.page_size, 4096);
			assert_int_equal(t.window, 320);
			assert_int_equal(t.guard, 1);
			assert_int_equal(t.seq, 1);
			break;
		case 1:
			assert_int_equal(t.npages, 3);
			assert_int_equal(t.perms, 1);
			assert_int_equal(t.page, 7);
			break;
		case 2:
			assert_int_equal(t.page, SIZE_MAX);
			assert_int_equal(t.rc, -EINVAL);
			break;
		case 3:
			assert_int_equal(t.perms, 5);
			break;
		case 4:
			assert_int_equal(t.region, 4294967295u);
			assert_int_equal(t.size, SIZE_MAX);
			assert_int_equal(t.align, 4096);
			assert_int_equal(t.flags, 7);
			assert_int_equal(t.page, SIZE_MAX - 2);
			/* percent-encoded, at most 47 bytes written, no escape cut */
			assert_true(strncmp(t.name, "P2 src/\xc3\xa9t\xc3\xa9%xxx", 14) == 0);
			assert_true(strlen(t.name) < 40);
			break;
		case 5:
			assert_int_equal(t.phase, VR_REGION_INTERIM);
			assert_true(t.coherent);
			assert_int_equal(t.rc, -ENOMEM);
			assert_false(t.have & (1u << 12));	/* no off= on a failure */
			break;
		case 6:
			assert_int_equal(t.off, 64);
			assert_int_equal(t.size, 1000);
			break;
		case 7:
			assert_int_equal(t.phase, VR_REGION_INVALID);
			assert_int_equal(t.off, SIZE_MAX);
			assert_int_equal(t.rc, -EFAULT);
			break;
		case 8:
			assert_int_equal(t.live, 3);
			break;
		}
	}
	assert_int_equal(n, 9);
	assert_int_equal(dg.total, 0);
	vrs_treader_free(r);
	/* as snprintf: the whole length, and the line cut and terminated */
	{
		struct vr_trace_event e = { .op = VR_TRACE_ALLOC, .api = "a", .pool = 1, .size = 5 };
		char whole[VR_TRACE_LINE_MAX];
		size_t len = vr_trace_format(&e, whole, sizeof(whole));

		assert_int_equal(vr_trace_format(&e, small, sizeof(small)), len);
		assert_int_equal(strlen(small), sizeof(small) - 1);
		assert_true(strncmp(small, whole, sizeof(small) - 1) == 0);
		assert_true(strcmp(whole + len - 5, " rc=0") == 0);
	}
	free(b.s);
}

struct bad {
	const char *text;
	unsigned line;
	const char *msg;
};

#define H "# vregion-trace 1\n"
#define PI "pool_init api=a pool=1 page_size=4096 cache_line=64 window=16 phys=16 guard=1 rc=0\n"
#define RC "region_create api=a pool=1 region=1 size=8192 min_align=0 flags=0 pages=2 page=0 rc=0\n"

static const struct bad bad_traces[] = {
	{ "", 1, "not a vregion trace" },
	{ "pipeline P1\n", 1, "not a vregion trace" },
	{ "# vregion-trace 2\n" PI, 1, "trace format version 2: this vrsim reads version 1" },
	{ "# vregion-trace x\n", 1, "bad trace version 'x'" },
	{ H PI "frobnicate pool=1 rc=0\n", 3, "unknown event 'frobnicate'" },
	{ H PI "alloc api=a pool=1 region=1 phase=interim size=5", 3, "truncated line" },
	{ H PI "alloc api=a pool=1 region=1 rc=0 phase=interim\n", 3, "truncated line" },
	{ H PI RC "alloc api=a pool=1 region=1 phase=interim size=5 align=0 rc=0\n", 4,
	  "'alloc' needs coherent=" },
	{ H PI RC "alloc api=a pool=1 region=1 phase=interim size=5 align=0 coherent=0 rc=0\n", 4,
	  "'alloc' needs off=" },
	{ H PI RC "alloc api=a pool=1 region=1 phase=busy size=5 align=0 coherent=0 off=0 rc=0\n", 4,
	  "bad value 'busy' for phase" },
	{ H PI "region_get api=a pool=1 region=1 refs=x rc=0\n", 3, "bad value 'x' for refs" },
	{ H PI "region_get api=a pool=1 region=1 refs=2 refs=2 rc=0\n", 3, "key 'refs' twice" },
	{ H PI "region_get api=a pool=1 region=1 refs rc=0\n", 3, "'refs' is not key=value" },
	{ H PI "region_get api=a pool=1 region=1 refs=2 rc=1\n", 3, "bad value '1' for rc" },
	{ H "region_get api=a pool=1 region=1 refs=2 rc=0\n", 2, "before its pool_init" },
	{ H PI "region_get api=a pool=1 region=1 refs=2 rc=0\n", 3,
	  "region 1 was never created" },
	{ H PI RC RC, 4, "region 1 created twice" },
	{ H PI RC "region_put api=a pool=1 region=1 refs=0 rc=0\n"
	  "alloc api=a pool=1 region=1 phase=lifetime size=5 align=0 coherent=0 off=0 rc=0\n", 5,
	  "region 1 is used after its release" },
	{ H PI RC "free api=a pool=1 region=1 phase=lifetime off=64 rc=0\n", 4,
	  "free at offset 64 of region 1: nothing is allocated there" },
	{ H PI "pool_deinit api=a pool=1 rc=0\nregion_get api=a pool=1 region=1 refs=2 rc=0\n", 4,
	  "after its pool_deinit" },
	{ H PI PI, 3, "pool 1 initialised twice" },
	{ H "pool_init api=a pool=1 seq=1 page_size=4096 cache_line=64 window=16 phys=16 guard=1 rc=0\n"
	  "pool_deinit api=a pool=1 seq=4 rc=0\n", 3,
	  "event 4 of pool 1 follows event 1: 2 events missing" },
	{ H "pool_init api=a pool=0 page_size=4096 cache_line=64 window=16 phys=16 guard=1 rc=0\n", 2,
	  "pools are numbered from 1" },
	{ H PI "pool_init api=a pool=2 page_size=4096 cache_line=64 window=16 phys=16 guard=1 rc=0\n"
	  "region_get api=a pool=0 region=1 refs=2 rc=0\n", 4,
	  "an event without its pool (pool=0) in a trace of 2 pools" },
	{ H "pool_init api=a pool=1 page_size=1024 cache_line=64 window=16 phys=16 guard=1 rc=0\n", 2,
	  "cannot be played here: page=1024" },
	{ H "pool_init api=a pool=1 page_size=4096 cache_line=64 window=16 phys=16 guard=16 rc=0\n",
	  2, "guard must be less than virt" },
	{ H PI "# vregion-trace 1\n", 3, "a second trace starts here" },
	{ H PI "region_get api=a pool=1\x01 region=1 refs=2 rc=0\n", 3, "bad character 0x01" },
	{ H PI "region_get api=a pool=1 region=1 refs=2 rc=0\tx\n", 3, "bad character 0x09" },
	{ H, 1, "no pool_init of pool 0" },
	{ H PI "region_put api=a pool=1 region=1 refs=0 rc=0\n", 3, "was never created" },
};

static void test_bad_traces(void **state)
{
	size_t i, bad = 0;

	(void)state;
	for (i = 0; i < sizeof(bad_traces) / sizeof(bad_traces[0]); i++) {
		const struct bad *b = &bad_traces[i];
		struct vrs_scenario sc;
		struct vrs_trace_info info;
		struct vrs_diags dg;
		int rc = load(b->text, NULL, &sc, &info, &dg);

		if (rc != -1 || !dg.n || dg.d[0].line != b->line || !strstr(dg.d[0].msg, b->msg)) {
			print_message("case %zu: rc %d, line %u, \"%s\"\n  want line %u, \"%s\"\n", i,
				      rc, dg.n ? dg.d[0].line : 0, dg.n ? dg.d[0].msg : "(none)",
				      b->line, b->msg);
			bad++;
		}
		assert_null(sc.evs);
	}
	assert_int_equal(bad, 0);
}

/* A small program's trace: regions, references, phases, allocations, a run
 * of its own, failures; what each becomes. */
static void small_trace(struct tbuf *b)
{
	pool_init(b, 64);
	create(b, 1, 16384, 0, "P1");
	EV(b, .op = VR_TRACE_ALLOC, .region = 1, .size = 150, .offset = 0);
	EV(b, .op = VR_TRACE_REGION_GET, .region = 1, .refs = 2);
	EV(b, .op = VR_TRACE_ALLOC, .region = 1, .size = 300, .coherent = true, .offset = 192);
	EV(b, .op = VR_TRACE_SET_INTERIM, .region = 1, .offset = 512, .size = 15872);
	EV(b, .op = VR_TRACE_ALLOC, .region = 1, .phase = 1, .size = 96, .offset = 576);
	EV(b, .op = VR_TRACE_ALLOC, .region = 1, .phase = 1, .size = 99999, .result = -ENOMEM);
	EV(b, .op = VR_TRACE_ALLOC, .region = 1, .phase = 1, .size = 0, .result = -EINVAL);
	EV(b, .op = VR_TRACE_FREE, .region = 1, .phase = 1, .offset = 576);
	EV(b, .op = VR_TRACE_FREE, .region = 1, .phase = 1, .offset = 576, .result = -EINVAL);
	for (int i = 0; i < 5; i++) {	/* churn: folded into a repeat block */
		EV(b, .op = VR_TRACE_ALLOC, .region = 1, .phase = 1, .size = 64, .offset = 576);
		EV(b, .op = VR_TRACE_ALLOC, .region = 1, .phase = 1, .size = 64, .offset = 704);
		EV(b, .op = VR_TRACE_FREE, .region = 1, .phase = 1, .offset = 704);
		EV(b, .op = VR_TRACE_FREE, .region = 1, .phase = 1, .offset = 576);
	}
	/* a run of the program's own, then a region whose name is taken */
	EV(b, .op = VR_TRACE_PAGE_ALLOC, .npages = 2, .perms = 3, .page = 5);
	create(b, 2, 4096, 8, "P1");
	EV(b, .op = VR_TRACE_REGION_PUT, .region = 1, .refs = 1);
	EV(b, .op = VR_TRACE_PAGE_FREE, .page = 5);
	release(b, 1, 0);
	release(b, 2, 8);
	EV(b, .op = VR_TRACE_REGION_CREATE, .size = 1u << 30, .result = -ENOMEM, .name = "big");
	EV(b, .op = VR_TRACE_POOL_DEINIT);
}

#define CHURN { VRS_EV_ALLOC, "P1.a3", 64, true, false }, { VRS_EV_ALLOC, "P1.a4", 64, true, false }, \
	{ VRS_EV_FREE, "P1.a4", 0, false, false }, { VRS_EV_FREE, "P1.a3", 0, false, false }

static void test_convert(void **state)
{
	static const struct {
		uint8_t kind;
		const char *name;
		size_t size;
		bool rec, fail;
	} want[] = {
		{ VRS_EV_REGION, "P1", 16384, true, false }, { VRS_EV_ALLOC, "P1.a1", 150, true, false },
		{ VRS_EV_GET, "P1", 0, true, false }, { VRS_EV_ALLOC, "P1.a2", 300, true, false },
		{ VRS_EV_SET_INTERIM, "P1", 0, true, false }, { VRS_EV_COMPLETE, "P1", 0, false, false },
		{ VRS_EV_ALLOC, "P1.a3", 96, true, false }, { VRS_EV_ALLOC, "P1.fail10", 99999, false, true },
		{ VRS_EV_FREE, "P1.a3", 0, false, false },
		CHURN, CHURN, CHURN, CHURN, CHURN,
		{ VRS_EV_PAGES, "vpage1", 2, true, false },
		{ VRS_EV_REGION, "P1_2", 4096, true, false }, { VRS_EV_PUT, "P1", 0, true, false },
		{ VRS_EV_DESTROY, "vpage1", 0, false, false }, { VRS_EV_PUT, "P1", 0, true, false },
		{ VRS_EV_PUT, "P1_2", 0, true, false }, { VRS_EV_REGION, "big_fail45", 1u << 30, false, true },
	};
	struct tbuf b = { 0 };
	struct vrs_scenario sc;
	struct vrs_trace_info info;
	size_t i;

	(void)state;
	small_trace(&b);
	load_ok(b.s, NULL, &sc, &info);
	assert_int_equal(sc.nevs, sizeof(want) / sizeof(want[0]));
	for (i = 0; i < sc.nevs; i++) {
		const struct vrs_event *e = &sc.evs[i];
		const char *name = e->kind == VRS_EV_ALLOC || e->kind == VRS_EV_FREE
				   ? sc.allocs[e->alloc].name : sc.objs[e->obj].name;

		if (e->kind != want[i].kind || strcmp(name, want[i].name) ||
		    (want[i].size && e->size != want[i].size) ||
		    !(e->flags & VRS_F_REC) != !want[i].rec ||
		    !(e->flags & VRS_F_REC_FAIL) != !want[i].fail || (e->flags & VRS_F_EXPECT_FAIL)) {
			print_message("event %zu: %s %s %zu flags %#x\n", i, vrs_ev_name(e->kind),
				      name, e->size, e->flags);
			fail();
		}
	}
	assert_int_equal(sc.evs[1].rec, 0);	/* offsets */
	assert_int_equal(sc.evs[3].rec, 192);
	assert_int_equal(sc.evs[2].rec, 2);	/* references */
	assert_int_equal(sc.evs[4].rec, 512);	/* interim base */
	assert_int_equal(sc.evs[30].rec, 8);	/* first page */
	assert_true(sc.evs[3].flags & VRS_F_COHERENT);
	assert_int_equal(info.nested, 4);	/* two creates' runs, two releases' */
	assert_int_equal(info.refused, 2);	/* the size 0 alloc, the double free */
	assert_true(info.ended);
	assert_int_equal(info.pool, 1);
	assert_int_equal(sc.plat.virt, 64);
	assert_int_equal(sc.lines, b.seq + 1);
	vrs_scenario_free(&sc);
	free(b.s);
}

/* --to-scenario: the .vrs, read back, makes the same events. */
/* An event made by someone else (vr_trace_format is public): a long api
 * with spaces and '=' cannot break the line or make it longer than
 * VR_TRACE_LINE_MAX - 1; the library's identifiers are written as they are. */
static void test_format_hostile_api(void **state)
{
	char api[300], line[VR_TRACE_LINE_MAX + 64];
	struct vr_trace_event e;
	const char *v;
	size_t n, i;

	(void)state;
	memset(api, 'a', sizeof(api) - 1);
	api[sizeof(api) - 1] = 0;
	memcpy(api, "x y=z", 5);
	memset(&e, 0, sizeof(e));
	e.op = VR_TRACE_REGION_CREATE;
	e.api = api;
	e.pool = e.seq = e.region = UINT32_MAX;
	e.size = e.align = e.npages = e.page = SIZE_MAX - 1;
	e.flags = UINT32_MAX;
	e.result = 0;
	e.name = api;
	n = vr_trace_format(&e, line, sizeof(line));
	assert_true(n <= VR_TRACE_LINE_MAX - 1);
	assert_int_equal(strlen(line), n);
	v = strstr(line, " api=") + 5;
	assert_true(strcspn(v, " ") <= 47);
	assert_ptr_equal(strstr(line, "="), v - 1);	/* no '=' before the api's */
	for (i = 0; v[i] && v[i] != ' '; i++)
		assert_true(v[i] != '=');
	e.api = "vregion_alloc_coherent_align";
	vr_trace_format(&e, line, sizeof(line));
	assert_non_null(strstr(line, " api=vregion_alloc_coherent_align "));
}

/* The free of a program's run while page events are pending: flushing them
 * grows the runs' array, under the pointer to the run being freed (a use
 * after free, which the ASan build of this test catches). Every run is
 * destroyed once, the freed one first. */
static void test_run_freed_while_pending(void **state)
{
	struct tbuf b = { 0 };
	struct vrs_scenario sc;
	struct vrs_trace_info info;
	size_t i, k, destroys = 0;

	(void)state;
	pool_init(&b, 64);
	for (k = 0; k < 17; k++)	/* 16 runs made (a full pending list), one pending */
		EV(&b, .op = VR_TRACE_PAGE_ALLOC, .npages = 1, .perms = 3, .page = 2 * k);
	EV(&b, .op = VR_TRACE_PAGE_FREE, .page = 0);	/* vpage1, the first run */
	for (k = 1; k < 17; k++)
		EV(&b, .op = VR_TRACE_PAGE_FREE, .page = 2 * k);
	EV(&b, .op = VR_TRACE_POOL_DEINIT);
	load_ok(b.s, NULL, &sc, &info);
	for (i = 0; i < sc.nevs; i++) {
		if (sc.evs[i].kind != VRS_EV_DESTROY)
			continue;
		if (!destroys++)
			assert_string_equal(sc.objs[sc.evs[i].obj].name, "vpage1");
	}
	assert_int_equal(destroys, 17);
	vrs_scenario_free(&sc);
	free(b.s);
}

/* A second set_interim (harmless: SOF makes one per DP module of a
 * pipeline), and one of an INVALID region (the same answer again), did
 * nothing: not played, counted as refused (they made the trace
 * unplayable: "already complete"). */
static void test_second_set_interim(void **state)
{
	struct tbuf b = { 0 };
	struct vrs_scenario sc;
	struct vrs_trace_info info;
	size_t i, completes = 0;

	(void)state;
	pool_init(&b, 64);
	create(&b, 1, 8192, 0, "P1");
	EV(&b, .op = VR_TRACE_ALLOC, .region = 1, .size = 100, .offset = 0);
	EV(&b, .op = VR_TRACE_SET_INTERIM, .region = 1, .offset = 128, .size = 8064);
	EV(&b, .op = VR_TRACE_SET_INTERIM, .region = 1, .phase = 1, .offset = 128, .size = 8064);
	EV(&b, .op = VR_TRACE_ALLOC, .region = 1, .phase = 1, .size = 200, .offset = 192);
	create(&b, 2, 4096, 3, "P2");
	EV(&b, .op = VR_TRACE_ALLOC, .region = 2, .size = 4000, .offset = 0);
	EV(&b, .op = VR_TRACE_SET_INTERIM, .region = 2, .offset = 4032, .size = 64,
	   .result = -ENOSPC);
	EV(&b, .op = VR_TRACE_SET_INTERIM, .region = 2, .phase = 2, .offset = 4032, .size = 64,
	   .result = -ENOSPC);
	release(&b, 2, 3);
	release(&b, 1, 0);
	EV(&b, .op = VR_TRACE_POOL_DEINIT);
	load_ok(b.s, NULL, &sc, &info);
	for (i = 0; i < sc.nevs; i++)
		completes += sc.evs[i].kind == VRS_EV_SET_INTERIM || sc.evs[i].kind == VRS_EV_COMPLETE;
	assert_int_equal(info.refused, 2);
	assert_int_equal(completes, 4);	/* one complete per region (each plays as two events) */
	vrs_scenario_free(&sc);
	free(b.s);
}

static void test_to_scenario_roundtrip(void **state)
{
	struct tbuf b = { 0 };
	struct vrs_trace_opts o = { 0 };
	struct vrs_scenario a, c;
	struct vrs_trace_info info;
	struct vrs_diags dg;
	char *text = NULL;
	size_t len = 0, i;
	FILE *f = open_memstream(&text, &len);

	(void)state;
	small_trace(&b);
	o.scenario_out = f;
	load_ok(b.s, &o, &a, &info);
	fclose(f);
	if (vrs_load("t.vrs", text, len, 4096, &c, &dg)) {
		print_message("%s\nline %u: %s\n", text, dg.d[0].line, dg.d[0].msg);
		fail();
	}
	assert_int_equal(a.nevs, c.nevs);
	assert_true(memcmp(&a.plat, &c.plat, sizeof(a.plat)) == 0);
	for (i = 0; i < a.nevs; i++) {
		const struct vrs_event *x = &a.evs[i], *y = &c.evs[i];

		assert_int_equal(x->kind, y->kind);
		assert_string_equal(a.objs[x->obj].name, c.objs[y->obj].name);
		if (x->alloc != VRS_NONE)
			assert_string_equal(a.allocs[x->alloc].name, c.allocs[y->alloc].name);
		assert_int_equal(x->size, y->size);
		assert_int_equal(x->align, y->align);
		assert_int_equal(x->flags & ~(VRS_F_REC | VRS_F_REC_FAIL), y->flags);
	}
	assert_non_null(strstr(text, "region P1 size=16K"));
	assert_non_null(strstr(text, "alloc P1.a2 300 coherent"));
	assert_non_null(strstr(text, "pages vpage1 2"));
	/* the churn, folded (in the first phase that repeats: from the free before it) */
	assert_non_null(strstr(text, "repeat 5 {\n  free P1.a3\n  alloc P1.a3 64\n  alloc P1.a4 64\n"
				     "  free P1.a4\n}\n"));
	vrs_scenario_free(&a);
	vrs_scenario_free(&c);
	free(text);
	free(b.s);
}

static void play(const struct vrs_scenario *sc, unsigned flags, struct vrs_result *r)
{
	struct vrs_play_opts o = { .flags = VRS_PLAY_RECORD | VRS_PLAY_VALIDATE | flags };

	assert_int_equal(vrs_play(sc, &o, r), 0);
	assert_int_equal(r->liberr_total, 0);
}

/* A trace made by replaying: it matches; one changed offset: it says where. */
static void test_replay_and_divergence(void **state)
{
	struct tbuf b = { 0 };
	struct vrs_scenario sc;
	struct vrs_trace_info info;
	struct vrs_result r;
	char *changed, *at;

	(void)state;
	pool_init(&b, 32);
	create(&b, 1, 8192, 0, "R");
	EV(&b, .op = VR_TRACE_ALLOC, .region = 1, .size = 100, .offset = 0);
	EV(&b, .op = VR_TRACE_ALLOC, .region = 1, .size = 100, .offset = 128);
	EV(&b, .op = VR_TRACE_SET_INTERIM, .region = 1, .offset = 256, .size = 8192 - 256);
	release(&b, 1, 0);
	load_ok(b.s, NULL, &sc, &info);
	play(&sc, VRS_PLAY_CHECK_REC, &r);
	assert_int_equal(r.diverge_total, 0);
	assert_true(vrs_result_clean(&r));
	vrs_result_free(&r);
	vrs_scenario_free(&sc);
	/* the second allocation recorded at another offset */
	changed = strdup(b.s);
	at = strstr(changed, "off=128");
	assert_non_null(at);
	memcpy(at, "off=192", 7);
	load_ok(changed, NULL, &sc, &info);
	play(&sc, VRS_PLAY_CHECK_REC, &r);
	assert_int_equal(r.diverge_total, 1);
	assert_int_equal(sc.evs[r.diverge_event].line, 6);
	assert_non_null(strstr(r.diverge[0], "line 6: alloc R.a2: offset 192 in the trace, 128 here"));
	assert_false(vrs_result_clean(&r));
	vrs_result_free(&r);
	/* without the comparison (a what-if), the same play is clean */
	play(&sc, 0, &r);
	assert_true(vrs_result_clean(&r));
	vrs_result_free(&r);
	vrs_scenario_free(&sc);
	free(changed);
	free(b.s);
}

/* A program's run given back after another run was taken or refused: the
 * free is played in its place, not right after the creation (then the
 * later run was placed in, or fitted into, the freed pages and the replay
 * diverged from the trace; found replaying generated scenarios' traces). */
static void test_free_after_later_run(void **state)
{
	struct tbuf b = { 0 };
	struct vrs_scenario sc;
	struct vrs_trace_info info;
	struct vrs_result r;

	(void)state;
	pool_init(&b, 64);	/* one guard page per run */
	EV(&b, .op = VR_TRACE_PAGE_RESERVE, .npages = 5, .page = 0);
	EV(&b, .op = VR_TRACE_PAGE_ALLOC, .npages = 4, .perms = 3, .page = 6);
	EV(&b, .op = VR_TRACE_PAGE_FREE, .page = 0);	/* after a later run */
	EV(&b, .op = VR_TRACE_PAGE_ALLOC, .npages = 52, .perms = 3, .page = 11);	/* the rest */
	EV(&b, .op = VR_TRACE_PAGE_ALLOC, .npages = 5, .perms = 3, .page = 0);
	EV(&b, .op = VR_TRACE_PAGE_ALLOC, .npages = 5, .perms = 3, .result = -ENOMEM);
	EV(&b, .op = VR_TRACE_PAGE_FREE, .page = 0);	/* after a later refusal */
	EV(&b, .op = VR_TRACE_PAGE_FREE, .page = 6);
	EV(&b, .op = VR_TRACE_PAGE_FREE, .page = 11);
	EV(&b, .op = VR_TRACE_POOL_DEINIT);
	load_ok(b.s, NULL, &sc, &info);
	play(&sc, VRS_PLAY_CHECK_REC, &r);
	if (r.diverge_total)
		print_message("%s\n", r.diverge[0]);
	assert_int_equal(r.diverge_total, 0);
	/* (the refused one fails again: the program's failure, not a divergence) */
	vrs_result_free(&r);
	vrs_scenario_free(&sc);
	free(b.s);
}

/* A program's run taken right after a region (no guard pages) is not part
 * of the region's next operation: it was claimed as the region's own by its
 * set_interim (and by a create placed just before it), was not played, and
 * every later run landed elsewhere than in the trace. */
static void test_run_next_to_region(void **state)
{
	struct tbuf b = { 0 };
	struct vrs_scenario sc;
	struct vrs_trace_info info;
	struct vrs_result r;

	(void)state;
	EV(&b, .op = VR_TRACE_POOL_INIT, .page_size = 4096, .cache_line = 64, .window_pages = 64,
	   .phys_pages = 64, .guard_pages = 0);
	EV(&b, .op = VR_TRACE_PAGE_ALLOC, .npages = 2, .perms = 3, .page = 0);
	EV(&b, .op = VR_TRACE_REGION_CREATE, .region = 1, .size = 4096, .npages = 1, .page = 2,
	   .name = "R");
	EV(&b, .op = VR_TRACE_PAGE_RESERVE, .npages = 18, .page = 3);	/* right after R */
	EV(&b, .op = VR_TRACE_SET_INTERIM, .region = 1, .offset = 0, .size = 4096);
	EV(&b, .op = VR_TRACE_PAGE_FREE, .page = 0);
	EV(&b, .op = VR_TRACE_PAGE_ALLOC, .npages = 1, .perms = 3, .page = 0);
	EV(&b, .op = VR_TRACE_REGION_CREATE, .region = 2, .size = 4096, .npages = 1, .page = 1,
	   .name = "S");				/* right before that run */
	EV(&b, .op = VR_TRACE_PAGE_ALLOC, .npages = 5, .perms = 3, .page = 21);
	EV(&b, .op = VR_TRACE_REGION_PUT, .region = 2, .refs = 0);
	EV(&b, .op = VR_TRACE_REGION_RELEASE, .region = 2);
	EV(&b, .op = VR_TRACE_REGION_PUT, .region = 1, .refs = 0);
	EV(&b, .op = VR_TRACE_REGION_RELEASE, .region = 1);
	EV(&b, .op = VR_TRACE_PAGE_FREE, .page = 0);
	EV(&b, .op = VR_TRACE_PAGE_FREE, .page = 3);
	EV(&b, .op = VR_TRACE_PAGE_FREE, .page = 21);
	EV(&b, .op = VR_TRACE_POOL_DEINIT);
	load_ok(b.s, NULL, &sc, &info);
	play(&sc, VRS_PLAY_CHECK_REC, &r);
	if (r.diverge_total)
		print_message("%s\n", r.diverge[0]);
	assert_int_equal(r.diverge_total, 0);
	assert_true(vrs_result_clean(&r));
	vrs_result_free(&r);
	vrs_scenario_free(&sc);
	free(b.s);
}

/* expect=fail on a failed call (vrsim --write-trace of a scenario that expects
 * it, or a firmware's hook): the replay expects the failure too. */
static void test_expect_key(void **state)
{
	static const char text[] = H PI RC
		"alloc api=a pool=1 region=1 phase=lifetime size=99999 align=0 coherent=0 expect=fail rc=-12\n"
		"alloc api=a pool=1 region=1 phase=lifetime size=99999 align=0 coherent=0 rc=-12\n"
		"region_create api=a pool=1 size=1073741824 min_align=0 flags=0 name=big expect=fail rc=-12\n"
		"region_put api=a pool=1 region=1 refs=0 rc=0\n";
	struct vrs_scenario sc;
	struct vrs_trace_info info;
	struct vrs_diags dg;

	(void)state;
	load_ok(text, NULL, &sc, &info);
	assert_int_equal(sc.nevs, 5);
	assert_true(sc.evs[1].flags & VRS_F_EXPECT_FAIL);
	assert_string_equal(sc.allocs[sc.evs[1].alloc].name, "R1.a1");
	assert_true(sc.evs[2].flags & VRS_F_REC_FAIL);
	assert_false(sc.evs[2].flags & VRS_F_EXPECT_FAIL);
	assert_string_equal(sc.allocs[sc.evs[2].alloc].name, "R1.fail5");
	assert_true(sc.evs[3].flags & VRS_F_EXPECT_FAIL);
	assert_string_equal(sc.objs[sc.evs[3].obj].name, "big");
	assert_int_equal(sc.expected_failures, 2);
	vrs_scenario_free(&sc);
	assert_int_equal(load(H PI "region_get api=a pool=1 region=1 refs=2 expect=maybe rc=0\n", NULL,
			      &sc, &info, &dg), -1);
	assert_non_null(strstr(dg.d[0].msg, "bad value 'maybe' for expect"));
}

/* Events that do not name their pool (pool=0) belong to the one pool there is. */
static void test_pool_zero(void **state)
{
	static const char text[] = H PI
		"region_create api=a pool=0 region=1 size=4096 min_align=64 flags=0 pages=1 page=0 rc=0\n"
		"region_put api=a pool=0 region=1 refs=0 rc=0\n";
	struct vrs_scenario sc;
	struct vrs_trace_info info;

	(void)state;
	load_ok(text, NULL, &sc, &info);
	assert_int_equal(sc.nevs, 2);
	assert_int_equal(info.events, 3);
	vrs_scenario_free(&sc);
}

/* A captured log: only the lines with the marker, from the marker on. */
static void test_log(void **state)
{
	static const char log[] =
		"*** Booting Zephyr OS ***\n"
		"[00:00:00.001,000] <inf> vr: vrtrace: # vregion-trace 1\n"
		"[00:00:00.002,000] <inf> vr: vrtrace: " "pool_init api=a pool=1 page_size=4096 "
		"cache_line=64 window=16 phys=16 guard=1 rc=0\n"
		"[00:00:00.003,000] <wrn> other: something else\r\n"
		"[00:00:00.004,000] <inf> vr: vrtrace: region_create api=a pool=1 region=1 size=4096 "
		"min_align=0 flags=0 pages=1 page=0 name=P%201 rc=0\r\n"
		"[00:00:00.005,000] <inf> vr: vrtrace: region_put api=a pool=1 region=1 refs=0 rc=0\n";
	struct vrs_trace_opts o = { 0 };
	struct vrs_scenario sc;
	struct vrs_trace_info info;
	struct vrs_diags dg;

	(void)state;
	assert_true(vrs_trace_detect(log, strlen(log), NULL));
	assert_false(vrs_trace_detect("pipeline P\n", 11, NULL));
	load_ok(log, NULL, &sc, &info);
	assert_int_equal(sc.nevs, 2);
	assert_string_equal(sc.objs[0].name, "P_1");	/* "P 1" made a name */
	assert_int_equal(sc.evs[1].line, 6);
	vrs_scenario_free(&sc);
	o.prefix = "trace> ";
	assert_int_equal(load(log, &o, &sc, &info, &dg), -1);
	assert_non_null(strstr(dg.d[0].msg, "no line holds 'trace> # vregion-trace 1'"));
}

/* Two pools: the first is played unless another is asked for; what-if. */
static void test_pools_and_whatif(void **state)
{
	static const char text[] =
		H PI "pool_init api=a pool=2 page_size=8192 cache_line=32 window=8 phys=4 guard=0 rc=0\n"
		"region_create api=a pool=2 region=1 size=100 min_align=0 flags=2 pages=1 page=0 rc=0\n"
		RC "region_put api=a pool=2 region=1 refs=0 rc=0\n"
		"region_put api=a pool=1 region=1 refs=0 rc=0\n";
	struct vrs_trace_opts o = { 0 };
	struct vrs_scenario sc;
	struct vrs_trace_info info;

	(void)state;
	load_ok(text, NULL, &sc, &info);
	assert_int_equal(info.pool, 1);
	assert_int_equal(info.pools, 2);
	assert_int_equal(info.other_pools, 3);
	assert_int_equal(sc.plat.page, 4096);
	assert_int_equal(sc.objs[0].size, 8192);
	vrs_scenario_free(&sc);
	o.pool = 2;
	load_ok(text, &o, &sc, &info);
	assert_int_equal(sc.plat.page, 8192);
	assert_int_equal(sc.plat.guard, 0);
	assert_int_equal(sc.plat.align, 32);
	assert_true(sc.evs[0].flags & VRS_F_GUARD);
	assert_false(info.whatif);
	vrs_scenario_free(&sc);
	o.pool = 0;
	o.whatif.page = 16384;
	o.whatif.align = 128;
	o.has_guard = true;
	o.whatif.guard = 0;
	load_ok(text, &o, &sc, &info);
	assert_true(info.whatif);
	assert_int_equal(sc.plat.page, 16384);
	assert_int_equal(sc.plat.align, 128);
	assert_int_equal(sc.plat.guard, 0);
	vrs_scenario_free(&sc);
}

/* 3000 regions created, then released out of order: read and played. */
static void test_large_trace(void **state)
{
	struct tbuf b = { 0 };
	struct vrs_scenario sc;
	struct vrs_trace_info info;
	struct vrs_result r;
	uint32_t i, n = 3000;

	(void)state;
	pool_init(&b, 2 * n + 2);
	for (i = 1; i <= n; i++)
		create(&b, i, 4096, 2 * (i - 1), "pipe");
	for (i = 0; i < n; i++) {
		uint32_t id = 1 + (i * 1237u) % n;	/* a permutation of 1..n */

		release(&b, id, 2 * (id - 1));
	}
	load_ok(b.s, NULL, &sc, &info);
	assert_int_equal(sc.nevs, 2 * n);
	assert_string_equal(sc.objs[n - 1].name, "pipe_3000");
	play(&sc, VRS_PLAY_CHECK_REC, &r);
	assert_int_equal(r.diverge_total, 0);
	assert_int_equal(r.vpeak, 2 * n);
	assert_true(r.leak_ok);
	vrs_result_free(&r);
	vrs_scenario_free(&sc);
	free(b.s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_roundtrip),
		cmocka_unit_test(test_bad_traces),
		cmocka_unit_test(test_convert),
		cmocka_unit_test(test_second_set_interim),
		cmocka_unit_test(test_run_freed_while_pending),
		cmocka_unit_test(test_free_after_later_run),
		cmocka_unit_test(test_run_next_to_region),
		cmocka_unit_test(test_format_hostile_api),
		cmocka_unit_test(test_to_scenario_roundtrip),
		cmocka_unit_test(test_replay_and_divergence),
		cmocka_unit_test(test_pool_zero),
		cmocka_unit_test(test_expect_key),
		cmocka_unit_test(test_log),
		cmocka_unit_test(test_pools_and_whatif),
		cmocka_unit_test(test_large_trace),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
