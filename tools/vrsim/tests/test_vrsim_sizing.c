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

/* Play, size, and check every sized region's claim with fresh replays. */
static void check_claim(const char *label, const char *text, size_t len)
{
	struct vrs_play_opts o = { VRS_PLAY_RECORD, NULL, NULL };
	struct vrs_scenario sc;
	struct vrs_diags dg;
	struct vrs_result r;
	struct vrs_sizing sz;
	uint32_t k;
	unsigned sized = 0;

	if (vrs_parse(label, text, len, 4096, &sc, &dg)) {
		print_message("%s:%u: %s\n", label, dg.n ? dg.d[0].line : 0, dg.n ? dg.d[0].msg : "");
		fail();
	}
	assert_int_equal(vrs_play(&sc, &o, &r), 0);
	assert_int_equal(vrs_size(&sc, &r, &sz), 0);
	for (k = 0; k < sc.nobjs; k++) {
		const struct vrs_size_rec *s = &sz.reg[k];
		struct vrs_fail first;

		if (!r.reg[k].is_region || !r.reg[k].created) {
			assert_int_equal(s->status, VRS_SIZE_NOT_SIZED);
			continue;
		}
		if (s->status != VRS_SIZE_OK) {
			print_message("%s: region %s: status %d\n", label, sc.objs[k].name, s->status);
			fail();
		}
		sized++;
		assert_int_equal(s->bytes, s->pages * sc.plat.page);
		assert_true(s->above_passes);
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
		struct vrs_play_opts o = { 0, NULL, NULL };
		struct vrs_scenario sc;
		struct vrs_diags dg;
		struct vrs_result r;
		struct vrs_sizing sz;
		char text[256];
		uint32_t k;
		size_t want = (bytes[i] + 4095) / 4096;

		snprintf(text, sizeof(text), "platform phys=64 virt=64\npipeline P\n"
			 "module P.d dp size=64K\nalloc P.d.x %zu\ndestroy P.d\ndestroy P\n", bytes[i]);
		assert_int_equal(vrs_parse("b.vrs", text, strlen(text), 4096, &sc, &dg), 0);
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
	struct vrs_play_opts o = { 0, NULL, NULL };
	struct vrs_scenario sc;
	struct vrs_diags dg;
	struct vrs_result r;
	struct vrs_sizing sz;

	(void)state;
	assert_int_equal(vrs_parse("g.vrs", grow, strlen(grow), 4096, &sc, &dg), 0);
	assert_int_equal(vrs_play(&sc, &o, &r), 0);
	assert_int_equal(r.unexpected, 1);
	assert_int_equal(vrs_size(&sc, &r, &sz), 0);
	assert_int_equal(sz.reg[0].status, VRS_SIZE_OK);
	assert_int_equal(sz.reg[0].pages, 5);
	assert_true(sz.all_clean);
	vrs_sizing_free(&sz);
	vrs_result_free(&r);
	vrs_scenario_free(&sc);

	assert_int_equal(vrs_parse("n.vrs", none, strlen(none), 4096, &sc, &dg), 0);
	assert_int_equal(vrs_play(&sc, &o, &r), 0);
	assert_int_equal(vrs_size(&sc, &r, &sz), 0);
	assert_int_equal(sz.reg[0].status, VRS_SIZE_NONE);
	vrs_sizing_free(&sz);
	vrs_result_free(&r);
	vrs_scenario_free(&sc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default),
		cmocka_unit_test(test_bundled),
		cmocka_unit_test(test_boundary_pairs),
		cmocka_unit_test(test_grow_and_none),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
