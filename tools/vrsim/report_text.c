/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tools/vrsim/report_text.c - the readable summary: scenario and platform,
 * one table row per region, notes (failures, references, sizing), the pool's
 * high-water marks and fragmentation, the leak check and the verdict.
 * Deterministic: no addresses, no timings (tests compare it to golden files).
 */
#include <string.h>

#include "report.h"

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
		fprintf(f, "Regions: none (no pipeline with size= and no dp module)\n");
		return;
	}
	fprintf(f, "Regions (bytes)\n");
	fprintf(f, "  %-*s  %-9s %4s  %14s %9s %9s %9s %9s %8s %4s  %s\n", nw, "region", "kind",
		"inst", "requested", "lifetime", "interim", "interim", "largest", "failed", "refs",
		"recommended");
	fprintf(f, "  %-*s  %-9s %4s  %14s %9s %9s %9s %9s %8s %4s  %s\n", nw, "", "", "",
		"(pages)", "used", "heap", "peak", "free@peak", "unexp/ex", "max", "(pages)");
	for (k = 0; k < sc->nobjs; k++) {
		const struct vrs_region_rec *q = &r->reg[k];
		char req[40], fail[24], recd[48];

		if (!q->is_region)
			continue;
		snprintf(req, sizeof(req), "%zu (%zu)", q->requested,
			 vrs_pages(q->requested, sc->plat.page));
		snprintf(fail, sizeof(fail), "%zu/%zu", q->unexpected, q->expected);
		if (!rp->sz) {
			snprintf(recd, sizeof(recd), "(not sized)");
		} else {
			const struct vrs_size_rec *s = &rp->sz->reg[k];

			switch (s->status) {
			case VRS_SIZE_OK:
				snprintf(recd, sizeof(recd), "%zu (%zu)", s->bytes, s->pages);
				break;
			case VRS_SIZE_NONMONOTONIC:
				snprintf(recd, sizeof(recd), "%zu (%zu) see note", s->bytes, s->pages);
				break;
			case VRS_SIZE_NONE:
				snprintf(recd, sizeof(recd), "none fits (see note)");
				break;
			default:
				snprintf(recd, sizeof(recd), "-");
				break;
			}
		}
		fprintf(f, "  %-*s  %-9s %4u  %14s %9zu %9zu %9zu %9zu %8s %4u  %s\n", nw,
			sc->objs[k].name, vrs_kind_name(sc->objs[k].kind),
			q->instances, req, q->lifetime_used, q->interim_size, q->interim_peak,
			q->largest_free_at_peak, fail, q->refs_max, recd);
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
	fprintf(f, " (max %u%s)\n", q->refs_max,
		q->instances > 1 ? ", over all instances" : "");
}

static void region_notes(FILE *f, const struct vrs_report *rp)
{
	const struct vrs_scenario *sc = rp->sc;
	const struct vrs_result *r = rp->r;
	char buf[256];
	uint32_t k;

	for (k = 0; k < sc->nobjs; k++) {
		const struct vrs_region_rec *q = &r->reg[k];
		unsigned i;

		if (!q->is_region)
			continue;
		fprintf(f, "\n");
		if (q->interim_size)
			fprintf(f, "  %s: lifetime part %zu B, interim heap %zu B, interim peak %zu B "
				"at line %u\n", sc->objs[k].name, q->lifetime_size, q->interim_size,
				q->interim_peak, q->peak_line);
		else if (q->created && q->allocs)
			fprintf(f, "  %s: never completed (lifetime phase only)\n", sc->objs[k].name);
		if (q->refs_max > 1)
			refs_line(f, sc, k, q);
		for (i = 0; i < q->nfails; i++) {
			vrs_fail_describe(sc, &q->fails[i], buf, sizeof(buf));
			fprintf(f, "  %s: %s %s\n", sc->objs[k].name,
				q->fails[i].surprise ? "SURPRISE" :
				q->fails[i].expected ? "failed as expected," : "FAILED",
				buf);
		}
		if (q->unexpected + q->expected + q->surprises > q->nfails)
			fprintf(f, "  %s: ... %zu failures in all\n", sc->objs[k].name,
				q->unexpected + q->expected + q->surprises);
		if (q->outstanding_at_release)
			fprintf(f, "  %s: %zu interim allocations were still live when the region "
				"was released\n", sc->objs[k].name, q->outstanding_at_release);
		if (!rp->sz)
			continue;
		if (!q->allocs && !q->nfails && rp->sz->reg[k].status == VRS_SIZE_OK &&
		    rp->sz->reg[k].pages == 1) {
			fprintf(f, "  %s: nothing allocated: 1 page (the minimum) plays clean\n",
				sc->objs[k].name);
			continue;
		}
		{
			const struct vrs_size_rec *s = &rp->sz->reg[k];

			switch (s->status) {
			case VRS_SIZE_OK:
			case VRS_SIZE_NONMONOTONIC:
				fprintf(f, "  %s: recommended %zu page%s (%zu B) plays clean",
					sc->objs[k].name, s->pages, s->pages == 1 ? "" : "s", s->bytes);
				if (s->pages == 1)
					fprintf(f, "; 1 page is the minimum\n");
				else if (s->has_below_fail) {
					vrs_fail_describe(sc, &s->below_fail, buf, sizeof(buf));
					fprintf(f, "; %zu page%s fail%s at %s\n", s->pages - 1,
						s->pages == 2 ? "" : "s", s->pages == 2 ? "s" : "", buf);
				} else {
					fprintf(f, "; %zu DOES NOT FAIL\n", s->pages - 1);
				}
				if (s->others_recommended)
					fprintf(f, "  %s: (with every other region at its recommended size: "
						"as written, they leave no room for it)\n", sc->objs[k].name);
				if (s->has_above_fail && s->status == VRS_SIZE_OK) {
					vrs_fail_describe(sc, &s->above_fail, buf, sizeof(buf));
					fprintf(f, "  %s: %zu pages do not play clean (the pool's limit, "
						"not the region's): %s\n", sc->objs[k].name, s->pages + 1, buf);
				}
				if (s->status == VRS_SIZE_NONMONOTONIC)
					fprintf(f, "  %s: NOT MONOTONIC: %zu pages %s\n", sc->objs[k].name,
						s->nonmono_pages,
						s->nonmono_pages < s->pages ? "also plays clean"
									    : "fails");
				else if (s->pages < s->written_pages)
					fprintf(f, "  %s: %zu of the %zu pages as written %s not needed\n",
						sc->objs[k].name, s->written_pages - s->pages,
						s->written_pages,
						s->written_pages - s->pages == 1 ? "is" : "are");
				else if (s->pages > s->written_pages)
					fprintf(f, "  %s: needs %zu page%s more than written\n",
						sc->objs[k].name, s->pages - s->written_pages,
						s->pages - s->written_pages == 1 ? "" : "s");
				break;
			case VRS_SIZE_NONE:
				if (s->has_blocking_fail)
					vrs_fail_describe(sc, &s->blocking_fail, buf, sizeof(buf));
				else
					snprintf(buf, sizeof(buf), "(no failure recorded)");
				if (s->has_blocking_fail && (s->blocking_fail.kind == VRS_EV_PIPELINE ||
							     s->blocking_fail.kind == VRS_EV_MODULE)) {
					char small[256];

					if (s->has_below_fail) {
						vrs_fail_describe(sc, &s->below_fail, small, sizeof(small));
						fprintf(f, "  %s: NO SIZE FITS: %zu page%s %s too small (%s)\n",
							sc->objs[k].name, s->blocking_pages - 1,
							s->blocking_pages == 2 ? "" : "s",
							s->blocking_pages == 2 ? "is" : "are", small);
						fprintf(f, "  %s: and %zu pages cannot be created (%s)\n",
							sc->objs[k].name, s->blocking_pages, buf);
					} else {
						fprintf(f, "  %s: NO SIZE FITS: not even %zu page can be "
							"created (%s)\n", sc->objs[k].name,
							s->blocking_pages, buf);
					}
				} else
					fprintf(f, "  %s: NO SIZE FITS: even %zu pages (the largest region the "
						"platform holds: %zu window pages less %zu guard, %zu physical) "
						"fail at %s\n", sc->objs[k].name, s->blocking_pages,
						sc->plat.virt, sc->plat.guard, sc->plat.phys, buf);
				break;
			default:
				fprintf(f, "  %s: not sized (its creation is expected to fail)\n",
					sc->objs[k].name);
				break;
			}
		}
	}
}

static void pool(FILE *f, const struct vrs_report *rp)
{
	const struct vrs_scenario *sc = rp->sc;
	const struct vrs_result *r = rp->r;

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
	fprintf(f, "                   smallest largest free run: %zu pages after line %u\n",
		r->min_largest_run, r->min_largest_line);
	if (rp->sz && rp->sz->all_done)
		fprintf(f, "  recommended      all regions at their recommended sizes: peak %zu "
			"virtual, %zu physical pages; %s\n", rp->sz->all_vpeak, rp->sz->all_ppeak,
			rp->sz->all_clean ? "plays clean" : "DOES NOT PLAY CLEAN");
}

void vrs_report_text(FILE *f, const struct vrs_report *rp)
{
	const struct vrs_scenario *sc = rp->sc;
	const struct vrs_result *r = rp->r;
	const struct vrs_platform *p = &sc->plat;
	unsigned i;

	fprintf(f, "vrsim: %s%s%s%s\n", rp->label, sc->title[0] ? " - \"" : "", sc->title,
		sc->title[0] ? "\"" : "");
	fprintf(f, "  platform: page %zu B, window %zu pages, %zu physical pages, cache line %zu B,"
		" min align %zu B, %zu guard page%s per region\n", p->page, p->virt, p->phys,
		p->line, p->align, p->guard, p->guard == 1 ? "" : "s");
	fprintf(f, "  played %zu events (%u statements, %u lines): %zu unexpected failures, "
		"%zu expected, %zu surprises, %zu skipped\n\n", r->events, sc->statements,
		sc->lines, r->unexpected, r->expected, r->surprises, r->skipped);
	regions_table(f, rp);
	region_notes(f, rp);
	pool(f, rp);

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
		fprintf(f, "\nSizing: %u replays\n", rp->sz->plays);
	fprintf(f, "\nResult: %s", rp->exit_status == 0 ? "OK, the scenario played as written" :
		"FAILED");
	if (rp->exit_status) {
		const char *sep = ": ";

		if (r->unexpected) {
			fprintf(f, "%s%zu unexpected failure%s", sep, r->unexpected,
				r->unexpected == 1 ? "" : "s");
			sep = ", ";
		}
		if (r->surprises) {
			fprintf(f, "%s%zu expected failure%s did not fail", sep, r->surprises,
				r->surprises == 1 ? "" : "s");
			sep = ", ";
		}
		if (!r->leak_ok) {
			fprintf(f, "%sleaks", sep);
			sep = ", ";
		}
		if (r->liberr_total)
			fprintf(f, "%slibrary errors", sep);
	}
	if (r->expected)
		fprintf(f, " (%zu expected failure%s)", r->expected, r->expected == 1 ? "" : "s");
	fprintf(f, "\n");
}
