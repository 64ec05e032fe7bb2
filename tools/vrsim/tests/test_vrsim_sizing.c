/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_vrsim_sizing.c - the sizing claim, checked independently of the
 * sizer's own confirmation: for the default scenario and every bundled
 * example, each recommended size plays with no unexpected failure in its
 * region, and one page less has one. Plus boundary pairs on scenarios whose
 * answer is known exactly (lifetime-only regions: pages = ceil(bytes/page)).
 */
#include <stdio.h>
#include <stdlib.h>

#include "vr_test.h"

#include "size.h"

extern const unsigned char vrsim_default_scenario[];
extern const size_t vrsim_default_scenario_len;

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *b;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	b = malloc((size_t)n + 1);
	if (b && fread(b, 1, (size_t)n, f) != (size_t)n) {
		free(b);
		b = NULL;
	}
	fclose(f);
	*len = (size_t)n;
	return b;
}

static bool is_create(unsigned kind)
{
	return kind == VRS_EV_PIPELINE || kind == VRS_EV_MODULE;
}

/* Parse, play and size `text`; the caller frees. */
static void size_text(const char *text, struct vrs_scenario *sc, struct vrs_result *r,
		      struct vrs_sizing *sz)
{
	struct vrs_play_opts o = { 0 };
	struct vrs_diags dg;

	if (vrs_load("t.vrs", text, strlen(text), 4096, sc, &dg)) {
		print_message("t.vrs:%u: %s\n", dg.d[0].line, dg.d[0].msg);
		fail();
	}
	assert_int_equal(vrs_play(sc, &o, r), 0);
	assert_int_equal(vrs_size(sc, r, sz), 0);
}

static void size_free(struct vrs_scenario *sc, struct vrs_result *r, struct vrs_sizing *sz)
{
	vrs_sizing_free(sz);
	vrs_result_free(r);
	vrs_scenario_free(sc);
}

/* Play, size, and check every sized region's claim with fresh replays. */
static void check_claim(const char *label, const char *text, size_t len)
{
	struct vrs_play_opts o = { .flags = VRS_PLAY_RECORD };
	struct vrs_scenario sc;
	struct vrs_diags dg;
	struct vrs_result r;
	struct vrs_sizing sz;
	uint32_t k;
	unsigned sized = 0;

	if (vrs_load(label, text, len, 4096, &sc, &dg)) {
		print_message("%s:%u: %s\n", label, dg.n ? dg.d[0].line : 0, dg.n ? dg.d[0].msg : "");
		fail();
	}
	assert_int_equal(vrs_play(&sc, &o, &r), 0);
	assert_int_equal(vrs_size(&sc, &r, &sz), 0);
	for (k = 0; k < sc.nobjs; k++) {
		const struct vrs_size_rec *s = &sz.reg[k];
		struct vrs_fail first;

		if (!r.reg[k].is_region || (!r.reg[k].created && !r.reg[k].create_unexpected)) {
			assert_int_equal(s->status, VRS_SIZE_NOT_SIZED);
			continue;
		}
		if (s->status != VRS_SIZE_OK) {
			print_message("%s: region %s: status %d\n", label, sc.objs[k].name, s->status);
			fail();
		}
		sized++;
		assert_int_equal(s->bytes, s->pages * sc.plat.page);
		/* one page more plays clean, or cannot be created (the pool's limit) */
		assert_true(s->above_passes || (s->has_above_fail && is_create(s->above_fail.kind)));
		/* recommended plays clean in its region */
		assert_int_equal(vrs_size_try(&sc, k, s->pages, NULL), 1);
		/* one page less fails (unless one page is the minimum) */
		if (s->pages > 1) {
			assert_true(s->below_fails);
			assert_true(s->has_below_fail);
			memset(&first, 0, sizeof(first));
			assert_int_equal(vrs_size_try(&sc, k, s->pages - 1, &first), 0);
			assert_int_not_equal(first.line, 0);
			assert_false(first.expected);
			assert_int_equal(first.line, s->below_fail.line);
		}
	}
	assert_true(sized > 0);
	/* all regions at their recommended sizes at once: still clean */
	assert_true(sz.all_done);
	assert_true(sz.all_clean);
	assert_true(sz.all_vpeak <= r.vpeak || r.unexpected);
	vrs_sizing_free(&sz);
	vrs_result_free(&r);
	vrs_scenario_free(&sc);
}

static void test_default(void **state)
{
	(void)state;
	check_claim("default.vrs", (const char *)vrsim_default_scenario, vrsim_default_scenario_len);
}

static void test_bundled(void **state)
{
	static const char *const files[] = { "hello.vrs", "ztest.vrs", "pool-limits.vrs",
					     "src-8ch.vrs" };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char path[1024];
		size_t len = 0;
		char *text;

		snprintf(path, sizeof(path), "%s/%s", VRSIM_SCENARIO_DIR, files[i]);
		text = slurp(path, &len);
		if (!text) {
			print_message("cannot read %s\n", path);
			fail();
		}
		check_claim(files[i], text, len);
		free(text);
	}
}

/* Lifetime-only: the answer is ceil(bytes / page), exactly. */
static void test_boundary_pairs(void **state)
{
	static const size_t bytes[] = { 64, 4096, 4097, 8192, 8193, 40960, 40961 };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bytes) / sizeof(bytes[0]); i++) {
		struct vrs_play_opts o = { 0 };
		struct vrs_scenario sc;
		struct vrs_diags dg;
		struct vrs_result r;
		struct vrs_sizing sz;
		char text[256];
		uint32_t k;
		size_t want = (bytes[i] + 4095) / 4096;

		snprintf(text, sizeof(text), "platform phys=64 virt=64\npipeline P\n"
			 "module P.d dp size=64K\nalloc P.d.x %zu\ndestroy P.d\ndestroy P\n", bytes[i]);
		assert_int_equal(vrs_load("b.vrs", text, strlen(text), 4096, &sc, &dg), 0);
		assert_int_equal(vrs_play(&sc, &o, &r), 0);
		assert_int_equal(vrs_size(&sc, &r, &sz), 0);
		k = vrs_find_object(&sc, "P.d");
		assert_int_equal(sz.reg[k].status, VRS_SIZE_OK);
		assert_int_equal(sz.reg[k].pages, want);
		assert_int_equal(sz.reg[k].written_pages, 16);
		assert_int_equal(vrs_size_try(&sc, k, want, NULL), 1);
		if (want > 1)
			assert_int_equal(vrs_size_try(&sc, k, want - 1, NULL), 0);
		vrs_sizing_free(&sz);
		vrs_result_free(&r);
		vrs_scenario_free(&sc);
	}
}

/* Too small as written: the sizer searches upwards; too large for the window:
 * no size fits. */
static void test_grow_and_none(void **state)
{
	static const char grow[] = "platform phys=64 virt=64\npipeline P size=4K\n"
				   "alloc P.x 20000\ndestroy P\n";
	static const char none[] = "platform phys=8 virt=8\npipeline P size=4K\n"
				   "alloc P.x 40000\ndestroy P\n";
	struct vrs_play_opts o = { 0 };
	struct vrs_scenario sc;
	struct vrs_diags dg;
	struct vrs_result r;
	struct vrs_sizing sz;

	(void)state;
	assert_int_equal(vrs_load("g.vrs", grow, strlen(grow), 4096, &sc, &dg), 0);
	assert_int_equal(vrs_play(&sc, &o, &r), 0);
	assert_int_equal(r.unexpected, 1);
	assert_int_equal(vrs_size(&sc, &r, &sz), 0);
	assert_int_equal(sz.reg[0].status, VRS_SIZE_OK);
	assert_int_equal(sz.reg[0].pages, 5);
	assert_true(sz.all_clean);
	vrs_sizing_free(&sz);
	vrs_result_free(&r);
	vrs_scenario_free(&sc);

	assert_int_equal(vrs_load("n.vrs", none, strlen(none), 4096, &sc, &dg), 0);
	assert_int_equal(vrs_play(&sc, &o, &r), 0);
	assert_int_equal(vrs_size(&sc, &r, &sz), 0);
	assert_int_equal(sz.reg[0].status, VRS_SIZE_NONE);
	vrs_sizing_free(&sz);
	vrs_result_free(&r);
	vrs_scenario_free(&sc);
}

/* A region that cannot be created as written (larger than the platform, or
 * than what the pool has left) is sized too: a smaller size may fit. */
static void test_too_large_as_written(void **state)
{
	static const struct {
		const char *text;
		size_t pages, max;
	} t[] = {
		{ "platform phys=4 virt=64\npipeline P size=32K\nalloc P.x 100\ndestroy P\n", 1, 4 },
		{ "platform phys=4 virt=64\npipeline P size=32K\nalloc P.x 5000\ndestroy P\n", 2, 4 },
		{ "platform phys=64 virt=8\npipeline P size=1M\nalloc P.x 20000\ndestroy P\n", 5, 7 },
		{ "pipeline P size=0xffffffffffffffff\nalloc P.x 100\ndestroy P\n", 1, 319 },
		/* the pool holds Q (4 + 1 guard of 9 pages): 4 are left for P and its guard */
		{ "platform phys=9 virt=9\npipeline Q size=16K\npipeline P size=24K\nalloc P.x 9000\n"
		  "destroy P\ndestroy Q\n", 3, 8 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct vrs_scenario sc;
		struct vrs_result r;
		struct vrs_sizing sz;
		uint32_t k;

		size_text(t[i].text, &sc, &r, &sz);
		k = vrs_find_object(&sc, "P");
		assert_int_equal(r.reg[k].created, 0);
		assert_int_equal(r.reg[k].create_unexpected, 1);
		if (sz.reg[k].status != VRS_SIZE_OK || sz.reg[k].pages != t[i].pages) {
			print_message("case %zu: status %d, %zu pages, want %zu\n", i,
				      sz.reg[k].status, sz.reg[k].pages, t[i].pages);
			fail();
		}
		assert_int_equal(sz.reg[k].max_pages, t[i].max);
		assert_int_equal(vrs_size_try(&sc, k, t[i].pages, NULL), 1);
		if (t[i].pages > 1) {
			assert_true(sz.reg[k].has_below_fail);
			assert_int_equal(sz.reg[k].below_fail.kind, VRS_EV_ALLOC);
			assert_int_equal(vrs_size_try(&sc, k, t[i].pages - 1, NULL), 0);
		}
		size_free(&sc, &r, &sz);
	}
	if (sizeof(size_t) == 8) {
		struct vrs_scenario sc;
		struct vrs_result r;
		struct vrs_sizing sz;

		size_text(t[3].text, &sc, &r, &sz);
		assert_true(sz.reg[0].written_pages == (size_t)1 << 52);	/* no wrap to 0 */
		size_free(&sc, &r, &sz);
	}
}

/* The pool's limit one page above the answer: reported, not a contradiction. */
static void test_pool_limit_above(void **state)
{
	static const char text[] = "platform phys=9 virt=9\npipeline Q size=16K\n"
				   "pipeline P size=12K\nalloc P.x 9000\ndestroy P\ndestroy Q\n";
	struct vrs_scenario sc;
	struct vrs_result r;
	struct vrs_sizing sz;
	uint32_t k;

	(void)state;
	size_text(text, &sc, &r, &sz);
	k = vrs_find_object(&sc, "P");
	assert_int_equal(sz.reg[k].status, VRS_SIZE_OK);
	assert_int_equal(sz.reg[k].pages, 3);
	assert_true(sz.reg[k].below_fails);
	assert_false(sz.reg[k].above_passes);
	assert_true(sz.reg[k].has_above_fail);
	assert_int_equal(sz.reg[k].above_fail.kind, VRS_EV_PIPELINE);
	assert_int_equal(sz.reg[k].above_fail.line, 3);
	assert_int_equal(sz.reg[k].above_fail.phys_free, 5);	/* guards take no physical page */
	size_free(&sc, &r, &sz);
}

/* No size fits: too small even at the largest region the platform holds, or
 * every size large enough cannot be created. Both say why. */
static void test_none_says_why(void **state)
{
	static const char small[] = "platform phys=64 virt=8\npipeline P size=4K\n"
				    "alloc P.x 40000\ndestroy P\n";
	/* Q needs its 4 pages: even at the recommended sizes, P has 4 of 9 left */
	static const char nopool[] = "platform phys=9 virt=9\npipeline Q size=16K\nalloc Q.a 16000\n"
				     "pipeline P size=20K\nalloc P.x 20000\ndestroy P\ndestroy Q\n";
	static const char never[] = "pipeline P size=8K\ncomplete P\n"
				    "alloc P.x 0xffffffffffffff00\ndestroy P\n";
	struct vrs_scenario sc;
	struct vrs_result r;
	struct vrs_sizing sz;
	uint32_t k;

	(void)state;
	size_text(small, &sc, &r, &sz);
	assert_int_equal(sz.reg[0].status, VRS_SIZE_NONE);
	assert_int_equal(sz.reg[0].max_pages, 7);
	assert_int_equal(sz.reg[0].blocking_pages, 7);
	assert_true(sz.reg[0].has_blocking_fail);
	assert_int_equal(sz.reg[0].blocking_fail.kind, VRS_EV_ALLOC);
	assert_int_equal(sz.reg[0].blocking_fail.line, 3);
	assert_int_equal(sz.reg[0].blocking_fail.largest_free, 7 * 4096);
	assert_int_equal(sz.reg[0].pages, 0);
	assert_false(sz.all_done);	/* nothing to put at a recommended size */
	size_free(&sc, &r, &sz);

	size_text(nopool, &sc, &r, &sz);
	k = vrs_find_object(&sc, "P");
	assert_int_equal(sz.reg[k].status, VRS_SIZE_NONE);
	/* 3 pages (+ guard) fit in the 4 pages left, but are too small; 4 do not fit */
	assert_int_equal(sz.reg[k].blocking_pages, 4);
	assert_true(sz.reg[k].has_blocking_fail);
	assert_int_equal(sz.reg[k].blocking_fail.kind, VRS_EV_PIPELINE);
	assert_int_equal(sz.reg[k].blocking_fail.largest_free, 4 * 4096);
	assert_true(sz.reg[k].has_below_fail);
	assert_int_equal(sz.reg[k].below_fail.kind, VRS_EV_ALLOC);
	assert_int_equal(sz.reg[k].below_fail.line, 5);
	assert_false(sz.reg[k].others_recommended);
	assert_int_equal(sz.reg[vrs_find_object(&sc, "Q")].pages, 4);
	assert_int_equal(vrs_size_try(&sc, k, 3, NULL), 0);	/* too small */
	assert_int_equal(vrs_size_try(&sc, k, 4, NULL), 0);	/* too large for the pool */
	assert_int_equal(vrs_size_try(&sc, k, 5, NULL), 0);
	size_free(&sc, &r, &sz);

	size_text(never, &sc, &r, &sz);
	assert_int_equal(sz.reg[0].status, VRS_SIZE_NONE);
	assert_int_equal(sz.reg[0].blocking_pages, 319);	/* the default window less its guard */
	assert_int_equal(sz.reg[0].blocking_fail.kind, VRS_EV_ALLOC);
	size_free(&sc, &r, &sz);
}

/* A region the pool has no room for as written (another region is far too
 * large) is sized with the others at their recommended sizes. */
static void test_others_at_recommended(void **state)
{
	static const char text[] = "platform phys=64 virt=64\npipeline A size=200K\nalloc A.x 100\n"
				   "pipeline B size=64K\nalloc B.y 60000\ndestroy B\ndestroy A\n";
	struct vrs_scenario sc;
	struct vrs_result r;
	struct vrs_sizing sz;
	uint32_t a, b;

	(void)state;
	size_text(text, &sc, &r, &sz);
	a = vrs_find_object(&sc, "A");
	b = vrs_find_object(&sc, "B");
	assert_int_equal(r.reg[b].create_unexpected, 1);	/* 50 + 1 of 64 taken */
	assert_int_equal(sz.reg[a].status, VRS_SIZE_OK);
	assert_int_equal(sz.reg[a].pages, 1);
	assert_false(sz.reg[a].others_recommended);
	assert_int_equal(sz.reg[b].status, VRS_SIZE_OK);
	assert_int_equal(sz.reg[b].pages, 15);		/* 60000 B */
	assert_true(sz.reg[b].others_recommended);
	assert_int_equal(sz.reg[b].written_pages, 16);
	assert_true(sz.reg[b].has_below_fail);
	assert_int_equal(sz.reg[b].below_fail.kind, VRS_EV_ALLOC);
	assert_true(sz.all_done);
	assert_true(sz.all_clean);
	size_free(&sc, &r, &sz);
}

/* vrsim --region: the sizer's replays keep the overrides of the regions they
 * do not size (here Q at 1 page leaves room for P). */
static void test_base_overrides(void **state)
{
	static const char text[] = "platform phys=9 virt=9\npipeline Q size=16K\n"
				   "pipeline P size=20K\nalloc P.x 20000\ndestroy P\ndestroy Q\n";
	struct vrs_play_opts o = { 0 };
	struct vrs_scenario sc;
	struct vrs_diags dg;
	struct vrs_result r;
	struct vrs_sizing sz;
	size_t base[2] = { 0, 0 };
	uint32_t p, q;

	(void)state;
	assert_int_equal(vrs_load("t.vrs", text, strlen(text), 4096, &sc, &dg), 0);
	q = vrs_find_object(&sc, "Q");
	p = vrs_find_object(&sc, "P");
	base[q] = 4096;
	o.size_override = base;
	assert_int_equal(vrs_play(&sc, &o, &r), 0);
	assert_int_equal(r.unexpected, 0);
	assert_int_equal(vrs_size_with(&sc, &r, base, &sz), 0);
	assert_int_equal(sz.reg[p].status, VRS_SIZE_OK);
	assert_int_equal(sz.reg[p].pages, 5);
	assert_true(sz.reg[p].above_passes);	/* 6 + 1 + 2 = 9: still fits */
	assert_int_equal(sz.reg[q].pages, 1);
	assert_true(sz.all_clean);
	vrs_sizing_free(&sz);
	/* without the base, P is sized against Q as written: no room for 4 pages */
	assert_int_equal(vrs_size(&sc, &r, &sz), 0);
	assert_int_equal(sz.reg[p].status, VRS_SIZE_OK);	/* pass 2: Q at 1 page */
	assert_true(sz.reg[p].others_recommended);
	size_free(&sc, &r, &sz);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default),
		cmocka_unit_test(test_bundled),
		cmocka_unit_test(test_boundary_pairs),
		cmocka_unit_test(test_grow_and_none),
		cmocka_unit_test(test_too_large_as_written),
		cmocka_unit_test(test_pool_limit_above),
		cmocka_unit_test(test_none_says_why),
		cmocka_unit_test(test_others_at_recommended),
		cmocka_unit_test(test_base_overrides),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
