/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tools/vrsim/play.c - play a checked scenario on the real library: a posix
 * port (memfd physical pages, real mappings, guard pages), one vpage pool,
 * one vr_region per pipeline with size=, per dp module and per bare region,
 * one page run per `pages`.
 *
 * The check (check.c) guarantees the scenario is consistent; what can still
 * happen here is what the library says: a region or an allocation that does
 * not fit, a set_interim that finds too little space. Those are failures,
 * expected when the event is marked expect=fail. Events whose owner failed to
 * come into being are skipped (and counted), never a second failure.
 *
 * Anything the library does that breaks its contract (a validate() that
 * fails, a misaligned or out-of-region pointer, a fill pattern overwritten,
 * a refcount that disagrees with ours, a free that is refused) is a library
 * error: recorded, and the play ends unclean. Events of a trace carry what
 * the recording returned (VRS_F_REC): with VRS_PLAY_CHECK_REC every
 * difference is a divergence, recorded the same way.
 *
 * Cost per event: O(1) bookkeeping, plus the library's own calls (the
 * region's statistics, and with VRS_PLAY_VALIDATE its validate walks; the
 * pool's statistics only after events that change the pool). The snapshot
 * at the peak is taken by a second play that stops at the peak's event, so
 * finding the peak costs O(1) per event whatever the number of regions.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "vregion/port_posix.h"
#include "vregion/trace.h"
#include "vregion/vregion.h"

#include "play.h"
#include "play_internal.h"

/* The -v outcome of the current event (formatted only with -v). */
#define NOTE(c, ...) do { if ((c)->verbose) snprintf((c)->note, sizeof((c)->note), __VA_ARGS__); } while (0)


/* One named value of a log message: addresses in hex, the rest in decimal
 * (as the posix port prints them: port.h's parenthesised names). */
static int named(char *buf, size_t n, const char *name, size_t len, uintptr_t v)
{
	static const char *const hexy[] = { "addr", "base", "ptr", "lock", "vr", "region" };
	size_t i;

	for (i = 0; i < sizeof(hexy) / sizeof(hexy[0]); i++)
		if (len >= strlen(hexy[i]) && strstr(name, hexy[i]) && strstr(name, hexy[i]) < name + len)
			return snprintf(buf, n, " %.*s=%#lx", (int)len, name, (unsigned long)v);
	return snprintf(buf, n, " %.*s=%lu", (int)len, name, (unsigned long)v);
}

/* "interim heap full (size, align)" with a, b: "interim heap full: size=14336 align=64". */
static void readable(char *buf, size_t n, const char *msg, uintptr_t a, uintptr_t b)
{
	const char *open = strrchr(msg, '('), *close = open ? strchr(open, ')') : NULL;
	const char *comma = open ? strchr(open, ',') : NULL;
	int k;

	if (!open || !close || close[1]) {
		snprintf(buf, n, "%s", msg);
		return;
	}
	k = snprintf(buf, n, "%.*s:", (int)(open - msg - (open > msg && open[-1] == ' ')), msg);
	if (k < 0 || (size_t)k >= n)
		return;
	if (comma && comma < close) {
		k += named(buf + k, n - (size_t)k, open + 1, (size_t)(comma - open - 1), a);
		if ((size_t)k < n)
			named(buf + k, n - (size_t)k, comma + 2, (size_t)(close - comma - 2), b);
	} else {
		named(buf + k, n - (size_t)k, open + 1, (size_t)(close - open - 1), a);
	}
}

static void lib_log(void *ctx, enum vr_log_level level, const char *func, const char *msg,
		    uintptr_t a, uintptr_t b)
{
	static const char *const lv[] = { "ERR", "WRN", "INF", "DBG" };
	struct pctx *c = ctx;
	char text[200];
	size_t n;

	if (!c->verbose || level > VR_LOG_WRN)
		return;
	/* kept until the event's own line is printed (log_event) */
	readable(text, sizeof(text), msg, a, b);
	n = strlen(c->libmsg);
	snprintf(c->libmsg + n, sizeof(c->libmsg) - n, "        library %s %s: %s\n",
		 (unsigned)level < 4 ? lv[level] : "?", func, text);
}

/* Is trace event ev the call of the scenario's current event, which it marks
 * expect=fail? */
static bool expected_here(const struct pctx *c, const struct vr_trace_event *ev)
{
	const struct vrs_event *e = c->ev < c->sc->nevs ? &c->sc->evs[c->ev] : NULL;

	if (!e || !(e->flags & VRS_F_EXPECT_FAIL))
		return false;
	switch (ev->op) {
	case VR_TRACE_ALLOC: return e->kind == VRS_EV_ALLOC;
	case VR_TRACE_SET_INTERIM: return e->kind == VRS_EV_SET_INTERIM;
	case VR_TRACE_REGION_CREATE: return vrs_ev_creates(e->kind) && e->kind != VRS_EV_PAGES;
	case VR_TRACE_PAGE_ALLOC:
	case VR_TRACE_PAGE_RESERVE: return e->kind == VRS_EV_PAGES;
	default: return false;
	}
}

/* --write-trace: every event of the play, as the library describes it, one
 * line each after the format's header (docs/trace.md). */
static void trace_hook(void *ctx, const struct vr_trace_event *ev)
{
	struct pctx *c = ctx;
	char line[VR_TRACE_LINE_MAX];

	if (!c->o->trace_out)
		return;
	if (!c->traced++)
		fprintf(c->o->trace_out, "%s\n", vr_trace_header());
	vr_trace_format(ev, line, sizeof(line));
	if (ev->result && expected_here(c, ev)) {
		/* the scenario expects this failure: say so, so that a replay does
		 * too (docs/trace.md, expect=) */
		char *rc = strstr(line, " rc=");

		if (rc) {
			fprintf(c->o->trace_out, "%.*s expect=fail%s\n", (int)(rc - line), line, rc);
			return;
		}
	}
	fprintf(c->o->trace_out, "%s\n", line);
}

void vrs_liberr(struct pctx *c, const char *fmt, ...)
{
	struct vrs_result *r = c->r;
	char buf[160];
	va_list ap;
	int n;

	n = snprintf(buf, sizeof(buf), "line %u: ", c->line);
	va_start(ap, fmt);
	vsnprintf(buf + n, sizeof(buf) - (size_t)n, fmt, ap);
	va_end(ap);
	if (c->verbose)
		fprintf(c->log, "        LIBRARY ERROR: %s\n", buf);
	r->liberr_total++;
	if (r->nliberr < VRS_MAX_LIBERR)
		memcpy(r->liberr[r->nliberr++], buf, sizeof(buf));
}

/* The replay does not do what the recording says the library did. */
static void diverge(struct pctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void diverge(struct pctx *c, const char *fmt, ...)
{
	struct vrs_result *r = c->r;
	char buf[sizeof(r->diverge[0])];
	va_list ap;
	int n;

	n = snprintf(buf, sizeof(buf), "line %u: ", c->line);
	va_start(ap, fmt);
	vsnprintf(buf + n, sizeof(buf) - (size_t)n, fmt, ap);
	va_end(ap);
	if (c->verbose)
		fprintf(c->log, "        DIVERGES: %s\n", buf);
	if (!r->diverge_total)
		r->diverge_event = c->ev;
	r->diverge_total++;
	if (r->ndiverge < VRS_MAX_DIVERGE)
		memcpy(r->diverge[r->ndiverge++], buf, sizeof(buf));
}

/* A call the trace recorded as failed succeeds here (VRS_PLAY_CHECK_REC). */
static void rec_failed(struct pctx *c, const struct vrs_event *e)
{
	if (c->check_rec && (e->flags & VRS_F_REC_FAIL))
		diverge(c, "%s %s: failed in the trace, succeeds here", vrs_ev_name(e->kind),
			e->kind == VRS_EV_ALLOC ? c->sc->allocs[e->alloc].name : vrs_oname(c, e->obj));
}

/* Compare a recorded figure with the replay's (VRS_PLAY_CHECK_REC). */
static void check_rec(struct pctx *c, const struct vrs_event *e, size_t got, const char *what)
{
	if (c->check_rec && (e->flags & VRS_F_REC) && e->rec != got)
		diverge(c, "%s %s: %s %zu in the trace, %zu here", vrs_ev_name(e->kind),
			e->kind == VRS_EV_ALLOC ? c->sc->allocs[e->alloc].name : vrs_oname(c, e->obj),
			what, e->rec, got);
}

const char *vrs_oname(struct pctx *c, uint32_t id)
{
	return c->sc->objs[id].name;
}

static struct vrs_region_rec *rec(struct pctx *c, uint32_t key)
{
	return &c->r->reg[key];
}

static void refpoint(struct pctx *c, uint32_t reg)
{
	struct vrs_region_rec *q = rec(c, c->rg[reg].key);
	uint32_t refs = c->rg[reg].refs;

	if (refs > q->refs_max)
		q->refs_max = refs;
	if (q->nrefhist < VRS_MAX_REFHIST) {
		q->refhist[q->nrefhist].line = c->line;
		q->refhist[q->nrefhist].refs = refs;
		q->nrefhist++;
	} else {
		q->refhist_truncated = true;
	}
}

/* Bytes a region has in use (lifetime bumped + interim used). */
static size_t used_bytes(const struct vr_region_stats *st)
{
	return (st->lifetime_used < st->lifetime_size ? st->lifetime_used : st->lifetime_size) +
	       st->interim_used;
}

/* A region's statistics (counted: the cost of a play is mostly the library's). */
static int region_stats(struct pctx *c, struct vr_region *vr, struct vr_region_stats *st)
{
	c->r->work.region_stats++;
	if (vr_region_get_stats(vr, st)) {
		memset(st, 0, sizeof(*st));
		return -1;
	}
	c->r->work.region_stats_units += st->lifetime_used / (st->min_align ? st->min_align : 1) + 1;
	return 0;
}

/* The region's full walk, now. */
static void validate_now(struct pctx *c, uint32_t reg, size_t cost)
{
	int rc;

	if (!c->validate || reg == VRS_NONE || !c->rg[reg].live)
		return;
	c->rg[reg].vwork = 0;
	c->r->work.region_validates++;
	c->r->work.region_validate_units += cost;
	rc = vr_region_validate(c->rg[reg].vr);
	if (rc)
		vrs_liberr(c, "vr_region_validate(%s) = %d", vrs_oname(c, c->rg[reg].key), rc);
}

/* Is a walk of `cost` units due, after `*work` events since the last one?
 * Walks are spaced so that they cost at most VRS_VALIDATE_RATIO units per
 * event on average: after every event while cost <= the ratio, every
 * cost / ratio events beyond. */
bool vrs_walk_due(size_t *work, size_t cost)
{
	return vrs_due(work, cost, VRS_VALIDATE_RATIO);
}

/* The same for any ratio (units per event). */
bool vrs_due(size_t *work, size_t cost, size_t ratio)
{
	if (++*work * ratio < cost)
		return false;
	*work = 0;
	return true;
}

/* Statistics st of region reg into its record, then its walk when due. */
static void observe_st(struct pctx *c, uint32_t reg, const struct vr_region_stats *st)
{
	struct rt_region *g = &c->rg[reg];
	struct vrs_region_rec *q = rec(c, g->key);
	size_t lt, cost;

	g->swork = 0;
	g->scost = st->lifetime_used / (st->min_align ? st->min_align : 1) + 1;
	if (st->interim_peak > q->interim_peak && st->phase == VR_REGION_INTERIM) {
		/* a peak between two reads (sampled statistics): the heap's own */
		q->interim_peak = st->interim_peak;
		q->largest_free_at_peak = st->interim_largest_free;
		q->peak_line = c->line;
	}
	if (st->refcount != g->refs)
		vrs_liberr(c, "region %s: refcount %zu, expected %u", vrs_oname(c, g->key),
			   st->refcount, g->refs);
	c->bytes_total += used_bytes(st) - g->bytes;
	g->bytes = used_bytes(st);
	lt = st->phase != VR_REGION_LIFETIME && st->lifetime_used > st->lifetime_size
	     ? st->lifetime_size : st->lifetime_used;
	if (lt > q->lifetime_used)
		q->lifetime_used = lt;
	if (st->phase == VR_REGION_INTERIM) {
		if (st->lifetime_size > q->lifetime_size)
			q->lifetime_size = st->lifetime_size;
		if (st->interim_size > q->interim_size)
			q->interim_size = st->interim_size;
		if (!q->peak_line || st->interim_used > q->interim_peak) {
			q->interim_peak = st->interim_used;
			q->largest_free_at_peak = st->interim_largest_free;
			q->peak_line = c->line;
		}
	}
	/* the walk visits the lifetime part's granules and the live blocks */
	cost = st->lifetime_used / (st->min_align ? st->min_align : 1) + st->interim_live + 1;
	if (c->validate && vrs_walk_due(&g->vwork, cost))
		validate_now(c, reg, cost);
}

/* Are the statistics of region reg due? Reading them costs O(its lifetime
 * granules) (vr_region_get_stats counts the live lifetime allocations), so
 * they are read after every event of a region while that is at most
 * VRS_STATS_RATIO, and every granules / ratio events beyond: the peaks
 * stay exact (the heap keeps its own peak; the lifetime part only grows and
 * is read at complete and release), the line of an interim peak and the
 * bytes in use that choose the snapshot are then those of the last read. */
static bool stats_due(struct pctx *c, uint32_t reg)
{
	return c->verbose || vrs_due(&c->rg[reg].swork, c->rg[reg].scost, VRS_STATS_RATIO);
}

/* Sample a region's statistics into its record (force: now, else when due). */
void vrs_observe(struct pctx *c, uint32_t reg, bool force)
{
	struct vr_region_stats st;

	if (reg == VRS_NONE || !c->rg[reg].live)
		return;
	if (!force && !stats_due(c, reg))
		return;
	if (region_stats(c, c->rg[reg].vr, &st)) {
		vrs_liberr(c, "vr_region_get_stats failed on a live region");
		return;
	}
	observe_st(c, reg, &st);
}

/* Count a failure of region `key`; returns its record (NULL if not kept). */
static struct vrs_fail *failure(struct pctx *c, uint32_t key, const struct vrs_event *e,
				bool surprise, size_t largest, int phase)
{
	struct vrs_region_rec *q = rec(c, key);
	bool expected = (e->flags & VRS_F_EXPECT_FAIL) != 0;
	struct vrs_fail *f;

	if (c->check_rec && (e->flags & VRS_F_REC))
		diverge(c, "%s %s: %s in the trace, %s here", vrs_ev_name(e->kind),
			e->kind == VRS_EV_ALLOC ? c->sc->allocs[e->alloc].name : vrs_oname(c, e->obj),
			surprise ? "failed" : "succeeded", surprise ? "succeeds" : "fails");
	if (surprise) {
		q->surprises++;
		c->r->surprises++;
	} else if (expected) {
		q->expected++;
		c->r->expected++;
	} else {
		q->unexpected++;
		c->r->unexpected++;
	}
	if (q->nfails >= VRS_MAX_FAILS)
		return NULL;
	f = &q->fails[q->nfails++];
	memset(f, 0, sizeof(*f));
	f->event = c->ev;
	f->line = c->line;
	f->kind = e->kind;
	f->expected = expected && !surprise;
	f->surprise = surprise;
	f->alloc = e->alloc;
	f->size = e->size;
	f->largest_free = largest;
	f->phase = phase;
	return f;
}

/* Bytes of the region of event e as played (--region and the sizer override). */
static size_t played_size(struct pctx *c, const struct vrs_event *e)
{
	if (c->o->size_override && c->o->size_override[e->obj])
		return c->o->size_override[e->obj];
	return e->size;
}

/* Page index in the window of a pointer into it. */
static size_t page_of(struct pctx *c, const void *p)
{
	return ((uintptr_t)p - c->port.window_base) / c->port.page_size;
}

/* A creation (region or page run) the pool refused. */
static void create_failed(struct pctx *c, const struct vrs_event *e, size_t pages)
{
	const struct vrs_scenario *sc = c->sc;
	struct vr_vpage_stats ps;
	struct vrs_fail *f;
	bool expected = (e->flags & VRS_F_EXPECT_FAIL) != 0;

	if (vr_vpage_get_stats(&c->pool, &ps))
		memset(&ps, 0, sizeof(ps));
	f = failure(c, e->obj, e, false, ps.largest_free_run * sc->plat.page, -1);
	if (f) {
		/* as played (--region, sizing); a size near SIZE_MAX stays huge */
		f->size = pages <= SIZE_MAX / sc->plat.page ? pages * sc->plat.page : SIZE_MAX;
		f->phys_free = ps.ppages_free;
	}
	if (!expected)
		rec(c, e->obj)->create_unexpected++;
	NOTE(c,
		 "FAILED: no room for %zu page%s + %zu guard (largest free run %zu page%s, %zu "
		 "physical page%s free)%s", pages, vrs_s(pages), sc->plat.guard,
		 ps.largest_free_run, vrs_s(ps.largest_free_run), ps.ppages_free,
		 vrs_s(ps.ppages_free), expected ? " [expected]" : "");
}

/* A new entry of the region table for vr (owner `key`); VRS_NONE if out of memory. */
static uint32_t add_region(struct pctx *c, uint32_t key, struct vr_region *vr)
{
	struct rt_region *g;

	if (c->nrg == c->caprg) {
		size_t cap = c->caprg ? c->caprg * 2 : 16;
		struct rt_region *n = realloc(c->rg, cap * sizeof(*n));

		if (!n) {
			vrs_liberr(c, "out of memory");
			return VRS_NONE;
		}
		c->rg = n;
		c->caprg = cap;
	}
	g = &c->rg[c->nrg];
	memset(g, 0, sizeof(*g));
	g->vr = vr;
	g->key = key;
	g->refs = 1;
	g->live = true;
	g->interim = VRS_NONE;
	return (uint32_t)c->nrg++;
}

static uint32_t new_region(struct pctx *c, uint32_t key, const struct vrs_event *e)
{
	const struct vrs_scenario *sc = c->sc;
	struct vrs_region_rec *q = rec(c, key);
	struct vr_region_config cfg;
	struct vr_region_stats st;
	struct vr_region *vr;
	size_t size = played_size(c, e);
	uint32_t reg;

	q->instances++;
	q->requested = size;
	memset(&cfg, 0, sizeof(cfg));
	cfg.size = size;
	cfg.min_align = e->kind == VRS_EV_REGION && e->align ? e->align : sc->plat.align;
	cfg.flags = ((e->flags & VRS_F_SEAL) ? VR_REGION_SEAL : 0) |
		    ((e->flags & VRS_F_GUARD) ? VR_REGION_GUARD : 0);
	cfg.name = vrs_oname(c, key);
	c->pool_dirty = true;
	vr = vr_region_create(&c->pool, &cfg);
	if (!vr) {
		create_failed(c, e, vrs_pages(size, sc->plat.page));
		return VRS_NONE;
	}
	if (e->flags & VRS_F_EXPECT_FAIL) {
		struct vrs_fail *f = failure(c, key, e, true, 0, -1);

		if (f)
			f->size = size;
		NOTE(c, "ok, but expected to fail: released again");
		vr_region_put(vr);
		return VRS_NONE;
	}
	reg = add_region(c, key, vr);
	if (reg == VRS_NONE) {
		vr_region_put(vr);
		return VRS_NONE;
	}
	q->created++;
	rec_failed(c, e);
	if (!region_stats(c, vr, &st)) {
		q->pages = st.pages;
		check_rec(c, e, page_of(c, (void *)st.base), "first page");
	}
	c->rg[reg].span = vrs_span_open(c, key, st.pages + (sc->plat.guard ? sc->plat.guard :
							    (e->flags & VRS_F_GUARD) ? 1 : 0), st.pages);
	NOTE(c, "ok: region of %zu page%s", q->pages, vrs_s(q->pages));
	refpoint(c, reg);
	observe_st(c, reg, &st);
	return reg;
}

/* `pages NAME N [reserve]`: a run of pages straight from the pool. */
static void new_pages(struct pctx *c, const struct vrs_event *e)
{
	struct vrs_region_rec *q = rec(c, e->obj);
	bool reserve = (e->flags & VRS_F_RESERVE) != 0;
	void *p;

	q->instances++;
	/* bytes, saturated: a count near SIZE_MAX must not wrap to a few pages */
	q->requested = e->size <= SIZE_MAX / c->sc->plat.page ? e->size * c->sc->plat.page
							       : SIZE_MAX;
	c->pool_dirty = true;
	p = reserve ? vr_vpage_reserve(&c->pool, e->size) : vr_vpage_alloc(&c->pool, e->size);
	if (!p) {
		create_failed(c, e, e->size);
		return;
	}
	if (e->flags & VRS_F_EXPECT_FAIL) {
		struct vrs_fail *f = failure(c, e->obj, e, true, 0, -1);

		if (f)
			f->size = q->requested;
		NOTE(c, "ok, but expected to fail: given back");
		if (reserve ? vr_vpage_release(&c->pool, p) : vr_vpage_free(&c->pool, p))
			vrs_liberr(c, "giving back a fresh page run failed");
		return;
	}
	q->created++;
	rec_failed(c, e);
	q->pages = e->size;
	c->ob[e->obj].pages = p;
	c->ob[e->obj].span = vrs_span_open(c, e->obj, e->size + c->sc->plat.guard,
					   reserve ? 0 : e->size);
	check_rec(c, e, page_of(c, p), "first page");
	NOTE(c, "ok: %zu page%s %s", e->size, vrs_s(e->size),
		 reserve ? "reserved" : "mapped");
}

static void free_pages(struct pctx *c, uint32_t obj)
{
	void *p = c->ob[obj].pages;
	bool reserve = c->ob[obj].reserve;
	int rc;

	if (!p)
		return;
	c->pool_dirty = true;
	rc = reserve ? vr_vpage_release(&c->pool, p) : vr_vpage_free(&c->pool, p);
	if (rc)
		vrs_liberr(c, "%s(%s) = %d", reserve ? "vr_vpage_release" : "vr_vpage_free",
			   vrs_oname(c, obj), rc);
	c->ob[obj].pages = NULL;
	vrs_span_close(c, c->ob[obj].span);
	NOTE(c, "ok: pages given back");
}

static void get_ref(struct pctx *c, const struct vrs_event *e, uint32_t reg)
{
	if (reg == VRS_NONE || !c->rg[reg].live)
		return;
	if (vr_region_get(c->rg[reg].vr) != c->rg[reg].vr) {
		vrs_liberr(c, "vr_region_get(%s) failed on a live region",
			   vrs_oname(c, c->rg[reg].key));
		return;
	}
	c->rg[reg].refs++;
	check_rec(c, e, c->rg[reg].refs, "references");
	refpoint(c, reg);
	vrs_observe(c, reg, false);
	NOTE(c, "region %s: %u references",
		 vrs_oname(c, c->rg[reg].key), c->rg[reg].refs);
}

static void unlink_alloc(struct pctx *c, uint32_t id)
{
	struct rt_alloc *a = &c->al[id];
	uint32_t owner = c->sc->allocs[id].owner;

	if (a->prev != VRS_NONE)
		c->al[a->prev].next = a->next;
	else
		c->ob[owner].head = a->next;
	if (a->next != VRS_NONE)
		c->al[a->next].prev = a->prev;
	if (a->interim) {
		if (a->iprev != VRS_NONE)
			c->al[a->iprev].inext = a->inext;
		else
			c->rg[a->reg].interim = a->inext;
		if (a->inext != VRS_NONE)
			c->al[a->inext].iprev = a->iprev;
	}
	a->live = false;
}

static void put_ref(struct pctx *c, const struct vrs_event *e, uint32_t reg)
{
	struct rt_region *g;
	struct vr_region *ret;
	size_t outstanding = 0;

	if (reg == VRS_NONE || !c->rg[reg].live)
		return;
	g = &c->rg[reg];
	if (g->refs == 1) {
		struct vr_region_stats st;

		if (!region_stats(c, g->vr, &st)) {
			outstanding = st.interim_live;
			observe_st(c, reg, &st);
		}
		validate_now(c, reg, st.lifetime_used / (st.min_align ? st.min_align : 1) +
			     st.interim_live + 1);
		c->pool_dirty = true;
	}
	ret = vr_region_put(g->vr);
	g->refs--;
	check_rec(c, e, g->refs, "references");
	refpoint(c, reg);
	if (g->refs) {
		if (ret != g->vr)
			vrs_liberr(c, "vr_region_put(%s) released the region with %u references left",
				   vrs_oname(c, g->key), g->refs);
		vrs_observe(c, reg, false);
		NOTE(c, "region %s: %u reference%s left",
			 vrs_oname(c, g->key), g->refs, vrs_s(g->refs));
		return;
	}
	if (ret)
		vrs_liberr(c, "vr_region_put(%s) did not release the last reference",
			   vrs_oname(c, g->key));
	g->live = false;
	vrs_span_close(c, g->span);
	c->bytes_total -= g->bytes;
	g->bytes = 0;
	/* what a bare region still held goes with it (a trace's last put) */
	while (c->ob[g->key].head != VRS_NONE && c->al[c->ob[g->key].head].reg == reg)
		unlink_alloc(c, c->ob[g->key].head);
	rec(c, g->key)->outstanding_at_release += outstanding;
	NOTE(c, "region %s released", vrs_oname(c, g->key));
}

static void fill_check(struct pctx *c, uint32_t id)
{
	struct rt_alloc *a = &c->al[id];
	const uint8_t *p = a->p;
	size_t i;

	if (!c->validate)
		return;
	for (i = 0; i < a->size; i++) {
		if (p[i] != a->fill) {
			vrs_liberr(c, "%s: byte %zu overwritten (0x%02x, expected 0x%02x): overlapping "
				   "allocations?", c->sc->allocs[id].name, i, p[i], a->fill);
			return;
		}
	}
}

static void free_alloc(struct pctx *c, uint32_t id)
{
	struct rt_alloc *a = &c->al[id];
	struct rt_region *g = &c->rg[a->reg];
	int rc;

	fill_check(c, id);
	rc = vr_region_free(g->vr, a->p);
	if (rc)
		vrs_liberr(c, "vr_region_free(%s, %s) = %d", vrs_oname(c, g->key),
			   c->sc->allocs[id].name, rc);
	else
		rec(c, g->key)->frees++;
	unlink_alloc(c, id);
}

/* Free every live allocation of an object, newest first. */
static void free_owned(struct pctx *c, uint32_t obj)
{
	unsigned n = 0;

	while (c->ob[obj].head != VRS_NONE) {
		uint32_t reg = c->al[c->ob[obj].head].reg;

		free_alloc(c, c->ob[obj].head);
		vrs_observe(c, reg, false);
		n++;
	}
	if (n && c->verbose) {
		size_t l = strlen(c->libmsg);

		snprintf(c->libmsg + l, sizeof(c->libmsg) - l, "        freed %u allocation%s of %s\n",
			 n, vrs_s(n), vrs_oname(c, obj));
	}
}

/* Offset of p (either alias) from the region's base. */
static size_t offset(struct pctx *c, struct vr_region *vr, void *p)
{
	uintptr_t base = 0;

	if (c->port.to_cached)
		p = c->port.to_cached(c->port.ctx, p);
	vr_region_mem_info(vr, NULL, &base);
	return (size_t)((uintptr_t)p - base);
}

/* An allocation the library refused. */
static void alloc_failed(struct pctx *c, const struct vrs_event *e, uint32_t reg,
			 enum vr_region_phase phase, const struct vr_region_stats *st)
{
	const char *exp = (e->flags & VRS_F_EXPECT_FAIL) ? " [expected]" : "";
	size_t room = phase == VR_REGION_INTERIM ? st->interim_largest_free
		    : phase == VR_REGION_LIFETIME ? st->lifetime_size - st->lifetime_used : 0;

	failure(c, c->rg[reg].key, e, false, room, (int)phase);
	if (phase == VR_REGION_INVALID)
		NOTE(c, "FAILED: the region is invalid (its complete "
			 "failed)%s", exp);
	else
		NOTE(c, "FAILED in the %s phase (%s %zu B)%s",
			 vrs_phase_name((int)phase),
			 phase == VR_REGION_INTERIM ? "largest free block" : "bytes left", room, exp);
	observe_st(c, reg, st);
}

/* A pointer the library returned: aligned as asked and inside the region. */
static void check_ptr(struct pctx *c, const struct vrs_event *e, struct rt_region *g, void *p)
{
	const struct vrs_scenario *sc = c->sc;
	size_t eff = e->align > sc->plat.align ? e->align : sc->plat.align;

	if (sc->objs[g->key].kind == VRS_OBJ_REGION && sc->objs[g->key].min_align)
		eff = e->align > sc->objs[g->key].min_align ? e->align : sc->objs[g->key].min_align;
	if ((e->flags & VRS_F_COHERENT) && eff < sc->plat.line)
		eff = sc->plat.line;
	if ((uintptr_t)p % eff)
		vrs_liberr(c, "%s = %p is not %zu-aligned", sc->allocs[e->alloc].name, p, eff);
	if (!vr_region_contains(g->vr, p) || !vr_region_contains(g->vr, (const char *)p + e->size - 1))
		vrs_liberr(c, "%s = %p is not inside region %s", sc->allocs[e->alloc].name, p,
			   vrs_oname(c, g->key));
}

static void *lib_alloc(struct vr_region *vr, const struct vrs_event *e)
{
	if (e->flags & VRS_F_COHERENT)
		return e->align ? vr_region_alloc_coherent_align(vr, e->size, e->align)
				: vr_region_alloc_coherent(vr, e->size);
	return e->align ? vr_region_alloc_align(vr, e->size, e->align) : vr_region_alloc(vr, e->size);
}

/* Allocation e->alloc is live at p: in its owner's list, and its region's
 * interim list when it is interim. */
static void link_alloc(struct pctx *c, const struct vrs_event *e, uint32_t reg, void *p,
		       bool interim)
{
	struct rt_alloc *a = &c->al[e->alloc];

	a->p = p;
	a->size = e->size;
	a->reg = reg;
	a->live = true;
	a->interim = interim;
	a->fill = (uint8_t)((e->alloc * 37u + c->ev) | 1u);
	if (c->validate)
		memset(p, a->fill, e->size);
	a->prev = VRS_NONE;
	a->next = c->ob[e->obj].head;
	if (a->next != VRS_NONE)
		c->al[a->next].prev = e->alloc;
	c->ob[e->obj].head = e->alloc;
	a->iprev = a->inext = VRS_NONE;
	if (interim) {
		a->inext = c->rg[reg].interim;
		if (a->inext != VRS_NONE)
			c->al[a->inext].iprev = e->alloc;
		c->rg[reg].interim = e->alloc;
	}
}

static void do_alloc(struct pctx *c, const struct vrs_event *e)
{
	uint32_t reg = c->ob[e->obj].reg;
	struct vr_region_stats st;
	enum vr_region_phase phase;
	struct rt_region *g;
	void *p;

	if (reg == VRS_NONE || !c->rg[reg].live) {
		c->r->skipped++;
		NOTE(c, "skipped: %s has no region (failed before)",
			 vrs_oname(c, e->obj));
		return;
	}
	g = &c->rg[reg];
	phase = vr_region_phase(g->vr);
	p = lib_alloc(g->vr, e);
	if (!p) {
		region_stats(c, g->vr, &st);
		alloc_failed(c, e, reg, phase, &st);
		return;
	}
	check_ptr(c, e, g, p);
	if (e->flags & VRS_F_EXPECT_FAIL) {
		failure(c, g->key, e, true, 0, (int)phase);
		if (vr_region_free(g->vr, p))
			vrs_liberr(c, "vr_region_free of a fresh allocation failed");
		NOTE(c, "ok, but expected to fail: freed again");
		vrs_observe(c, reg, false);
		return;
	}
	check_rec(c, e, offset(c, g->vr, p), "offset");
	rec_failed(c, e);
	rec(c, g->key)->allocs++;
	link_alloc(c, e, reg, p, phase == VR_REGION_INTERIM);
	if (!stats_due(c, reg))
		return;
	region_stats(c, g->vr, &st);
	if (phase == VR_REGION_INTERIM)
		NOTE(c, "ok at +0x%zx, interim (used %zu of %zu B, largest "
			 "free %zu B)", offset(c, g->vr, p), st.interim_used, st.interim_size,
			 st.interim_largest_free);
	else
		NOTE(c, "ok at +0x%zx, lifetime (used %zu of %zu B)",
			 offset(c, g->vr, p), st.lifetime_used, st.lifetime_size);
	observe_st(c, reg, &st);
}

static void do_free(struct pctx *c, const struct vrs_event *e)
{
	uint32_t reg;
	bool interim;

	if (!c->al[e->alloc].live) {
		c->r->skipped++;
		NOTE(c, "skipped: the allocation had failed");
		return;
	}
	reg = c->al[e->alloc].reg;
	interim = c->al[e->alloc].interim;
	free_alloc(c, e->alloc);
	NOTE(c, interim ? "ok" :
		 "ok (lifetime: counted, the space is not reused)");
	vrs_observe(c, reg, false);
}

static void do_set_interim(struct pctx *c, const struct vrs_event *e)
{
	uint32_t reg = c->ob[e->obj].reg;
	const char *exp = (e->flags & VRS_F_EXPECT_FAIL) ? " [expected]" : "";
	struct vr_region_stats st;
	int rc;

	if (reg == VRS_NONE || !c->rg[reg].live) {
		c->r->skipped++;
		NOTE(c, "skipped: no region (failed before)");
		return;
	}
	vrs_observe(c, reg, true);
	rc = vr_region_set_interim(c->rg[reg].vr);
	region_stats(c, c->rg[reg].vr, &st);
	if (rc) {
		if (rc == -ENOSPC)
			rec(c, e->obj)->invalid++;
		else
			vrs_liberr(c, "vr_region_set_interim(%s) = %d", vrs_oname(c, e->obj), rc);
		failure(c, e->obj, e, false, st.size - st.lifetime_used, VR_REGION_LIFETIME);
		NOTE(c, "FAILED (%d): too little space above %zu B of "
			 "lifetime data; region now invalid%s", rc, st.lifetime_used, exp);
	} else if (e->flags & VRS_F_EXPECT_FAIL) {
		failure(c, e->obj, e, true, 0, VR_REGION_LIFETIME);
		NOTE(c, "ok, but expected to fail");
	} else {
		size_t n = strlen(c->interim_note);

		check_rec(c, e, st.lifetime_size, "interim base offset");
		rec_failed(c, e);
		NOTE(c, "ok: lifetime %zu B, interim heap %zu B",
			 st.lifetime_size, st.interim_size);
		if (c->verbose)
			snprintf(c->interim_note + n, sizeof(c->interim_note) - n, "%s%s %zu B",
				 n ? ", " : "", vrs_oname(c, e->obj), st.interim_size);
	}
	observe_st(c, reg, &st);
	validate_now(c, reg, st.lifetime_used / (st.min_align ? st.min_align : 1) + 1);
}

static void do_interim_reset(struct pctx *c, const struct vrs_event *e)
{
	uint32_t reg = c->ob[e->obj].reg;
	unsigned n = 0;
	int rc;

	if (reg == VRS_NONE || !c->rg[reg].live ||
	    vr_region_phase(c->rg[reg].vr) != VR_REGION_INTERIM) {
		c->r->skipped++;
		NOTE(c, "skipped: region not in the interim phase");
		return;
	}
	vrs_observe(c, reg, true);
	while (c->rg[reg].interim != VRS_NONE) {
		fill_check(c, c->rg[reg].interim);
		unlink_alloc(c, c->rg[reg].interim);
		n++;
	}
	rc = vr_region_interim_reset(c->rg[reg].vr);
	if (rc)
		vrs_liberr(c, "vr_region_interim_reset(%s) = %d", vrs_oname(c, e->obj), rc);
	NOTE(c, "dropped %u interim allocation%s", n, vrs_s(n));
	vrs_observe(c, reg, true);
	validate_now(c, reg, 1);
}

/* A module, a pipeline, a bind or a bare region comes into being. */
static void do_create(struct pctx *c, const struct vrs_event *e)
{
	const struct vrs_scenario *sc = c->sc;
	struct rt_obj *o = &c->ob[e->obj];

	o->alive = !(e->flags & VRS_F_EXPECT_FAIL);
	o->head = VRS_NONE;
	o->reg = VRS_NONE;
	if (e->kind == VRS_EV_PAGES) {
		o->reserve = (e->flags & VRS_F_RESERVE) != 0;
		new_pages(c, e);
	} else if (e->kind == VRS_EV_REGION || (e->kind == VRS_EV_PIPELINE && e->size) ||
		   (e->kind == VRS_EV_MODULE && sc->objs[e->obj].kind == VRS_OBJ_DP)) {
		o->reg = new_region(c, e->obj, e);
	} else if (e->kind == VRS_EV_PIPELINE) {
		NOTE(c, "ok (no region)");
	} else {
		o->alive = true;
		o->reg = e->kind == VRS_EV_MODULE ? c->ob[e->a].reg
			 : e->region_owner == VRS_NONE ? VRS_NONE : c->ob[e->region_owner].reg;
		if (e->flags & VRS_F_HEAP)
			NOTE(c, "ok (system heap: no region)");
		else if (o->reg == VRS_NONE || !c->rg[o->reg].live)
			NOTE(c, e->kind == VRS_EV_MODULE
				 ? "ok (pipeline has no region)" : "ok (no region to reference)");
		get_ref(c, e, o->reg);
	}
}

static void do_end(struct pctx *c, const struct vrs_event *e)
{
	struct rt_obj *o = &c->ob[e->obj];

	if (e->kind == VRS_EV_PUT && o->reg != VRS_NONE && c->rg[o->reg].live &&
	    c->rg[o->reg].refs > 1) {
		put_ref(c, e, o->reg);
		return;
	}
	if (e->kind != VRS_EV_PUT)
		free_owned(c, e->obj);
	NOTE(c, "ok");
	free_pages(c, e->obj);
	put_ref(c, e, o->reg);
	o->alive = false;
	o->reg = VRS_NONE;
}

/* `complete` (after its set-interim events): what the regions got. */
static void do_complete(struct pctx *c)
{
	if (c->interim_note[0])
		NOTE(c, "the lifetime phase ends; interim heap: %s",
			 c->interim_note);
	else
		NOTE(c, "the lifetime phase ends; no interim heap");
	c->interim_note[0] = 0;
}

/* get/put of a bare region that could not be created. */
static bool skip_ref(struct pctx *c, const struct vrs_event *e)
{
	uint32_t reg = c->ob[e->obj].reg;

	if (reg != VRS_NONE && c->rg[reg].live)
		return false;
	c->r->skipped++;
	NOTE(c, "skipped: no region (failed before)");
	return true;
}

/* VRS_PLAY_ONE_REGION: an event inside another region than opts.region (an
 * allocation, a free, a phase change) changes nothing of the pool's, so it
 * cannot change what happens to that region: not played. */
static bool elsewhere(const struct pctx *c, const struct vrs_event *e)
{
	uint32_t reg;

	switch (e->kind) {
	case VRS_EV_ALLOC:
		reg = c->ob[e->obj].reg;
		break;
	case VRS_EV_FREE:
		reg = c->al[e->alloc].live ? c->al[e->alloc].reg : VRS_NONE;
		break;
	case VRS_EV_SET_INTERIM:
	case VRS_EV_INTERIM_RESET:
		return e->obj != c->o->region;
	default:
		return false;
	}
	return reg == VRS_NONE || !c->rg[reg].live || c->rg[reg].key != c->o->region;
}

void vrs_play_event(struct pctx *c, const struct vrs_event *e)
{
	static const char *const notes[] = {
		[VRS_EV_START] = "running", [VRS_EV_STOP] = "paused", [VRS_EV_RESET] = "reset",
	};

	c->note[0] = 0;
	if ((c->o->flags & VRS_PLAY_ONE_REGION) && elsewhere(c, e))
		return;
	if ((e->kind == VRS_EV_GET || e->kind == VRS_EV_PUT) && skip_ref(c, e)) {
		if (c->verbose)
			vrs_log_event(c, e);
		return;
	}
	switch (e->kind) {
	case VRS_EV_PIPELINE:
	case VRS_EV_MODULE:
	case VRS_EV_BIND:
	case VRS_EV_REGION:
	case VRS_EV_PAGES:
		do_create(c, e);
		break;
	case VRS_EV_ALLOC: do_alloc(c, e); break;
	case VRS_EV_FREE: do_free(c, e); break;
	case VRS_EV_SET_INTERIM: do_set_interim(c, e); break;
	case VRS_EV_INTERIM_RESET: do_interim_reset(c, e); break;
	case VRS_EV_GET: get_ref(c, e, c->ob[e->obj].reg); break;
	case VRS_EV_COMPLETE: do_complete(c); break;
	case VRS_EV_UNBIND:
	case VRS_EV_DESTROY:
	case VRS_EV_PUT:
		do_end(c, e);
		break;
	default:
		NOTE(c, "%s", notes[e->kind]);
		break;
	}
	if (c->verbose)
		vrs_log_event(c, e);
}

/* The pool's full walk (O(W)) after an event that changed the pool, spaced
 * as the regions' (vrs_walk_due); `now` forces it. */
static void pool_validate(struct pctx *c, bool now)
{
	int rc;

	if (!now && !vrs_walk_due(&c->pool_vwork, c->sc->plat.virt))
		return;
	c->pool_vwork = 0;
	c->r->work.pool_validates++;
	c->r->work.pool_validate_units += c->sc->plat.virt;
	rc = vr_vpage_validate(&c->pool);
	if (rc)
		vrs_liberr(c, "vr_vpage_validate = %d", rc);
}

/* Make the port and the pool of the scenario's platform. 0 or a negative errno. */
static int setup(struct pctx *c)
{
	const struct vrs_platform *p = &c->sc->plat;
	struct vr_posix_port_config pc;
	struct vr_vpage_config vc;
	int rc;

	memset(&pc, 0, sizeof(pc));
	pc.page_size = p->page;
	pc.phys_pages = p->phys;
	pc.window_pages = p->virt;
	pc.cache_line = p->line;
	/* the library's messages and trace events come to this play (ctx) */
	pc.log_level = VR_LOG_WRN;
	pc.log = lib_log;
	pc.log_ctx = c;
	pc.trace = c->o->trace_out ? trace_hook : NULL;
	pc.trace_ctx = c;
	rc = vr_posix_port_create(&c->port, &pc);
	if (rc)
		return rc;
	memset(&vc, 0, sizeof(vc));
	vc.guard_pages = p->guard;
	rc = vr_vpage_pool_init(&c->pool, &c->port, &vc);
	if (rc) {
		vr_posix_port_destroy(&c->port);
		return rc;
	}
	return 0;
}

/* The per-object, per-allocation and timeline tables. */
static int tables(struct pctx *c)
{
	const struct vrs_scenario *sc = c->sc;
	struct vrs_result *r = c->r;
	size_t i;

	r->reg = calloc(sc->nobjs ? sc->nobjs : 1, sizeof(*r->reg));
	c->ob = calloc(sc->nobjs ? sc->nobjs : 1, sizeof(*c->ob));
	c->al = calloc(sc->nallocs ? sc->nallocs : 1, sizeof(*c->al));
	if (c->record)
		r->samples = calloc(sc->nevs ? sc->nevs : 1, sizeof(*r->samples));
	if (!r->reg || !c->ob || !c->al || (c->record && !r->samples))
		return -ENOMEM;
	for (i = 0; i < sc->nobjs; i++) {
		c->ob[i].reg = VRS_NONE;
		c->ob[i].head = VRS_NONE;
		r->reg[i].is_region = sc->objs[i].owns_region || sc->objs[i].kind == VRS_OBJ_PAGES;
	}
	return 0;
}

/* One play; with stop_at < nevs it stops after that event and takes the
 * snapshot of the window there (the second play of vrs_play). */
static int play_run(const struct vrs_scenario *sc, const struct vrs_play_opts *o,
		    struct vrs_result *r, size_t stop_at)
{
	struct pctx c;
	int rc;

	memset(r, 0, sizeof(*r));
	memset(&c, 0, sizeof(c));
	c.sc = sc;
	c.o = o;
	c.r = r;
	c.log = o->log ? o->log : stderr;
	c.verbose = (o->flags & VRS_PLAY_VERBOSE) != 0;
	c.validate = (o->flags & VRS_PLAY_VALIDATE) != 0;
	c.record = (o->flags & VRS_PLAY_RECORD) != 0;
	c.check_rec = (o->flags & VRS_PLAY_CHECK_REC) != 0;
	c.pool_dirty = true;
	r->min_largest_run = SIZE_MAX;
	rc = tables(&c);
	if (!rc)
		rc = setup(&c);
	if (rc)
		goto out;
	/* until a page is taken, "at the peak" is the empty window */
	r->frag_free_at_peak = r->frag_largest_at_peak = sc->plat.virt;
	for (c.ev = 0; c.ev < sc->nevs; c.ev++) {
		c.line = sc->evs[c.ev].line;
		vrs_play_event(&c, &sc->evs[c.ev]);
		if (c.validate && c.pool_dirty)
			pool_validate(&c, false);
		if (c.record)
			vrs_pool_sample(&c);
		c.pool_dirty = false;
		if (c.ev == stop_at) {
			vrs_snapshot(&c);
			break;
		}
	}
	r->events = stop_at < sc->nevs ? stop_at + 1 : sc->nevs;
	if (c.validate)
		pool_validate(&c, true);
	rc = vrs_finish(&c);
	if (r->min_largest_run == SIZE_MAX)
		r->min_largest_run = 0;
out:
	r->setup_error = rc;
	free(c.ob);
	free(c.al);
	free(c.rg);
	return rc;
}

int vrs_play(const struct vrs_scenario *sc, const struct vrs_play_opts *opts,
	     struct vrs_result *r)
{
	static const struct vrs_play_opts defaults = { 0 };
	const struct vrs_play_opts *o = opts ? opts : &defaults;
	struct vrs_play_opts again;
	struct vrs_result s;
	int rc;

	rc = play_run(sc, o, r, SIZE_MAX);
	if (rc || !(o->flags & VRS_PLAY_RECORD) || !r->vpeak)
		return rc;
	/* the window at the peak: the same play again, up to the peak's event
	 * (plays are deterministic: the same pages, offsets and phases) */
	again = *o;
	again.flags = 0;
	again.trace_out = NULL;
	rc = play_run(sc, &again, &s, r->snap.event);
	if (!rc) {
		r->snap.runs = s.snap.runs;
		r->snap.nruns = s.snap.nruns;
		s.snap.runs = NULL;
	}
	r->work.region_stats += s.work.region_stats;
	r->work.pool_stats += s.work.pool_stats;
	r->work.snapshot_runs += s.work.snapshot_runs;
	r->work.snapshots += s.work.snapshots;
	vrs_result_free(&s);
	return rc;
}

void vrs_result_free(struct vrs_result *r)
{
	if (!r)
		return;
	free(r->reg);
	free(r->samples);
	free(r->snap.runs);
	free(r->spans);
	memset(r, 0, sizeof(*r));
}

bool vrs_result_clean(const struct vrs_result *r)
{
	return !r->setup_error && !r->unexpected && !r->surprises && !r->liberr_total &&
	       !r->diverge_total && r->leak_ok;
}
