/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tools/vrsim/scenario_write.c - statements back to the scenario language
 * (docs/scenarios.md), as vrs_parse reads them: what --to-scenario writes,
 * with runs of identical lines folded into repeat blocks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tracefile.h"

/* A byte count, with K or M when that is exact. */
static void size(FILE *f, const char *key, size_t v)
{
	if (v && v % (1024 * 1024) == 0)
		fprintf(f, "%s%zuM", key, v / (1024 * 1024));
	else if (v && v % 1024 == 0)
		fprintf(f, "%s%zuK", key, v / 1024);
	else
		fprintf(f, "%s%zu", key, v);
}

void vrs_write_platform(FILE *f, const struct vrs_platform *p)
{
	fprintf(f, "platform page=%zu phys=%zu virt=%zu line=%zu align=%zu guard=%zu\n", p->page,
		p->phys, p->virt, p->line, p->align, p->guard);
}

static void flags(FILE *f, unsigned fl)
{
	if (fl & VRS_F_COHERENT)
		fprintf(f, " coherent");
	if (fl & VRS_F_SEAL)
		fprintf(f, " seal");
	if (fl & VRS_F_GUARD)
		fprintf(f, " guard");
	if (fl & VRS_F_RESERVE)
		fprintf(f, " reserve");
	if (fl & VRS_F_INTERIM_RESET)
		fprintf(f, " interim-reset");
	if (fl & VRS_F_HEAP)
		fprintf(f, " heap");
	if (fl & VRS_F_EXPECT_FAIL)
		fprintf(f, " expect=fail");
}

void vrs_write_stmt(FILE *f, const struct vrs_stmt *s, const char *comment)
{
	static const char *const kw[] = {
		[KW_PIPELINE] = "pipeline", [KW_MODULE] = "module", [KW_ALLOC] = "alloc",
		[KW_FREE] = "free", [KW_COMPLETE] = "complete", [KW_START] = "start",
		[KW_STOP] = "stop", [KW_RESET] = "reset", [KW_BIND] = "bind",
		[KW_UNBIND] = "unbind", [KW_DESTROY] = "destroy", [KW_REGION] = "region",
		[KW_GET] = "get", [KW_PUT] = "put", [KW_PAGES] = "pages",
	};

	if (s->kw == KW_REPEAT || s->kw == KW_END || s->kw == KW_PLATFORM || s->kw == KW_TITLE)
		return;
	fprintf(f, "%s %s", kw[s->kw], s->name);
	if (s->kw == KW_MODULE)
		fprintf(f, " %s", s->modkind == VRS_OBJ_DP ? "dp" : "ll");
	if (s->kw == KW_BIND || (s->kw == KW_UNBIND && s->name2[0]))
		fprintf(f, " %s", s->name2);
	if (s->kw == KW_BIND && s->as[0])
		fprintf(f, " as %s", s->as);
	if (s->kw == KW_ALLOC)
		size(f, " ", s->size);
	else if (s->kw == KW_PAGES)
		fprintf(f, " %zu", s->size);
	else if (s->size)
		size(f, " size=", s->size);
	if (s->align)
		size(f, " align=", s->align);
	flags(f, s->flags);
	if (comment)
		fprintf(f, "%*s# %s", 1, "", comment);
	fprintf(f, "\n");
}

struct span {
	const char *s;
	size_t n;
};

static bool same(const struct span *l, size_t a, size_t b, size_t p)
{
	size_t k;

	for (k = 0; k < p; k++)
		if (l[a + k].n != l[b + k].n || memcmp(l[a + k].s, l[b + k].s, l[a + k].n))
			return false;
	return true;
}

/* The period p (<= 16) and count c of the longest tandem repeat at line i
 * that saves lines ((c - 1) p > 2: a block costs its two lines). */
static size_t tandem(const struct span *l, size_t n, size_t i, size_t *count)
{
	size_t p, c, best = 0, best_c = 0;

	for (p = 1; p <= 16 && i + 2 * p <= n; p++) {
		for (c = 1; i + (c + 1) * p <= n && same(l, i, i + c * p, p); c++)
			;
		if ((c - 1) * p > 2 && c * p > best * best_c) {
			best = p;
			best_c = c;
		}
	}
	*count = best_c;
	return best;
}

void vrs_write_folded(FILE *f, const char *text, size_t len)
{
	struct span *l = malloc((len / 2 + 2) * sizeof(*l));
	size_t n = 0, i = 0, p, c, k;
	const char *s = text;

	if (!l) {
		fwrite(text, 1, len, f);	/* unfolded, still right */
		return;
	}
	while (s < text + len) {
		const char *e = memchr(s, '\n', (size_t)(text + len - s));

		l[n].s = s;
		l[n++].n = e ? (size_t)(e - s) : (size_t)(text + len - s);
		s = e ? e + 1 : text + len;
	}
	while (i < n) {
		p = tandem(l, n, i, &c);
		if (!p) {
			fprintf(f, "%.*s\n", (int)l[i].n, l[i].s);
			i++;
			continue;
		}
		fprintf(f, "repeat %zu {\n", c);
		for (k = 0; k < p; k++)
			fprintf(f, "  %.*s\n", (int)l[i + k].n, l[i + k].s);
		fprintf(f, "}\n");
		i += c * p;
	}
	free(l);
}
