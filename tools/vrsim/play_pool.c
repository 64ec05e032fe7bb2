/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tools/vrsim/play_pool.c - the player's view of the page pool: peaks and
 * fragmentation after every event, the snapshot of the window at the peak,
 * the leak check and teardown at the end, and the -v line of an event.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "vregion/port_posix.h"

#include "play_internal.h"

/* Pool statistics after an event: peaks, fragmentation, timeline. The
 * pool's statistics are read again only after events that may change it. */
void vrs_pool_sample(struct pctx *c)
{
	struct vrs_result *r = c->r;
	const struct vr_vpage_stats *ps = &c->ps;
	size_t vused, pm;

	if (c->pool_dirty) {
		r->work.pool_stats++;
		if (vr_vpage_get_stats(&c->pool, &c->ps)) {
			vrs_liberr(c, "vr_vpage_get_stats failed");
			return;
		}
	}
	vused = ps->vpages_total - ps->vpages_free;
	pm = ps->ppages_total - ps->ppages_free;
	r->samples[c->ev].vused = (uint32_t)vused;
	r->samples[c->ev].pmapped = (uint32_t)pm;
	/* the snapshot: at the virtual peak, the moment with the most bytes in
	 * use (taken by a second play that stops there: vrs_play) */
	if (vused > r->vpeak || (vused && vused == r->vpeak && c->bytes_total > c->snap_bytes)) {
		if (vused > r->vpeak)
			r->vpeak_line = c->line;
		r->vpeak = vused;
		r->frag_free_at_peak = ps->vpages_free;
		r->frag_largest_at_peak = ps->largest_free_run;
		r->snap.event = c->ev;
		r->snap.line = c->line;
		r->snap.vused = vused;
		r->snap.pmapped = pm;
		r->snap.bytes_used = c->snap_bytes = c->bytes_total;
	}
	if (pm > r->ppeak) {
		r->ppeak = pm;
		r->ppeak_line = c->line;
	}
	if (ps->largest_free_run < r->min_largest_run) {
		r->min_largest_run = ps->largest_free_run;
		r->min_largest_line = c->line;
	}
	if (ps->vpages_free) {
		double f = 1.0 - (double)ps->largest_free_run / (double)ps->vpages_free;

		if (f > r->worst_frag + 1e-12) {
			r->worst_frag = f;
			r->worst_frag_line = c->line;
			r->worst_frag_free = ps->vpages_free;
			r->worst_frag_largest = ps->largest_free_run;
		}
	}
}

/* ---- who holds the pages ---- */

/* A region or run takes pages at the current event: its span's index, or
 * SIZE_MAX (not recording, or out of memory: the picture loses it). */
size_t vrs_span_open(struct pctx *c, uint32_t owner, size_t vpages, size_t ppages)
{
	struct vrs_result *r = c->r;
	struct vrs_span *sp;

	if (!c->record)
		return SIZE_MAX;
	if (r->nspans == c->cap_spans) {
		size_t cap = c->cap_spans ? c->cap_spans * 2 : 64;

		sp = realloc(r->spans, cap * sizeof(*sp));
		if (!sp)
			return SIZE_MAX;
		r->spans = sp;
		c->cap_spans = cap;
	}
	sp = &r->spans[r->nspans];
	sp->owner = owner;
	sp->from = c->ev;
	sp->to = c->sc->nevs;
	sp->vpages = vpages;
	sp->ppages = ppages;
	return r->nspans++;
}

void vrs_span_close(struct pctx *c, size_t span)
{
	if (span != SIZE_MAX && span < c->r->nspans)
		c->r->spans[span].to = c->ev;
}

/* ---- the snapshot of the window ---- */

struct owner_at {
	size_t page;			/* first page of the run */
	uint32_t owner;			/* object id */
	struct vr_region *vr;		/* NULL for a page run */
};

struct snap_ctx {
	struct pctx *c;
	struct owner_at *own;
	size_t n, cap;
};

static int by_page(const void *a, const void *b)
{
	const struct owner_at *x = a, *y = b;

	return x->page < y->page ? -1 : x->page > y->page;
}

static void snapshot_run(struct snap_ctx *s, size_t first, size_t pages, const struct owner_at *w)
{
	struct vrs_snapshot *snap = &s->c->r->snap;
	struct vrs_snap_run *run;
	struct vr_region_stats st;

	if (snap->nruns == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;

		run = realloc(snap->runs, cap * sizeof(*run));
		if (!run)
			return;
		snap->runs = run;
		s->cap = cap;
	}
	run = &snap->runs[snap->nruns++];
	memset(run, 0, sizeof(*run));
	run->first = first;
	run->pages = pages;
	run->owner = w ? w->owner : VRS_NONE;
	run->phase = -1;
	if (w && w->vr && !vr_region_get_stats(w->vr, &st)) {
		run->phase = (int)st.phase;
		run->lifetime_size = st.lifetime_size;
		run->lifetime_used = st.lifetime_used < st.lifetime_size ? st.lifetime_used
									 : st.lifetime_size;
		run->interim_size = st.interim_size;
		run->interim_used = st.interim_used;
		run->interim_largest = st.interim_largest_free;
	}
}

static int snap_cb(void *arg, void *start, size_t npages, enum vr_vpage_kind kind)
{
	struct snap_ctx *s = arg;
	struct pctx *c = s->c;
	struct owner_at key, *w;

	(void)kind;
	key.page = ((uintptr_t)start - c->port.window_base) / c->port.page_size;
	w = bsearch(&key, s->own, s->n, sizeof(*s->own), by_page);
	c->r->work.snapshot_runs++;
	snapshot_run(s, key.page, npages, w);
	return 0;
}

static void own(struct snap_ctx *s, uintptr_t base, uint32_t owner, struct vr_region *vr)
{
	struct pctx *c = s->c;

	s->own[s->n].page = (base - c->port.window_base) / c->port.page_size;
	s->own[s->n].owner = owner;
	s->own[s->n++].vr = vr;
}

/* The window now, run by run, each named by its owner: O(W / 64 + runs log runs). */
void vrs_snapshot(struct pctx *c)
{
	struct snap_ctx s = { c, NULL, 0, 0 };
	uint32_t i;

	s.own = malloc((c->nrg + c->sc->nobjs + 1) * sizeof(*s.own));
	if (!s.own)
		return;
	for (i = 0; i < c->nrg; i++) {
		uintptr_t base;

		if (c->rg[i].live && !vr_region_mem_info(c->rg[i].vr, NULL, &base))
			own(&s, base, c->rg[i].key, c->rg[i].vr);
	}
	for (i = 0; i < c->sc->nobjs; i++)
		if (c->ob[i].pages)
			own(&s, (uintptr_t)c->ob[i].pages, i, NULL);
	qsort(s.own, s.n, sizeof(*s.own), by_page);
	c->r->work.snapshots++;
	vr_vpage_for_each(&c->pool, snap_cb, &s);
	free(s.own);
}

/* ---- the end ---- */

static void leak(struct vrs_result *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void leak(struct vrs_result *r, const char *fmt, ...)
{
	va_list ap;

	r->leaks_total++;
	if (r->nleaks >= VRS_MAX_LEAKS)
		return;
	va_start(ap, fmt);
	vsnprintf(r->leaks[r->nleaks++], sizeof(r->leaks[0]), fmt, ap);
	va_end(ap);
}

/* What is still there at the end is a leak. */
static void leak_check(struct pctx *c)
{
	const struct vrs_scenario *sc = c->sc;
	struct vrs_result *r = c->r;
	struct vr_vpage_stats ps;
	uint32_t i;

	for (i = 0; i < sc->nobjs; i++) {
		enum vrs_obj_kind k = sc->objs[i].kind;

		if (c->ob[i].alive && k != VRS_OBJ_REGION)
			leak(r, "%s '%s' still exists at the end (never %s)", vrs_kind_name(k),
			     sc->objs[i].name, k == VRS_OBJ_BUFFER ? "unbound" : "destroyed");
	}
	for (i = 0; i < c->nrg; i++) {
		if (c->rg[i].live) {
			r->leak_regions++;
			leak(r, "region %s still holds %u reference%s", vrs_oname(c, c->rg[i].key),
			     c->rg[i].refs, vrs_s(c->rg[i].refs));
		}
	}
	if (!vr_vpage_get_stats(&c->pool, &ps)) {
		r->leak_vpages = ps.vpages_total - ps.vpages_free;
		r->leak_ppages = ps.ppages_total - ps.ppages_free;
		r->leak_allocs = ps.live_allocs;
		if (r->leak_vpages || r->leak_ppages)
			leak(r, "%zu virtual and %zu physical page%s not back in the pool",
			     r->leak_vpages, r->leak_ppages, vrs_s(r->leak_ppages));
	}
	r->leak_ok = r->leaks_total == 0;
}

/* Release what the scenario left, so that the process ends clean. */
static void teardown(struct pctx *c)
{
	struct vr_vpage_stats ps;
	uint32_t i;

	for (i = 0; i < c->sc->nobjs; i++) {
		if (c->ob[i].pages && (c->ob[i].reserve ? vr_vpage_release(&c->pool, c->ob[i].pages)
					: vr_vpage_free(&c->pool, c->ob[i].pages)))
			vrs_liberr(c, "giving back page run %s at the end failed", vrs_oname(c, i));
		c->ob[i].pages = NULL;
	}
	for (i = 0; i < c->nrg; i++) {
		while (c->rg[i].live && c->rg[i].refs) {
			c->rg[i].refs--;
			if (!vr_region_put(c->rg[i].vr))
				c->rg[i].live = false;
		}
	}
	if (!vr_vpage_get_stats(&c->pool, &ps) &&
	    (ps.vpages_free != ps.vpages_total || ps.ppages_free != ps.ppages_total))
		vrs_liberr(c, "after releasing every region, %zu virtual / %zu physical pages are "
			   "still taken", ps.vpages_total - ps.vpages_free,
			   ps.ppages_total - ps.ppages_free);
}

/* After the last event: the leak check, then tear down. Returns 0. */
int vrs_finish(struct pctx *c)
{
	int rc;

	leak_check(c);
	teardown(c);
	if (c->validate && (rc = vr_posix_port_validate(&c->port)))
		vrs_liberr(c, "vr_posix_port_validate = %d", rc);
	rc = vr_vpage_pool_deinit(&c->pool);
	if (rc)
		vrs_liberr(c, "vr_vpage_pool_deinit = %d", rc);
	rc = vr_posix_port_destroy(&c->port);
	if (rc)
		vrs_liberr(c, "vr_posix_port_destroy = %d (pages, locks or metadata left)", rc);
	return 0;
}

/* ---- -v ---- */

/* The event as the scenario writes it. */
static void describe(struct pctx *c, const struct vrs_event *e, char *what, size_t n)
{
	const struct vrs_scenario *sc = c->sc;
	size_t l;

	switch (e->kind) {
	case VRS_EV_ALLOC:
		snprintf(what, n, "alloc %s %zu%s%s", sc->allocs[e->alloc].name, e->size,
			 (e->flags & VRS_F_COHERENT) ? " coherent" : "",
			 (e->flags & VRS_F_EXPECT_FAIL) ? " expect=fail" : "");
		if (e->align)
			snprintf(what + strlen(what), n - strlen(what), " align=%zu", e->align);
		return;
	case VRS_EV_FREE:
		snprintf(what, n, "free %s", sc->allocs[e->alloc].name);
		return;
	case VRS_EV_BIND:
		snprintf(what, n, "bind %s %s as %s%s", vrs_oname(c, e->a), vrs_oname(c, e->b),
			 vrs_oname(c, e->obj), (e->flags & VRS_F_HEAP) ? " heap" : "");
		return;
	case VRS_EV_PAGES:
		snprintf(what, n, "pages %s %zu%s", vrs_oname(c, e->obj), e->size,
			 (e->flags & VRS_F_RESERVE) ? " reserve" : "");
		return;
	case VRS_EV_PIPELINE:
	case VRS_EV_MODULE:
	case VRS_EV_REGION:
		l = (size_t)snprintf(what, n, "%s %s%s", vrs_ev_name(e->kind), vrs_oname(c, e->obj),
				     e->kind != VRS_EV_MODULE ? "" :
				     sc->objs[e->obj].kind == VRS_OBJ_DP ? " dp" : " ll");
		if (e->size && l < n)
			snprintf(what + l, n - l, " size=%zu",
				 c->o->size_override && c->o->size_override[e->obj]
				 ? c->o->size_override[e->obj] : e->size);
		return;
	default:
		snprintf(what, n, "%s %s%s", vrs_ev_name(e->kind), vrs_oname(c, e->obj),
			 (e->flags & VRS_F_INTERIM_RESET) ? " interim-reset" : "");
		return;
	}
}

void vrs_log_event(struct pctx *c, const struct vrs_event *e)
{
	char what[256];

	describe(c, e, what, sizeof(what));
	fprintf(c->log, "%5u  %-52s %s\n", e->line, what, c->note);
	fputs(c->libmsg, c->log);
	c->libmsg[0] = 0;
}
