/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_vrsim_parse.c - the scenario language: a bad-input table (every error
 * the parser and the model check can report, with its line), numbers, repeat
 * unrolling, name resolution, and the "FILE:LINE: msg" format.
 */
#include <stdio.h>
#include <stdlib.h>

#include "vr_test.h"

#include "scenario.h"

extern const unsigned char vrsim_default_scenario[];
extern const size_t vrsim_default_scenario_len;

static int parse(const char *text, struct vrs_scenario *sc, struct vrs_diags *dg)
{
	return vrs_load("t.vrs", text, strlen(text), 4096, sc, dg);
}

struct bad {
	const char *text;
	unsigned line;		/* line of the first diagnostic */
	const char *msg;	/* substring of the first diagnostic */
};

#define PS "pipeline P1 size=8K\n"
#define PM "pipeline P1\nmodule P1.a ll\nmodule P1.b ll\n"

static const struct bad bad_inputs[] = {
	/* syntax: keywords, arguments, options, numbers */
	{ "bogus P1\n", 1, "unknown keyword 'bogus'" },
	{ "\n\n  frobnicate\n", 3, "unknown keyword 'frobnicate'" },
	{ "pipeline\n", 1, "'pipeline' needs a name" },
	{ "pipeline 1P\n", 1, "bad name '1P'" },
	{ "pipeline P1.x\n", 1, "must not contain '.'" },
	{ "pipeline P1 size=12Q\n", 1, "bad number '12Q'" },
	{ "pipeline P1 size=99999999999999999999999\n", 1, "bad number" },
	{ "pipeline P1 size=0\n", 1, "size must be > 0" },
	{ "pipeline P1 size=4K foo=1\n", 1, "unknown option 'foo=1'" },
	{ "pipeline P1 size=4K size=8K\n", 1, "duplicate option 'size'" },
	{ "pipeline P1 size\n", 1, "needs a value" },
	{ "pipeline P1 size=4K seal=1\n", 1, "takes no value" },
	{ "pipeline P1 expect=maybe size=4K\n", 1, "bad value 'maybe' for expect" },
	{ "pipeline P1 expect=fail\n", 1, "needs size=" },
	{ "pipeline P1 extra\n", 1, "unknown option 'extra' for 'pipeline' (accepted: size= seal expect=)" },
	{ "pipeline P1 12\n", 1, "extra argument '12' for 'pipeline'" },
	{ "pipeline P1\x01\n", 1, "bad character 0x01" },
	{ "pipeline P1\nmodule P1.m\n", 2, "needs a domain" },
	{ "pipeline P1\nmodule P1.m xx\n", 2, "must be 'll' or 'dp'" },
	{ "pipeline P1\nmodule P1.m ll size=4K\n", 2, "extra argument 'size=4K'" },
	{ "pipeline P1\nmodule P1.m dp size=4K coherent\n", 2, "unknown option 'coherent'" },
	{ PS "alloc P1.x\n", 2, "needs a size" },
	{ PS "alloc P1.x 10 20\n", 2, "extra argument '20'" },
	{ PS "alloc P1.x 10 align=3\n", 2, "align must be a power of two" },
	{ PS "alloc P1.x 10 align=0\n", 2, "align must be a power of two" },
	{ PS "alloc P1.x 0\n", 2, "allocation size must be > 0" },
	{ PS "alloc P1.x 1X\n", 2, "bad number '1X' for size (use e.g." },
	/* issue 11.3: one wording, a misspelt option named and the valid ones listed */
	{ "pipeline P1 size=12Q\n", 1, "bad number '12Q' for size (use e.g." },
	{ PS "alloc P1.x 10 coherant\n", 2, "unknown option 'coherant' for 'alloc' (did you mean "
	  "'coherent'?) (accepted: align= coherent expect=)" },
	{ PS "alloc P1.x 10 alig=64\n", 2, "unknown option 'alig=64' for 'alloc' (did you mean "
	  "'align'?)" },
	{ PS "alloc P1.x 10 expect=fail coherent 7\n", 2, "extra argument '7' for 'alloc'" },
	{ "module P9.m ll\n", 1, "unknown name 'P9' (no pipeline of that name was created before)" },
	{ PS "alloc P2.x 10\n", 2, "(no pipeline, module, buffer, region or page run of that name" },
	/* regions and page runs (what a trace records) */
	{ "region\n", 1, "'region' needs a name" },
	{ "region R1\n", 1, "'region' needs size= (region R1 size=16K)" },
	{ "region R1 size=4K align=4\n", 1, "a region's align must be from 8 to the page size" },
	{ "region R1 size=4K align=8K\n", 1, "a region's align must be from 8 to the page size" },
	{ "region R1 size=4K nolock\n", 1, "unknown option 'nolock' for 'region'" },
	{ "region A->B size=4K\n", 1, "must not contain '->'" },
	{ "region R1 size=4K\nregion R1 size=4K\n", 2, "duplicate name 'R1'" },
	{ "region R1 size=4K\nput R1\nput R1\n", 3, "'R1' no longer exists (released at line 2)" },
	{ "region R1 size=4K\nalloc R1.x 8\nput R1\nfree R1.x\n", 4,
	  "gone with its region, released at line 3" },
	{ "region R1 size=4K\ndestroy R1\n", 2, "its last 'put R1' releases it" },
	{ "region R1 size=4K\nstart R1\n", 2, "'R1' is a region, not a pipeline" },
	{ "region R1 size=4K\nreset R1\n", 2, "reset R1 interim-reset" },
	{ "region R1 size=4K\nreset R1 interim-reset\n", 2, "not in the interim phase" },
	{ "region R1 size=4K\nfree R1\n", 2, "is a region, not an allocation (use put)" },
	{ "pipeline P1\nget P1\n", 2, "'P1' is a pipeline, not a region" },
	{ "get R9\n", 1, "unknown name 'R9' (no region of that name" },
	{ "region R1 size=4K\nput R1 R2\n", 2, "extra argument 'R2' for 'put'" },
	{ "pages\n", 1, "'pages' needs a name" },
	{ "pages V1\n", 1, "'pages' needs a page count" },
	{ "pages V1 0\n", 1, "page count must be > 0" },
	{ "pages V1 x\n", 1, "bad number 'x' for page count" },
	{ "pages V1 2 mapped\n", 1, "unknown option 'mapped' for 'pages' (accepted: reserve expect=)" },
	{ "pages V1 2\nalloc V1.x 8\n", 2, "'V1' is a page run: nothing is allocated in it" },
	{ "pages V1 2\nput V1\n", 2, "'V1' is a page run, not a region" },
	{ "pages V1 2\ndestroy V1\ndestroy V1\n", 3, "no longer exists (destroyed at line 2)" },
	{ PS "free\n", 2, "'free' needs a name" },
	{ PS "free P1.x P1.y\n", 2, "extra argument 'P1.y'" },
	{ "title\n", 1, "'title' needs a text" },
	{ "title a\ntitle b\n", 2, "duplicate 'title'" },
	{ "title a <b>\n", 1, "title must not contain" },
	{ "title caf\xe9\n", 1, "title is not valid UTF-8 (byte 4)" },
	{ "title \xff\n", 1, "not valid UTF-8" },
	{ "title over\xc0\xaflong\n", 1, "not valid UTF-8" },
	{ "title surrogate \xed\xa0\x80\n", 1, "not valid UTF-8" },
	{ "title cut \xe2\x82\n", 1, "not valid UTF-8" },
	{ "title a\x0b b\n", 1, "carriage return" },
	{ "title xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	  "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n", 1, "title too long (128 bytes" },
	{ "repeat 3 {\n", 1, "'repeat' block is not closed" },
	{ "repeat 2\nrepeat 3\nalloc P.x 1\nend\n", 1, "'repeat' block is not closed" },
	/* empty blocks would be walked count times for nothing (nested: hours) */
	{ "repeat 2 {\n}\n", 1, "'repeat' block has nothing to repeat (it closes at line 2)" },
	{ "repeat 2 {\n# only a comment\n\n}\n", 1, "nothing to repeat" },
	{ "pipeline P\nrepeat 1000000 {\nrepeat 1000000 {\n}\n}\n", 3, "nothing to repeat" },
	{ "repeat 2 {\nplatform\n}\n", 2, "'platform' cannot be inside a 'repeat' block" },
	{ "repeat 2 {\ntitle x\n}\n", 2, "'title' cannot be inside a 'repeat' block" },
	{ "repeat 1000001 {\nalloc P.x 1\n}\n", 1, "repeat count must be from 1 to 1000000" },
	{ "repeat 1000000000 {\nalloc P.x 1\n}\n", 1, "repeat count must be from 1 to 1000000" },
	{ "repeat 99999999999999999999999 {\nalloc P.x 1\n}\n", 1, "bad number" },
	{ "}\n", 1, "'}' without a matching 'repeat'" },
	{ "end\n", 1, "'end' without a matching 'repeat'" },
	{ "repeat 0 {\n}\n", 1, "repeat count must be from 1" },
	{ "repeat x {\n}\n", 1, "bad number 'x'" },
	{ "repeat 2 x\nend\n", 1, "extra argument 'x'" },
	{ "repeat\n", 1, "'repeat' needs a count" },
	{ "{\n", 1, "'{' must follow 'repeat N'" },
	{ "pipeline P1\nbind P1.a\n", 2, "needs two module names" },
	{ "pipeline P1\nbind A B with C\n", 2, "extra argument 'with'" },
	{ "pipeline P1\nbind A B as\n", 2, "needs a buffer name after 'as'" },
	{ "pipeline P1\nbind A B as X heap 1\n", 2, "extra argument '1'" },
	{ "pipeline P1\nbind A B sys\n", 2, "extra argument 'sys' for 'bind' (bind A B [as NAME] [heap])" },
	{ "pipeline P1\nbind A B as X hea\n", 2, "extra argument 'hea'" },
	{ "pipeline P1 size=8K\nmodule P1.a ll\nmodule P1.b ll\nbind P1.a P1.b as B heap\n"
	  "alloc B.x 10\n", 5, "buffer 'B' has no region to allocate from (bound with 'heap'" },
	{ "pipeline P1\nreset P1 hard\n", 2, "unknown option 'hard' for 'reset' (accepted: interim-reset)" },
	/* platform */
	{ "pipeline P1\nplatform page=4096\n", 2, "must come before the first pipeline" },
	{ "platform\nplatform\n", 2, "duplicate 'platform'" },
	{ "platform page=1000\n", 1, "page must be a power of two" },
	{ "platform page=32\n", 1, "page must be a power of two from 64 to 1M" },
	{ "platform page=2M\n", 1, "page must be a power of two from 64 to 1M, not 2097152" },
	{ "platform page=0x8000000000000000\n", 1, "page must be a power of two from 64 to 1M" },
	{ "platform page=2048\n", 1, "multiple of the host page size" },
	{ "platform line=8192\n", 1, "line must be a power of two" },
	{ "platform align=48\n", 1, "align must be a power of two" },
	/* below the library's smallest min_align: every region was refused, exit 1 */
	{ "platform align=4\n", 1, "align must be a power of two from 8 to the page size" },
	{ "platform align=1\n", 1, "align must be a power of two from 8 to the page size" },
	{ "platform guard=320\n", 1, "guard must be less than virt (320)" },
	{ "platform virt=0\n", 1, "virt must be a page count" },
	{ "platform phys=0\n", 1, "phys must be a page count" },
	{ "platform foo=1\n", 1, "unknown option 'foo' for 'platform'" },
	{ "platform page\n", 1, "needs a value" },
	{ "platform page=4K page=4K\n", 1, "duplicate option 'page'" },
	/* the model: names */
	{ "pipeline P1\npipeline P1\n", 2, "duplicate name 'P1' (created at line 1" },
	{ "pipeline P1\nmodule P1 ll\n", 2, "must be PIPELINE.MODULE" },
	{ "pipeline P1\nmodule P1.a.b ll\n", 2, "must be PIPELINE.MODULE" },
	{ PM "module P1.a ll\n", 4, "duplicate name 'P1.a'" },
	{ "pipeline P1\nmodule P1.a ll\ndestroy P1.a\nmodule P1.a dp\n", 4,
	  "'P1.a' was an ll module (line 2): a name keeps its kind" },
	{ PS "alloc P1 10\n", 2, "must be OWNER.NAME" },
	{ PS "alloc P2.x 10\n", 2, "unknown name 'P2'" },
	{ "pipeline P1\nalloc P1.x 10\n", 2, "'P1' has no region to allocate from" },
	{ "pipeline P1\nmodule P1.a ll\nalloc P1.a.x 10\n", 3, "'P1.a' has no region" },
	{ PM "bind P1.a P1.b\nalloc P1.a->P1.b.d 10\n", 5, "buffer 'P1.a->P1.b' has no region" },
	{ PS "alloc P1.x 10\nalloc P1.x 10\n", 3, "duplicate allocation 'P1.x' (allocated at line 2" },
	{ PS "alloc P1.x 10\nmodule P1.x ll\n", 3, "already the name of an allocation" },
	{ "pipeline P1 size=8K\nmodule P1.m ll\nalloc P1.m 10\n", 3,
	  "already the name of a pipeline, module or buffer" },
	/* the model: frees */
	{ PS "free P1.x\n", 2, "free of unknown allocation 'P1.x'" },
	{ PS "alloc P1.x 10\nfree P1.x\nfree P1.x\n", 4, "already freed at line 3" },
	{ PS "alloc P1.x 10 expect=fail\nfree P1.x\n", 3, "expects to fail" },
	{ PS "alloc P1.x 10\ndestroy P1\nfree P1.x\n", 4, "freed with its owner at line 3" },
	{ PS "complete P1\nalloc P1.x 10\nreset P1 interim-reset\nfree P1.x\n", 5,
	  "dropped by the interim reset at line 4" },
	{ PS "module P1.m ll\nfree P1.m\n", 3, "is an ll module, not an allocation (use destroy)" },
	{ PS "repeat 2 {\nalloc P1.x 10\n}\n", 3, "duplicate allocation 'P1.x'" },
	/* the model: lifecycle */
	{ PS "start P1\n", 2, "'start P1' before 'complete P1'" },
	{ PS "complete P1\nstart P1\nstart P1\n", 4, "already running (started at line 3)" },
	{ PS "complete P1\nstop P1\n", 3, "is not running" },
	{ PS "complete P1\nstart P1\nreset P1\n", 4, "stop it before reset" },
	{ PS "complete P1\nstart P1\ndestroy P1\n", 4, "stop it first" },
	{ PS "module P1.m ll\ncomplete P1\nstart P1\ndestroy P1.m\n", 5,
	  "stop it before destroying its module 'P1.m'" },
	{ PS "module P1.a ll\ndestroy P1\n", 3, "destroy the modules of 'P1' first" },
	{ PS "complete P1\ncomplete P1\n", 3, "already complete (line 2)" },
	{ "pipeline P1\nmodule P1.d dp\ncomplete P1.d\ncomplete P1.d\n", 4, "already complete" },
	{ "pipeline P1\nmodule P1.a ll\ncomplete P1.a\n", 3, "is an ll module, not a pipeline, dp module or region" },
	{ "pipeline P3\ncomplete P3 expect=fail\n", 2, "has no region that could fail" },
	{ "pipeline P1\ndestroy P1\ndestroy P1\n", 3, "no longer exists (destroyed at line 2)" },
	{ "pipeline P1 size=8M expect=fail\nmodule P1.a ll\n", 2, "does not exist (its creation at line 1" },
	{ "pipeline P1\nstart P2\n", 2, "unknown name 'P2'" },
	/* the model: binds */
	{ "pipeline P1\nmodule P1.a ll\nbind P1.a P1.a\n", 3, "cannot bind 'P1.a' to itself" },
	{ PM "bind P1.a P1.b\nbind P1.a P1.b\n", 5, "already bound" },
	{ PM "unbind P1.a P1.b\n", 4, "are not bound" },
	{ PM "bind P1.a P1.b as X\nbind P1.a P1.b as Y\nunbind P1.a P1.b\n", 6, "bound 2 times" },
	{ PM "bind P1.a P1.b as B\ndestroy B\n", 5, "is a buffer: use 'unbind B'" },
	{ PM "bind P1.a P1.b as B\nunbind B\nunbind B\n", 6, "no longer exists (unbound at line 5)" },
	{ PM "bind P1.a P1.c\n", 4, "unknown name 'P1.c'" },
	{ PM "bind P1.a P1\n", 4, "'P1' is a pipeline, not a module" },
	/* whole scenario */
	{ "# only a comment\n\n", 0, "empty scenario" },
	{ "", 0, "empty scenario" },
	{ PS "complete P1\nrepeat 1000 {\nrepeat 1000 {\nrepeat 1000 {\nstart P1\nstop P1\n}\n}\n}\n",
	  7, "unrolls to more than" },
};

static void test_bad_inputs(void **state)
{
	size_t i, bad = 0;

	(void)state;
	for (i = 0; i < sizeof(bad_inputs) / sizeof(bad_inputs[0]); i++) {
		const struct bad *b = &bad_inputs[i];
		struct vrs_scenario sc;
		struct vrs_diags dg;
		int rc = parse(b->text, &sc, &dg);

		if (rc != -1 || dg.n < 1 || dg.d[0].line != b->line || !strstr(dg.d[0].msg, b->msg)) {
			print_message("case %zu: input \"%s\"\n  rc %d, line %u, msg \"%s\"\n"
				      "  want line %u, msg containing \"%s\"\n", i, b->text, rc,
				      dg.n ? dg.d[0].line : 0, dg.n ? dg.d[0].msg : "(none)", b->line,
				      b->msg);
			bad++;
		}
		/* nothing is left to play */
		assert_int_equal(sc.nevs, 0);
		assert_null(sc.evs);
		assert_null(sc.objs);
	}
	assert_int_equal(bad, 0);
}

static void test_all_syntax_errors_reported(void **state)
{
	struct vrs_scenario sc;
	struct vrs_diags dg;

	(void)state;
	assert_int_equal(parse("foo\npipeline P1 size=x\nbar\n", &sc, &dg), -1);
	assert_int_equal(dg.n, 3);
	assert_int_equal(dg.d[0].line, 1);
	assert_int_equal(dg.d[1].line, 2);
	assert_int_equal(dg.d[2].line, 3);
	/* more than VRS_MAX_DIAGS: all counted, the first ones kept */
	{
		char text[2000] = "";
		int i;

		for (i = 0; i < VRS_MAX_DIAGS + 5; i++)
			strcat(text, "nope\n");
		assert_int_equal(parse(text, &sc, &dg), -1);
		assert_int_equal(dg.n, VRS_MAX_DIAGS);
		assert_int_equal(dg.total, VRS_MAX_DIAGS + 5);
	}
}

/* An error on a repeat line, or nesting too deep, does not make its closing
 * line a second error. */
static void test_no_cascade(void **state)
{
	static const char *const texts[] = {
		"pipeline P size=8K\nrepeat 0 {\nalloc P.x 1\n}\n",
		"pipeline P size=8K\nrepeat x\nalloc P.x 1\nend\n",
		"pipeline P size=8K\nrepeat 2 ; {\nalloc P.x 1\n}\n",
		"pipeline P size=8K\n"
		"repeat 2 {\nrepeat 2 {\nrepeat 2 {\nrepeat 2 {\nrepeat 2 {\nrepeat 2 {\n"
		"repeat 2 {\nrepeat 2 {\nrepeat 2 {\nrepeat 2 {\nrepeat 2 {\nrepeat 2 {\n"
		"repeat 2 {\nrepeat 2 {\nrepeat 2 {\nrepeat 2 {\nrepeat 2 {\nalloc P.x 1\nfree P.x\n"
		"}\n}\n}\n}\n}\n}\n}\n}\n}\n}\n}\n}\n}\n}\n}\n}\n}\n",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		struct vrs_scenario sc;
		struct vrs_diags dg;

		assert_int_equal(parse(texts[i], &sc, &dg), -1);
		if (dg.total != 1) {
			print_message("case %zu: %u diagnostics, first line %u: %s\n", i, dg.total,
				      dg.d[0].line, dg.d[0].msg);
			fail();
		}
	}
}

/* Titles are free text: many words, long words, UTF-8, a comment after. */
static void test_titles(void **state)
{
	static const struct {
		const char *text, *want;
	} t[] = {
		{ "title a b c d e f g h i j k l m n o p q r s t u v w x y z\n",
		  "a b c d e f g h i j k l m n o p q r s t u v w x y z" },
		{ "  title\t\xc3\xa9t\xc3\xa9 \xe2\x86\x92 48 kHz \xf0\x9f\x8e\xb5  # comment\r\n",
		  "\xc3\xa9t\xc3\xa9 \xe2\x86\x92 48 kHz \xf0\x9f\x8e\xb5" },
		{ "title a\tb\n", "a\tb" },
		{ "title xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		  "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n",
		  "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		  "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		char text[512];
		struct vrs_scenario sc;
		struct vrs_diags dg;

		snprintf(text, sizeof(text), "%spipeline P\ndestroy P\n", t[i].text);
		if (parse(text, &sc, &dg)) {
			print_message("case %zu: %s\n", i, dg.d[0].msg);
			fail();
		}
		assert_true(strcmp(sc.title, t[i].want) == 0);
		vrs_scenario_free(&sc);
	}
	assert_int_equal(strlen(t[3].want), 127);
}

static void test_utf8(void **state)
{
	static const struct {
		const char *s;
		size_t n;
	} t[] = {
		{ "", 0 }, { "a", 1 }, { "\x7f", 1 }, { "\xc2\x80", 2 }, { "\xdf\xbf", 2 },
		{ "\xe0\xa0\x80", 3 }, { "\xef\xbf\xbf", 3 }, { "\xf0\x90\x80\x80", 4 },
		{ "\xf4\x8f\xbf\xbf", 4 },
		{ "\x80", 0 }, { "\xc0\x80", 0 }, { "\xc1\xbf", 0 }, { "\xe0\x9f\xbf", 0 },
		{ "\xed\xa0\x80", 0 }, { "\xed\xbf\xbf", 0 }, { "\xf0\x8f\xbf\xbf", 0 },
		{ "\xf4\x90\x80\x80", 0 }, { "\xf5\x80\x80\x80", 0 }, { "\xff", 0 },
		{ "\xc3", 0 }, { "\xe2\x82", 0 }, { "\xc3" "a", 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (vrs_utf8_len(t[i].s) != t[i].n) {
			print_message("case %zu: %zu, want %zu\n", i, vrs_utf8_len(t[i].s), t[i].n);
			fail();
		}
	}
}

static void test_diag_format(void **state)
{
	struct vrs_scenario sc;
	struct vrs_diags dg;
	char buf[512] = "";
	FILE *f = tmpfile();
	size_t n;

	(void)state;
	assert_non_null(f);
	assert_int_equal(vrs_load("dir/x.vrs", "pipeline P1\n\nfree P1.q\n", 23, 4096, &sc, &dg), -1);
	vrs_diags_print(&dg, "dir/x.vrs", f);
	rewind(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = 0;
	fclose(f);
	assert_true(strncmp(buf, "dir/x.vrs:3: free of unknown allocation 'P1.q'", 46) == 0);
	assert_true(buf[n - 1] == '\n');
}

static void test_numbers(void **state)
{
	static const struct {
		const char *s;
		int rc;
		size_t v;
	} t[] = {
		{ "0", 0, 0 }, { "4096", 0, 4096 }, { "96K", 0, 98304 }, { "96k", 0, 98304 },
		{ "1M", 0, 1048576 }, { "0x1000", 0, 4096 }, { "0X10k", 0, 16384 },
		{ "", -1, 0 }, { "K", -1, 0 }, { "0x", -1, 0 }, { "12KB", -1, 0 }, { "-1", -1, 0 },
		{ "1.5K", -1, 0 }, { "18446744073709551616", -1, 0 }, { "0xg", -1, 0 },
		{ " 1", -1, 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		size_t v = 12345;
		int rc = vrs_parse_size(t[i].s, &v);

		if (rc != t[i].rc || (rc == 0 && v != t[i].v)) {
			print_message("\"%s\": rc %d v %zu\n", t[i].s, rc, v);
			fail();
		}
	}
	if (sizeof(size_t) == 8) {
		size_t v;

		assert_int_equal(vrs_parse_size("16777216M", &v), 0);
		assert_int_equal(vrs_parse_size("17592186044416M", &v), -1);
	}
}

static void test_unroll_and_resolve(void **state)
{
	static const char text[] =
		"# comment\n"
		"platform page=8K phys=10 virt=20 line=32 align=16 guard=2\n"
		"title  A test   \n"
		"pipeline P1 size=8K\n"
		"module P1.d dp size=4K seal\n"
		"complete P1\n"
		"repeat 3 {\n"
		"  start P1\n"
		"  alloc P1.d.x 100 align=128 coherent\n"
		"  repeat 2\n"
		"    alloc P1.y 1K # nested\n"
		"    free P1.y\n"
		"  end\n"
		"  stop P1\n"
		"  reset P1 interim-reset\n"
		"}\n"
		"destroy P1.d\n"
		"destroy P1\n";
	struct vrs_scenario sc;
	struct vrs_diags dg;
	uint32_t p1, d;

	(void)state;
	assert_int_equal(parse(text, &sc, &dg), 0);
	assert_int_equal(sc.plat.page, 8192);
	assert_int_equal(sc.plat.phys, 10);
	assert_int_equal(sc.plat.virt, 20);
	assert_int_equal(sc.plat.line, 32);
	assert_int_equal(sc.plat.align, 16);
	assert_int_equal(sc.plat.guard, 2);
	assert_true(strcmp(sc.title, "A test") == 0);
	assert_int_equal(sc.lines, 18);
	p1 = vrs_find_object(&sc, "P1");
	d = vrs_find_object(&sc, "P1.d");
	assert_int_not_equal(p1, VRS_NONE);
	assert_int_not_equal(d, VRS_NONE);
	assert_true(sc.objs[p1].owns_region);
	assert_int_equal(sc.objs[p1].size, 8192);
	assert_int_equal(sc.objs[d].kind, VRS_OBJ_DP);
	assert_int_equal(sc.objs[d].pipeline, p1);
	assert_int_equal(sc.nallocs, 2);
	/* pipeline, module, 2 set_interim + complete, then 3 x (start, alloc,
	 * 2 x (alloc, free), stop, reset + 2 interim resets), 2 destroys */
	assert_int_equal(sc.nevs, 2 + 3 + 3 * (2 + 4 + 2 + 2) + 2);
	assert_int_equal(sc.evs[0].kind, VRS_EV_PIPELINE);
	assert_int_equal(sc.evs[1].kind, VRS_EV_MODULE);
	assert_int_equal(sc.evs[1].flags & VRS_F_SEAL, VRS_F_SEAL);
	/* complete: the set-interim of each region, then the marker */
	assert_int_equal(sc.evs[2].kind, VRS_EV_SET_INTERIM);
	assert_int_equal(sc.evs[2].obj, p1);
	assert_int_equal(sc.evs[3].kind, VRS_EV_SET_INTERIM);
	assert_int_equal(sc.evs[3].obj, d);
	assert_int_equal(sc.evs[4].kind, VRS_EV_COMPLETE);
	assert_int_equal(sc.evs[6].kind, VRS_EV_ALLOC);
	assert_int_equal(sc.evs[6].size, 100);
	assert_int_equal(sc.evs[6].align, 128);
	assert_int_equal(sc.evs[6].flags & VRS_F_COHERENT, VRS_F_COHERENT);
	assert_int_equal(sc.evs[6].line, 9);
	assert_int_equal(sc.evs[7].line, 11);
	assert_int_equal(sc.evs[7].size, 1024);
	assert_int_equal(sc.evs[sc.nevs - 1].kind, VRS_EV_DESTROY);
	assert_int_equal(sc.evs[sc.nevs - 1].line, 18);
	vrs_scenario_free(&sc);
	assert_null(sc.evs);
}

static void test_bind_regions(void **state)
{
	static const char text[] =
		"pipeline P1 size=8K\n"
		"pipeline P2\n"
		"module P1.a ll\nmodule P1.b ll\nmodule P2.a ll\nmodule P2.d dp\n"
		"bind P1.a P1.b\n"		/* ll-ll: P1's region */
		"bind P2.a P2.d as X\n"		/* dp sink: its region */
		"bind P2.d P1.a as Y\n"		/* dp source: its region */
		"bind P1.b P2.a as Z\n"		/* P1.b's pipeline has one */
		"bind P2.a P2.d as H heap\n"	/* the system heap: none */
		"bind P1.b P1.a heap\n"		/* ll-ll in the heap, default name */
		"alloc P1.a->P1.b.data 10\n"
		"unbind P1.a P1.b\nunbind X\nunbind Y\nunbind Z\nunbind H\nunbind P1.b P1.a\n"
		"destroy P1.a\ndestroy P1.b\ndestroy P2.a\ndestroy P2.d\ndestroy P1\ndestroy P2\n";
	struct vrs_scenario sc;
	struct vrs_diags dg;
	uint32_t p1, d;
	size_t i, n = 0;

	(void)state;
	assert_int_equal(parse(text, &sc, &dg), 0);
	p1 = vrs_find_object(&sc, "P1");
	d = vrs_find_object(&sc, "P2.d");
	assert_int_equal(sc.objs[d].size, VRS_DP_DEFAULT_SIZE);
	assert_int_not_equal(vrs_find_object(&sc, "P1.a->P1.b"), VRS_NONE);
	for (i = 0; i < sc.nevs; i++) {
		if (sc.evs[i].kind != VRS_EV_BIND)
			continue;
		switch (n++) {
		case 0: assert_int_equal(sc.evs[i].region_owner, p1); break;
		case 1: assert_int_equal(sc.evs[i].region_owner, d); break;
		case 2: assert_int_equal(sc.evs[i].region_owner, d); break;
		case 3: assert_int_equal(sc.evs[i].region_owner, p1); break;
		case 4:
		case 5:
			assert_int_equal(sc.evs[i].region_owner, VRS_NONE);
			assert_int_equal(sc.evs[i].flags & VRS_F_HEAP, VRS_F_HEAP);
			break;
		}
	}
	assert_int_equal(n, 6);
	vrs_scenario_free(&sc);
}

static void test_default_scenario_parses(void **state)
{
	struct vrs_scenario sc;
	struct vrs_diags dg;

	(void)state;
	assert_true(vrsim_default_scenario_len > 1000);
	assert_int_equal(vrs_load("default.vrs", (const char *)vrsim_default_scenario,
				   vrsim_default_scenario_len, 4096, &sc, &dg), 0);
	assert_true(sc.nevs > 100);
	assert_int_not_equal(vrs_find_object(&sc, "P1"), VRS_NONE);
	assert_int_not_equal(vrs_find_object(&sc, "P2.src"), VRS_NONE);
	assert_int_not_equal(vrs_find_object(&sc, "P3.pv"), VRS_NONE);
	assert_int_equal(sc.objs[vrs_find_object(&sc, "P2.src")].size, 28 * 1024);
	assert_int_equal(sc.objs[vrs_find_object(&sc, "P3.pv")].size, 48 * 1024);
	vrs_scenario_free(&sc);
}

static void test_crlf_bom_and_no_final_newline(void **state)
{
	static const char text[] = "\xef\xbb\xbfpipeline P1 size=4K\r\ndestroy P1";
	struct vrs_scenario sc;
	struct vrs_diags dg;

	(void)state;
	assert_int_equal(parse(text, &sc, &dg), 0);
	assert_int_equal(sc.nevs, 2);
	assert_int_equal(sc.evs[1].line, 2);
	vrs_scenario_free(&sc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_inputs),
		cmocka_unit_test(test_all_syntax_errors_reported),
		cmocka_unit_test(test_diag_format),
		cmocka_unit_test(test_no_cascade),
		cmocka_unit_test(test_titles),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_unroll_and_resolve),
		cmocka_unit_test(test_bind_regions),
		cmocka_unit_test(test_default_scenario_parses),
		cmocka_unit_test(test_crlf_bom_and_no_final_newline),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
