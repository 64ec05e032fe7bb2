/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tools/vrsim/report_json.c - the summary as JSON (schema "vrsim_schema": 1,
 * documented key by key in docs/vrsim.md). Same content as the text summary,
 * plus the full lists (failures kept, refcount history). Keys never change
 * meaning within a schema version; new keys may be added.
 */
#include <string.h>

#include "report.h"

/* A JSON string. Bytes that are not UTF-8 (a file name can be anything)
 * become U+FFFD, so the output is always valid JSON. */
static void jstr(FILE *f, const char *s)
{
	fputc('"', f);
	while (*s) {
		unsigned char c = (unsigned char)*s;
		size_t k = vrs_utf8_len(s);

		if (!k) {
			fputs("\\ufffd", f);
			s++;
			continue;
		}
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\u%04x", c);
		else
			fwrite(s, 1, k, f);
		s += k;
	}
	fputc('"', f);
}

static void jfail(FILE *f, const struct vrs_scenario *sc, const struct vrs_fail *x)
{
	const struct vrs_event *e = &sc->evs[x->event];
	char buf[256];

	fprintf(f, "{\"line\": %u, \"event\": ", x->line);
	jstr(f, vrs_ev_name(x->kind));
	fprintf(f, ", \"name\": ");
	jstr(f, x->kind == VRS_EV_ALLOC ? sc->allocs[e->alloc].name : sc->objs[e->obj].name);
	fprintf(f, ", \"size\": %zu, \"phase\": ", x->size);
	jstr(f, vrs_phase_name(x->phase));
	fprintf(f, ", \"room\": %zu, \"physical_free_pages\": %zu, \"expected\": %s, "
		"\"surprise\": %s, \"text\": ", x->largest_free, x->phys_free,
		x->expected ? "true" : "false", x->surprise ? "true" : "false");
	vrs_fail_describe(sc, x, buf, sizeof(buf));
	jstr(f, buf);
	fputc('}', f);
}

static const char *status_name(enum vrs_size_status s)
{
	switch (s) {
	case VRS_SIZE_OK: return "ok";
	case VRS_SIZE_NONMONOTONIC: return "nonmonotonic";
	case VRS_SIZE_NONE: return "none";
	default: return "not_sized";
	}
}

static void jregion(FILE *f, const struct vrs_report *rp, uint32_t k)
{
	static const char *const kind[VRS_OBJ_KINDS] = {
		[VRS_OBJ_PIPELINE] = "pipeline", [VRS_OBJ_DP] = "dp", [VRS_OBJ_REGION] = "region",
		[VRS_OBJ_PAGES] = "pages",
	};
	const struct vrs_scenario *sc = rp->sc;
	const struct vrs_region_rec *q = &rp->r->reg[k];
	unsigned i;

	fprintf(f, "    {\"name\": ");
	jstr(f, sc->objs[k].name);
	fprintf(f, ", \"kind\": \"%s\", \"line\": %u,\n", kind[sc->objs[k].kind], sc->objs[k].line);
	fprintf(f, "     \"instances\": %u, \"created\": %u, \"requested_bytes\": %zu, "
		"\"pages\": %zu, \"meta_bytes\": %zu,\n", q->instances, q->created, q->requested,
		q->pages, vrs_region_meta(sc, k, q->requested));
	fprintf(f, "     \"lifetime_used\": %zu, \"lifetime_size\": %zu, \"interim_size\": %zu, "
		"\"interim_peak\": %zu, \"interim_peak_line\": %u, \"largest_free_at_peak\": %zu,\n",
		q->lifetime_used, q->lifetime_size, q->interim_size, q->interim_peak, q->peak_line,
		q->largest_free_at_peak);
	fprintf(f, "     \"allocs\": %zu, \"frees\": %zu, \"outstanding_at_release\": %zu,\n",
		q->allocs, q->frees, q->outstanding_at_release);
	fprintf(f, "     \"failures\": {\"unexpected\": %zu, \"expected\": %zu, \"surprises\": %zu, "
		"\"invalid\": %zu, \"list\": [", q->unexpected, q->expected, q->surprises, q->invalid);
	for (i = 0; i < q->nfails; i++) {
		fprintf(f, "%s\n       ", i ? "," : "");
		jfail(f, sc, &q->fails[i]);
	}
	fprintf(f, "]},\n     \"refcount\": {\"max\": %u, \"truncated\": %s, \"history\": [",
		q->refs_max, q->refhist_truncated ? "true" : "false");
	for (i = 0; i < q->nrefhist; i++)
		fprintf(f, "%s{\"line\": %u, \"refs\": %u}", i ? ", " : "", q->refhist[i].line,
			q->refhist[i].refs);
	fprintf(f, "]},\n     \"recommended\": ");
	if (!rp->sz) {
		fprintf(f, "null}");
		return;
	}
	{
		const struct vrs_size_rec *s = &rp->sz->reg[k];

		fprintf(f, "{\"status\": \"%s\", \"bytes\": %zu, \"pages\": %zu, "
			"\"meta_bytes\": %zu, \"written_pages\": %zu, \"max_pages\": %zu, "
			"\"one_page_less_fails\": %s, \"one_page_more_passes\": %s, \"replays\": %u,"
			"\n       \"failure_one_page_less\": ", status_name(s->status), s->bytes,
			s->pages, vrs_recommended_meta(rp, k),
			s->written_pages, s->max_pages, s->below_fails ? "true" : "false",
			s->above_passes ? "true" : "false", s->plays);
		if (s->has_below_fail)
			jfail(f, sc, &s->below_fail);
		else
			fprintf(f, "null");
		fprintf(f, ",\n       \"failure_one_page_more\": ");
		if (s->has_above_fail)
			jfail(f, sc, &s->above_fail);
		else
			fprintf(f, "null");
		fprintf(f, ",\n       \"others_at_recommended\": %s, \"blocking_pages\": %zu, "
			"\"blocking_failure\": ", s->others_recommended ? "true" : "false",
			s->blocking_pages);
		if (s->has_blocking_fail)
			jfail(f, sc, &s->blocking_fail);
		else
			fprintf(f, "null");
		fprintf(f, "}}");
	}
}

/* What was read from a trace (null for a scenario). */
static void jtrace(FILE *f, const struct vrs_report *rp)
{
	const struct vrs_trace_info *t = rp->trace;

	if (!t) {
		fprintf(f, "null");
		return;
	}
	fprintf(f, "{\"pool\": %u, \"pools\": %u, \"events\": %zu, \"other_pool_events\": %zu, "
		"\"nested_page_events\": %zu, \"refused_calls\": %zu, \"unplayed_maps\": %zu, "
		"\"ended\": %s, \"whatif\": %s}", t->pool, t->pools, t->events, t->other_pools,
		t->nested, t->refused, t->unplayed, t->ended ? "true" : "false",
		t->whatif ? "true" : "false");
}

void vrs_report_json(FILE *f, const struct vrs_report *rp)
{
	const struct vrs_scenario *sc = rp->sc;
	const struct vrs_result *r = rp->r;
	const struct vrs_platform *p = &sc->plat;
	bool first = true;
	unsigned i;
	uint32_t k;

	fprintf(f, "{\n  \"vrsim_schema\": 1,\n  \"scenario\": {\"file\": ");
	jstr(f, rp->label);
	fprintf(f, ", \"title\": ");
	jstr(f, sc->title);
	fprintf(f, ", \"lines\": %u, \"statements\": %u, \"events\": %zu, "
		"\"expected_failures\": %zu},\n", sc->lines, sc->statements, sc->nevs,
		sc->expected_failures);
	fprintf(f, "  \"platform\": {\"page_size\": %zu, \"virtual_pages\": %zu, "
		"\"physical_pages\": %zu, \"cache_line\": %zu, \"min_align\": %zu, "
		"\"guard_pages\": %zu},\n", p->page, p->virt, p->phys, p->line, p->align, p->guard);
	fprintf(f, "  \"regions\": [\n");
	for (k = 0; k < sc->nobjs; k++) {
		if (!r->reg[k].is_region)
			continue;
		if (!first)
			fprintf(f, ",\n");
		first = false;
		jregion(f, rp, k);
	}
	fprintf(f, "\n  ],\n");
	fprintf(f, "  \"pool\": {\"meta_bytes\": %zu, \"virtual_peak\": %zu, "
		"\"virtual_peak_line\": %u, \"physical_peak\": %zu, \"physical_peak_line\": %u,\n",
		vrs_pool_meta(sc), r->vpeak, r->vpeak_line, r->ppeak, r->ppeak_line);
	fprintf(f, "    \"fragmentation\": {\"at_peak\": {\"free_pages\": %zu, "
		"\"largest_free_run\": %zu, \"ratio\": %.4f},\n", r->frag_free_at_peak,
		r->frag_largest_at_peak, r->frag_free_at_peak ?
		1.0 - (double)r->frag_largest_at_peak / (double)r->frag_free_at_peak : 0.0);
	fprintf(f, "      \"worst\": {\"free_pages\": %zu, \"largest_free_run\": %zu, "
		"\"ratio\": %.4f, \"line\": %u},\n", r->worst_frag_free, r->worst_frag_largest,
		r->worst_frag, r->worst_frag_line);
	fprintf(f, "      \"min_largest_free_run\": %zu, \"min_largest_free_run_line\": %u}},\n",
		r->min_largest_run, r->min_largest_line);
	fprintf(f, "  \"sizing\": ");
	if (rp->sz) {
		fprintf(f, "{\"replays\": %u, \"all_recommended\": ", rp->sz->plays);
		if (rp->sz->all_done)
			fprintf(f, "{\"clean\": %s, \"virtual_peak\": %zu, \"physical_peak\": %zu, "
				"\"unexpected\": %zu}}", rp->sz->all_clean ? "true" : "false",
				rp->sz->all_vpeak, rp->sz->all_ppeak, rp->sz->all_unexpected);
		else
			fprintf(f, "null}");
	} else {
		fprintf(f, "null");
	}
	fprintf(f, ",\n  \"trace\": ");
	jtrace(f, rp);
	fprintf(f, ",\n  \"divergences\": {\"count\": %u, \"first_line\": ", r->diverge_total);
	if (r->diverge_total)
		fprintf(f, "%u", rp->sc->evs[r->diverge_event].line);
	else
		fprintf(f, "null");
	fprintf(f, ", \"list\": [");
	for (i = 0; i < r->ndiverge; i++) {
		fprintf(f, "%s", i ? ", " : "");
		jstr(f, r->diverge[i]);
	}
	fprintf(f, "]}");
	fprintf(f, ",\n  \"library_errors\": {\"count\": %u, \"list\": [", r->liberr_total);
	for (i = 0; i < r->nliberr; i++) {
		fprintf(f, "%s", i ? ", " : "");
		jstr(f, r->liberr[i]);
	}
	fprintf(f, "]},\n  \"leaks\": {\"ok\": %s, \"virtual_pages\": %zu, \"physical_pages\": %zu, "
		"\"regions\": %zu, \"count\": %u, \"list\": [", r->leak_ok ? "true" : "false",
		r->leak_vpages, r->leak_ppages, r->leak_regions, r->leaks_total);
	for (i = 0; i < r->nleaks; i++) {
		fprintf(f, "%s", i ? ", " : "");
		jstr(f, r->leaks[i]);
	}
	fprintf(f, "]},\n  \"result\": {\"clean\": %s, \"exit_status\": %d, "
		"\"unexpected_failures\": %zu, \"expected_failures\": %zu, \"surprises\": %zu, "
		"\"skipped_events\": %zu}\n}\n", rp->exit_status == 0 ? "true" : "false",
		rp->exit_status, r->unexpected, r->expected, r->surprises, r->skipped);
}
