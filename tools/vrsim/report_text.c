/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tools/vrsim/report_text.c - the readable summary: scenario and platform,
 * one table row per region, notes (use, references, failures, sizing), the
 * pool's high-water marks and fragmentation, divergences from a trace, the
 * leak check and the verdict. Deterministic: no addresses, no timings (tests
 * compare it to golden files).
 */
#include <string.h>

#include "report.h"

/* "1 page" / "3 pages" */
static const char *pages(size_t n, char *buf, size_t len)
{
	snprintf(buf, len, "%zu page%s", n, vrs_s(n));
	return buf;
}

static const char *recommended_cell(const struct vrs_report *rp, uint32_t k, char *buf, size_t n)
{
	const struct vrs_size_rec *s;

	if (!rp->sz)
		return "(not sized)";
	s = &rp->sz->reg[k];
	switch (s->status) {
	case VRS_SIZE_OK:
		snprintf(buf, n, "%zu (%zu)", s->bytes, s->pages);
		return buf;
	case VRS_SIZE_NONMONOTONIC:
		snprintf(buf, n, "%zu (%zu) see note", s->bytes, s->pages);
		return buf;
	case VRS_SIZE_NONE:
		return "none fits (see note)";
	default:
		return "-";
	}
}

/* A metadata figure, "-" when there is none (a page run, not sized). */
static const char *meta_cell(size_t bytes, char *buf, size_t n)
{
	if (!bytes)
		return "-";
	snprintf(buf, n, "%zu", bytes);
	return buf;
}

static void regions_table(FILE *f, const struct vrs_report *rp)
{
	const struct vrs_scenario *sc = rp->sc;
	const struct vrs_result *r = rp->r;
	int nw = 6;
	uint32_t k;
	bool any = false;

	for (k = 0; k < sc->nobjs; k++) {
		if (r->reg[k].is_region && (int)strlen(sc->objs[k].name) > nw)
			nw = (int)strlen(sc->objs[k].name);
		any |= r->reg[k].is_region;
	}
	if (!any) {
		fprintf(f, "Regions: none (no pipeline with size=, no dp module, no region)\n");
		return;
	}
	fprintf(f, "Regions (bytes; meta: port metadata of one instance)\n");
	fprintf(f, "  %-*s  %-9s %4s  %14s %6s %9s %9s %9s %9s %8s %4s  %-20s %6s\n", nw, "region",
		"kind", "inst", "requested", "meta", "lifetime", "interim", "interim", "largest",
		"failed", "refs", "recommended", "meta");
	fprintf(f, "  %-*s  %-9s %4s  %14s %6s %9s %9s %9s %9s %8s %4s  %s\n", nw, "", "", "",
		"(pages)", "", "used", "heap", "peak", "free@peak", "unexp/ex", "max", "(pages)");
	for (k = 0; k < sc->nobjs; k++) {
		const struct vrs_region_rec *q = &r->reg[k];
		char req[40], fail[24], recd[48], m[24], rm[24];

		if (!q->is_region)
			continue;
		snprintf(req, sizeof(req), "%zu (%zu)", q->requested,
			 vrs_pages(q->requested, sc->plat.page));
		snprintf(fail, sizeof(fail), "%zu/%zu", q->unexpected, q->expected);
		fprintf(f, "  %-*s  %-9s %4u  %14s %6s %9zu %9zu %9zu %9zu %8s %4u  %-20s %6s\n", nw,
			sc->objs[k].name, vrs_kind_name(sc->objs[k].kind), q->instances, req,
			meta_cell(vrs_region_meta(sc, k, q->requested), m, sizeof(m)),
			q->lifetime_used, q->interim_size, q->interim_peak, q->largest_free_at_peak,
			fail, q->refs_max, recommended_cell(rp, k, recd, sizeof(recd)),
			meta_cell(vrs_recommended_meta(rp, k), rm, sizeof(rm)));
	}
}

static void refs_line(FILE *f, const struct vrs_scenario *sc, uint32_t k,
		      const struct vrs_region_rec *q)
{
	unsigned i, shown = 0;
	int col;

	col = fprintf(f, "  %s: references", sc->objs[k].name);
	for (i = 0; i < q->nrefhist; i++) {
		if (shown == 40) {
			col += fprintf(f, " ...");
			break;
		}
		if (col > 90) {
			fprintf(f, "\n");
			col = fprintf(f, "    ");
		}
		col += fprintf(f, " %u", q->refhist[i].refs);
		shown++;
	}
	if (q->refhist_truncated && shown < 40)
		fprintf(f, " ...");
	fprintf(f, " (max %u%s)\n", q->refs_max, q->instances > 1 ? ", over all instances" : "");
}

/* Nothing allocated, never failed, and sizing says 1 page: one line says it all. */
static bool idle(const struct vrs_report *rp, uint32_t k)
{
	const struct vrs_region_rec *q = &rp->r->reg[k];

	return !q->allocs && !q->nfails && rp->sz && rp->sz->reg[k].status == VRS_SIZE_OK &&
	       rp->sz->reg[k].pages == 1;
}

/* What the region held: its two parts, or that nothing was allocated. */
static void use_line(FILE *f, const struct vrs_report *rp, uint32_t k)
{
	const struct vrs_scenario *sc = rp->sc;
	const struct vrs_region_rec *q = &rp->r->reg[k];
	const char *name = sc->objs[k].name;
	char a[32];

	if (sc->objs[k].kind == VRS_OBJ_PAGES || !q->created)
		return;
	if (!q->allocs && !q->nfails)
		fprintf(f, "  %s: nothing was allocated in it%s", name,
			q->interim_size ? " (its interim heap was never used)" : "");
	else if (q->interim_size && !q->interim_peak)
		fprintf(f, "  %s: lifetime part %zu B, interim heap %zu B, never used", name,
			q->lifetime_size, q->interim_size);
	else if (q->interim_size)
		fprintf(f, "  %s: lifetime part %zu B, interim heap %zu B, interim peak %zu B at "
			"line %u", name, q->lifetime_size, q->interim_size, q->interim_peak,
			q->peak_line);
	else if (q->allocs)
		fprintf(f, "  %s: never completed (lifetime phase only)", name);
	else
		return;
	if (idle(rp, k))
		fprintf(f, ": 1 page (the minimum) plays clean, %s written",
			pages(rp->sz->reg[k].written_pages, a, 32));
	fprintf(f, "\n");
}

static void failure_lines(FILE *f, const struct vrs_scenario *sc, uint32_t k,
			  const struct vrs_region_rec *q)
{
	size_t all = q->unexpected + q->expected + q->surprises;
	char buf[256];
	unsigned i;

	for (i = 0; i < q->nfails; i++) {
		vrs_fail_describe(sc, &q->fails[i], buf, sizeof(buf));
		fprintf(f, "  %s: %s %s\n", sc->objs[k].name, q->fails[i].surprise ? "SURPRISE" :
			q->fails[i].expected ? "failed as expected," : "FAILED", buf);
	}
	if (all > q->nfails)
		fprintf(f, "  %s: ... %zu failure%s in all\n", sc->objs[k].name, all, vrs_s(all));
	if (q->outstanding_at_release)
		fprintf(f, "  %s: %zu interim allocation%s still live when the region was "
			"released\n", sc->objs[k].name, q->outstanding_at_release,
			q->outstanding_at_release == 1 ? " was" : "s were");
}

/* The sizing verdict of a region that has a recommended size. */
static void sized_lines(FILE *f, const struct vrs_scenario *sc, const char *name,
			const struct vrs_size_rec *s)
{
	char buf[256], a[32], b[32];

	fprintf(f, "  %s: recommended %s (%zu B) plays clean", name, pages(s->pages, a, 32), s->bytes);
	if (s->pages == 1) {
		fprintf(f, "; 1 page is the minimum\n");
	} else if (s->has_below_fail) {
		vrs_fail_describe(sc, &s->below_fail, buf, sizeof(buf));
		fprintf(f, "; %s fail%s at %s\n", pages(s->pages - 1, a, 32), s->pages == 2 ? "s" : "",
			buf);
	} else {
		fprintf(f, "; %s DO%s NOT FAIL\n", pages(s->pages - 1, a, 32),
			s->pages == 2 ? "ES" : "");
	}
	if (s->others_recommended)
		fprintf(f, "  %s: (with every other region at its recommended size: as written, they "
			"leave no room for it)\n", name);
	if (s->has_above_fail && s->status == VRS_SIZE_OK) {
		vrs_fail_describe(sc, &s->above_fail, buf, sizeof(buf));
		fprintf(f, "  %s: %s do%s not play clean (the pool's limit, not the region's): %s\n",
			name, pages(s->pages + 1, a, 32), s->pages + 1 == 1 ? "es" : "", buf);
	}
	if (s->status == VRS_SIZE_NONMONOTONIC)
		fprintf(f, "  %s: NOT MONOTONIC: %s %s\n", name, pages(s->nonmono_pages, a, 32),
			s->nonmono_pages < s->pages ? "also play clean" : "fail");
	else if (s->pages < s->written_pages)
		fprintf(f, "  %s: %zu of the %s as written %s not needed\n", name,
			s->written_pages - s->pages, pages(s->written_pages, b, 32),
			s->written_pages - s->pages == 1 ? "is" : "are");
	else if (s->pages > s->written_pages)
		fprintf(f, "  %s: needs %s more than written\n", name,
			pages(s->pages - s->written_pages, a, 32));
}

/* Why no size of a region plays clean. */
static void none_lines(FILE *f, const struct vrs_scenario *sc, const char *name,
		       const struct vrs_size_rec *s)
{
	char buf[256], small[256], a[32];
	bool create = s->has_blocking_fail && vrs_ev_creates(s->blocking_fail.kind);

	if (s->has_blocking_fail)
		vrs_fail_describe(sc, &s->blocking_fail, buf, sizeof(buf));
	else
		snprintf(buf, sizeof(buf), "(no failure recorded)");
	if (create && s->has_below_fail) {
		vrs_fail_describe(sc, &s->below_fail, small, sizeof(small));
		fprintf(f, "  %s: NO SIZE FITS: %s %s too small (%s)\n", name,
			pages(s->blocking_pages - 1, a, 32), s->blocking_pages == 2 ? "is" : "are", small);
		fprintf(f, "  %s: and %s cannot be created (%s)\n", name,
			pages(s->blocking_pages, a, 32), buf);
	} else if (create) {
		fprintf(f, "  %s: NO SIZE FITS: not even %s can be created (%s)\n", name,
			pages(s->blocking_pages, a, 32), buf);
	} else {
		fprintf(f, "  %s: NO SIZE FITS: even %s (the largest region the platform holds: %zu "
			"window pages less %zu guard, %zu physical) fail%s at %s\n", name,
			pages(s->blocking_pages, a, 32), sc->plat.virt, sc->plat.guard, sc->plat.phys,
			s->blocking_pages == 1 ? "s" : "", buf);
	}
}

static void sizing_lines(FILE *f, const struct vrs_report *rp, uint32_t k)
{
	const struct vrs_scenario *sc = rp->sc;
	const struct vrs_size_rec *s = &rp->sz->reg[k];
	const char *name = sc->objs[k].name;

	/* a page run is as large as it is asked to be; an idle region is said
	 * in its use line */
	if (sc->objs[k].kind == VRS_OBJ_PAGES || (idle(rp, k) && rp->r->reg[k].created))
		return;
	switch (s->status) {
	case VRS_SIZE_OK:
	case VRS_SIZE_NONMONOTONIC:
		sized_lines(f, sc, name, s);
		break;
	case VRS_SIZE_NONE:
		none_lines(f, sc, name, s);
		break;
	default:
		fprintf(f, "  %s: not sized (its creation is expected to fail)\n", name);
		break;
	}
}

static void region_notes(FILE *f, const struct vrs_report *rp)
{
	const struct vrs_scenario *sc = rp->sc;
	uint32_t k;

	for (k = 0; k < sc->nobjs; k++) {
		const struct vrs_region_rec *q = &rp->r->reg[k];

		if (!q->is_region || (sc->objs[k].kind == VRS_OBJ_PAGES && !q->nfails))
			continue;
		fprintf(f, "\n");
		use_line(f, rp, k);
		if (q->refs_max > 1)
			refs_line(f, sc, k, q);
		failure_lines(f, sc, k, q);
		if (rp->sz)
			sizing_lines(f, rp, k);
	}
}

static void pool(FILE *f, const struct vrs_report *rp)
{
	const struct vrs_scenario *sc = rp->sc;
	const struct vrs_result *r = rp->r;
	char a[32];

	fprintf(f, "\nPool\n");
	if (r->vpeak)
		fprintf(f, "  virtual pages    peak %zu of %zu (guard pages included) after line %u\n",
			r->vpeak, sc->plat.virt, r->vpeak_line);
	else
		fprintf(f, "  virtual pages    peak 0 of %zu (no region was created)\n", sc->plat.virt);
	if (r->ppeak)
		fprintf(f, "  physical pages   peak %zu of %zu after line %u\n", r->ppeak,
			sc->plat.phys, r->ppeak_line);
	else
		fprintf(f, "  physical pages   peak 0 of %zu\n", sc->plat.phys);
	fprintf(f, "  fragmentation    at the peak: largest free run %zu of %zu free pages (%.1f%%)\n",
		r->frag_largest_at_peak, r->frag_free_at_peak,
		r->frag_free_at_peak ? 100.0 * (1.0 - (double)r->frag_largest_at_peak /
						     (double)r->frag_free_at_peak) : 0.0);
	if (r->worst_frag > 0)
		fprintf(f, "                   worst: largest free run %zu of %zu free pages "
			"(%.1f%%) after line %u\n", r->worst_frag_largest, r->worst_frag_free,
			100.0 * r->worst_frag, r->worst_frag_line);
	else
		fprintf(f, "                   worst: none (free pages always one run)\n");
	fprintf(f, "                   smallest largest free run: %s after line %u\n",
		pages(r->min_largest_run, a, 32), r->min_largest_line);
	if (rp->sz && rp->sz->all_done)
		fprintf(f, "  recommended      all regions at their recommended sizes: peak %zu "
			"virtual, %zu physical page%s; %s\n", rp->sz->all_vpeak, rp->sz->all_ppeak,
			vrs_s(rp->sz->all_ppeak), rp->sz->all_clean ? "plays clean"
								  : "DOES NOT PLAY CLEAN");
}

/* What was read from a trace, and what of it is not played. */
static void trace_line(FILE *f, const struct vrs_trace_info *t)
{
	fprintf(f, "  trace: pool %u (%u pool%s), %zu event%s; %zu page event%s of region "
		"operations (part of them), %zu refused call%s and %zu map%s in reserved runs not "
		"played; %s%s\n", t->pool, t->pools, vrs_s(t->pools), t->events, vrs_s(t->events),
		t->nested, vrs_s(t->nested), t->refused, vrs_s(t->refused), t->unplayed,
		vrs_s(t->unplayed), t->ended ? "ends with pool_deinit" :
		"NO pool_deinit: the trace was cut, or the program did not end cleanly",
		t->whatif ? "; what-if platform: results not compared" : "");
}

static void header(FILE *f, const struct vrs_report *rp)
{
	const struct vrs_scenario *sc = rp->sc;
	const struct vrs_result *r = rp->r;
	const struct vrs_platform *p = &sc->plat;

	fprintf(f, "vrsim: %s%s%s%s\n", rp->label, sc->title[0] ? " - \"" : "", sc->title,
		sc->title[0] ? "\"" : "");
	fprintf(f, "  platform: page %zu B, window %zu pages, %zu physical pages, cache line %zu B,"
		" min align %zu B, %zu guard page%s per region; pool metadata %zu B\n", p->page,
		p->virt, p->phys, p->line, p->align, p->guard, vrs_s(p->guard), vrs_pool_meta(sc));
	if (rp->trace)
		trace_line(f, rp->trace);
	fprintf(f, "  played %zu event%s (%u statement%s, %u line%s): %zu unexpected failure%s, "
		"%zu expected, %zu surprise%s, %zu skipped\n\n", r->events, vrs_s(r->events),
		sc->statements, vrs_s(sc->statements), sc->lines, vrs_s(sc->lines), r->unexpected,
		vrs_s(r->unexpected), r->expected, r->surprises, vrs_s(r->surprises), r->skipped);
}

static void lists(FILE *f, const struct vrs_report *rp)
{
	const struct vrs_result *r = rp->r;
	const struct vrs_platform *p = &rp->sc->plat;
	unsigned i;

	if (r->diverge_total) {
		fprintf(f, "\nDivergence from the trace (%u)\n", r->diverge_total);
		for (i = 0; i < r->ndiverge; i++)
			fprintf(f, "  %s\n", r->diverge[i]);
	}
	if (r->liberr_total) {
		fprintf(f, "\nLibrary errors (%u)\n", r->liberr_total);
		for (i = 0; i < r->nliberr; i++)
			fprintf(f, "  %s\n", r->liberr[i]);
	}
	fprintf(f, "\nLeak check\n");
	if (r->leak_ok) {
		fprintf(f, "  OK: every page back (%zu virtual, %zu physical free), every region "
			"released\n", p->virt, p->phys);
	} else {
		for (i = 0; i < r->nleaks; i++)
			fprintf(f, "  LEAK: %s\n", r->leaks[i]);
		if (r->leaks_total > r->nleaks)
			fprintf(f, "  ... %u leaks in all\n", r->leaks_total);
	}
	if (rp->sz)
		fprintf(f, "\nSizing: %u replay%s\n", rp->sz->plays, vrs_s(rp->sz->plays));
}

static void verdict(FILE *f, const struct vrs_report *rp)
{
	const struct vrs_result *r = rp->r;
	const char *sep = ": ";

	fprintf(f, "\nResult: %s", rp->exit_status == 0 ? "OK, the scenario played as written" :
		"FAILED");
	if (rp->exit_status && r->unexpected) {
		fprintf(f, "%s%zu unexpected failure%s", sep, r->unexpected, vrs_s(r->unexpected));
		sep = ", ";
	}
	if (rp->exit_status && r->surprises) {
		fprintf(f, "%s%zu expected failure%s did not fail", sep, r->surprises,
			vrs_s(r->surprises));
		sep = ", ";
	}
	if (rp->exit_status && r->diverge_total) {
		fprintf(f, "%sthe replay diverges from the trace", sep);
		sep = ", ";
	}
	if (rp->exit_status && !r->leak_ok) {
		fprintf(f, "%sleaks", sep);
		sep = ", ";
	}
	if (rp->exit_status && r->liberr_total)
		fprintf(f, "%slibrary errors", sep);
	if (r->expected)
		fprintf(f, " (%zu expected failure%s)", r->expected, vrs_s(r->expected));
	fprintf(f, "\n");
}

void vrs_report_text(FILE *f, const struct vrs_report *rp)
{
	header(f, rp);
	regions_table(f, rp);
	region_notes(f, rp);
	pool(f, rp);
	lists(f, rp);
	verdict(f, rp);
}
