/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tools/vrsim/report_svg.c - a hand-written SVG of one play, the answer first:
 *   1. the virtual window at the peak of virtual page use (regions, guard
 *      pages, free pages; the used part enlarged when it is small);
 *   2. one band per region, to a common scale of pages: what was requested,
 *      what it used at its busiest (lifetime part, interim peak, interim
 *      heap), the recommended size marked on it and the fit there ("3 of 24
 *      pages needed"), and every failure of the region with its line and its
 *      reason;
 *   3. pages over time: the virtual pages each region holds, stacked, so one
 *      sees who holds the pages at each moment, the physical pages mapped,
 *      the peaks and the failures where they happen; the x axis counts
 *      events and names the line of each tick's event.
 * Text is measured conservatively (estimated_width: wider than common sans
 * and monospace fonts draw it) and wrapped or cut to stay inside the picture;
 * the tests render it with rsvg-convert in two fonts and check that no ink
 * falls outside. Plain SVG 1.1, no scripts, no external resources.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vregion/vregion.h"

#include "report.h"

#define W 1000
#define MARGIN 20
#define CHART_H 220
#define MAX_SERIES 10		/* regions drawn on their own over time; the rest: others */
#define MAX_COLS 1000		/* columns of the time chart */

static const char *const palette[] = {
	"#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2",
	"#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#6b8e23",
};

struct svg {
	FILE *f;
	const struct vrs_report *rp;
	double left, right;	/* the drawings: after the labels column, to the margin */
	double y;		/* the next free y */
	bool overhead;		/* a band shows bytes of neither part */
};

/* ---- text that fits ---- */

/* Width of s in em, conservatively: 0.62 em per character (DejaVu Sans
 * draws lower case and digits in 0.55-0.64, DejaVu Sans Mono everything in
 * 0.60), 0.95 for the wide M, W, m, w, @, %, 1.0 for any other script. */
static double em_width(const char *s)
{
	double w = 0;

	while (*s) {
		size_t k = vrs_utf8_len(s);

		w += !k || k > 1 ? 1.0 : strchr("MWmw@%", *s) ? 0.95 : 0.62;
		s += k ? k : 1;
	}
	return w;
}

static double estimated_width(const char *s, double size)
{
	return em_width(s) * size;
}

/* XML text: markup escaped; bytes that are not UTF-8 and control characters
 * XML 1.0 forbids (a file name can hold anything) become '?'. */
static void esc(FILE *f, const char *s)
{
	while (*s) {
		unsigned char c = (unsigned char)*s;
		size_t k = vrs_utf8_len(s);

		if (!k || (c < 0x20 && c != '\t') || c == 0x7f) {
			fputc('?', f);
			s++;
			continue;
		}
		switch (c) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		default: fwrite(s, 1, k, f); break;
		}
		s += k;
	}
}

static void text(struct svg *g, double x, double y, const char *anchor, double size,
		 const char *fill, const char *s)
{
	fprintf(g->f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"%g\" text-anchor=\"%s\"%s%s%s>", x,
		y, size, anchor, fill ? " fill=\"" : "", fill ? fill : "", fill ? "\"" : "");
	esc(g->f, s);
	fprintf(g->f, "</text>\n");
}

/* s into buf (n bytes), cut with "..." to at most maxw px. */
static const char *cut(const char *s, double size, double maxw, char *buf, size_t n)
{
	size_t len;

	snprintf(buf, n, "%s", s);
	len = strlen(buf);
	while (len > 0 && estimated_width(buf, size) > maxw) {
		do
			len--;
		while (len && ((unsigned char)buf[len] & 0xc0) == 0x80);	/* whole characters */
		memcpy(buf + len, "...", 4);
	}
	return buf;
}

/* One line of at most maxw px: cut with "..." when it is longer. */
static void fit(struct svg *g, double x, double y, const char *anchor, double size, double maxw,
		const char *fill, const char *s)
{
	char buf[512];

	text(g, x, y, anchor, size, fill, cut(s, size, maxw, buf, sizeof(buf)));
}

/* Lines of at most maxw px, broken at spaces, in a box whose top is y (the
 * first baseline is y + size); a word too long for a line is cut. Returns
 * the height used (1.3 size per line). */
static double wrap(struct svg *g, double x, double y, double size, double maxw, const char *fill,
		   const char *s)
{
	char line[512], cand[512];
	double h = 0;
	const char *p = s;

	while (*p) {
		size_t n = 0;

		line[0] = 0;
		while (*p) {
			size_t wl = strcspn(p, " ");

			int len = snprintf(cand, sizeof(cand), "%s%s%.*s", line, n ? " " : "", (int)wl, p);

			/* a candidate that does not fit the buffer does not fit the line */
			if (n && (len < 0 || (size_t)len >= sizeof(cand) ||
				  estimated_width(cand, size) > maxw))
				break;
			strcpy(line, cand);	/* same size: it fits */
			n++;
			p += wl;
			p += strspn(p, " ");
		}
		fit(g, x, y + h + size, "start", size, maxw, fill, line);
		h += size * 1.3;
	}
	return h;
}

/* ---- shapes ---- */

static void rect(struct svg *g, double x, double y, double w, double h, const char *fill,
		 const char *extra)
{
	if (w <= 0 || h <= 0)
		return;
	fprintf(g->f, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"%s\"%s%s/>\n",
		x, y, w, h, fill, extra ? " " : "", extra ? extra : "");
}

static void line(struct svg *g, double x1, double y1, double x2, double y2, const char *stroke,
		 double width, const char *extra)
{
	fprintf(g->f, "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"%s\" "
		"stroke-width=\"%g\"%s%s/>\n", x1, y1, x2, y2, stroke, width, extra ? " " : "",
		extra ? extra : "");
}

static const char *color_of(const struct vrs_scenario *sc, uint32_t owner)
{
	uint32_t k, n = 0;

	if (owner == VRS_NONE)
		return "#999999";
	if (sc->objs[owner].kind == VRS_OBJ_PAGES)
		return "#8c8c8c";
	for (k = 0; k < owner && k < sc->nobjs; k++)
		if (sc->objs[k].owns_region)
			n++;
	return palette[n % (sizeof(palette) / sizeof(palette[0]))];
}

/* A step for about `n` ticks over `span` units: 1, 2, 5, 10, 20, 50, ... */
static size_t tick_step(size_t span, size_t n)
{
	size_t step = 1;

	while (span / step > n) {
		if (span / (step * 2) <= n)
			return step * 2;
		if (span / (step * 5) <= n)
			return step * 5;
		step *= 10;
	}
	return step;
}

/* ---- 1. the window at the peak ---- */

/* One strip of the window from page 0 to `pages` (exclusive) at y: regions
 * in their colours (named when there is room), guard pages hatched, free
 * pages white, page numbers below. */
static void strip(struct svg *g, size_t pages, const char *label)
{
	const struct vrs_scenario *sc = g->rp->sc;
	const struct vrs_snapshot *s = &g->rp->r->snap;
	const double bw = g->right - g->left, scale = bw / (double)pages, y = g->y;
	size_t i, t, step = tick_step(pages, 12);
	char buf[160];

	fit(g, g->left - 8, y + 16, "end", 11, g->left - 8 - MARGIN, NULL, label);
	rect(g, g->left, y, bw, 24, "#ffffff", "stroke=\"#bbbbbb\" stroke-width=\"0.5\"");
	for (i = 0; i < s->nruns; i++) {
		const struct vrs_snap_run *u = &s->runs[i];
		const char *name = u->owner == VRS_NONE ? "?" : sc->objs[u->owner].name;
		size_t n = u->pages, gd = sc->plat.guard;

		if (u->first >= pages)
			continue;
		n = u->first + n > pages ? pages - u->first : n;
		gd = u->first + n + gd > pages ? pages - u->first - n : gd;
		fprintf(g->f, "<g><title>");
		esc(g->f, name);
		fprintf(g->f, ": pages %zu-%zu, guard %zu</title>\n", u->first,
			u->first + u->pages - 1, sc->plat.guard);
		rect(g, g->left + (double)u->first * scale, y, (double)n * scale, 24,
		     color_of(sc, u->owner), "stroke=\"#333333\" stroke-width=\"0.3\"");
		fprintf(g->f, "</g>\n");
		rect(g, g->left + (double)(u->first + n) * scale, y, (double)gd * scale, 24,
		     "url(#guard)", "stroke=\"#777777\" stroke-width=\"0.3\"");
		if ((double)n * scale > estimated_width(name, 10) + 6)
			text(g, g->left + ((double)u->first + (double)n / 2) * scale, y + 16, "middle",
			     10, NULL, name);
	}
	for (t = 0; t < pages; t += step) {
		double x = g->left + (double)t * scale;

		line(g, x, y + 24, x, y + 28, "#999999", 0.5, NULL);
		snprintf(buf, sizeof(buf), "%zu", t);
		if (pages - t >= step / 2 || t == 0)	/* not over the end's number */
			text(g, x, y + 37, t ? "middle" : "start", 9, NULL, buf);
	}
	snprintf(buf, sizeof(buf), "%zu", pages);
	text(g, g->right, y + 37, "end", 9, NULL, buf);
	g->y += 46;
}

static void window_at_peak(struct svg *g)
{
	const struct vrs_scenario *sc = g->rp->sc;
	const struct vrs_result *r = g->rp->r;
	const struct vrs_snapshot *s = &r->snap;
	size_t i, extent = 0;
	char buf[300];

	snprintf(buf, sizeof(buf), "Virtual window at the peak: %zu of %zu pages taken, %zu "
		 "physical pages mapped (after line %u)", s->vused, sc->plat.virt, s->pmapped,
		 s->line);
	g->y += wrap(g, MARGIN, g->y, 15, W - 2 * MARGIN, NULL, buf);
	if (s->line != r->vpeak_line) {
		snprintf(buf, sizeof(buf), "The peak is first reached after line %u; drawn here is "
			 "the moment at the peak with the most bytes in use.", r->vpeak_line);
		g->y += wrap(g, MARGIN, g->y, 10, W - 2 * MARGIN, NULL, buf);
	}
	g->y += 8;
	for (i = 0; i < s->nruns; i++) {
		size_t end = s->runs[i].first + s->runs[i].pages + sc->plat.guard;

		extent = end > extent ? end : extent;
	}
	extent = extent > sc->plat.virt ? sc->plat.virt : extent;
	strip(g, sc->plat.virt, "window (pages)");
	/* the used part, enlarged, when it is less than half of the window */
	if (extent && extent * 2 <= sc->plat.virt) {
		size_t zend = extent + (extent / 4 > 4 ? extent / 4 : 4);

		zend = zend > sc->plat.virt ? sc->plat.virt : zend;
		snprintf(buf, sizeof(buf), "pages 0-%zu", zend - 1);
		strip(g, zend, buf);
	}
	g->y += 10;
}

/* ---- 2. one band per region ---- */

/* The parts of a region's band: bytes to x, from x0 at `scale` px per byte. */
static void band_parts(struct svg *g, uint32_t k, double x0, double y, double scale)
{
	const struct vrs_scenario *sc = g->rp->sc;
	const struct vrs_region_rec *q = &g->rp->r->reg[k];
	const char *col = color_of(sc, k);
	double total = (double)vrs_pages(q->requested, sc->plat.page) * (double)sc->plat.page;
	double lt = q->interim_size ? (double)q->lifetime_size : total;
	double lu = (double)q->lifetime_used < lt ? (double)q->lifetime_used : lt;
	double is = (double)q->interim_size, ip = (double)q->interim_peak;

	if (sc->objs[k].kind == VRS_OBJ_PAGES) {
		rect(g, x0, y, total * scale, 18, col, NULL);
		return;
	}
	rect(g, x0, y, lu * scale, 18, col, NULL);
	rect(g, x0 + lu * scale, y, (lt - lu) * scale, 18, col, "fill-opacity=\"0.3\"");
	if (!is)
		return;
	x0 += lt * scale;
	rect(g, x0, y, ip * scale, 18, col, NULL);
	rect(g, x0, y, ip * scale, 18, "url(#stripes)", NULL);
	rect(g, x0 + ip * scale, y, (is - ip) * scale, 18, "#ffffff", NULL);
	if (total > lt + is) {
		rect(g, x0 + is * scale, y, (total - lt - is) * scale, 18, "#555555", NULL);
		g->overhead = true;
	}
	line(g, x0, y - 3, x0, y + 21, "#000000", 1.5, NULL);	/* end of the lifetime part */
}

/* "; port metadata 1616 B (1232 B at 3 pages)" after the verdict in buf. */
static void band_meta(const struct vrs_report *rp, uint32_t k, char *buf, size_t n)
{
	size_t m = vrs_region_meta(rp->sc, k, rp->r->reg[k].requested);
	size_t rm = vrs_recommended_meta(rp, k), len = strlen(buf);

	if (!m || len >= n)
		return;
	if (rm)
		snprintf(buf + len, n - len, "; port metadata %zu B (%zu B at %zu page%s)", m, rm,
			 rp->sz->reg[k].pages, vrs_s(rp->sz->reg[k].pages));
	else
		snprintf(buf + len, n - len, "; port metadata %zu B", m);
}

/* "needed: 3 of 24 pages" and how the busiest moment fits in them. */
static void band_verdict(const struct vrs_report *rp, uint32_t k, char *buf, size_t n)
{
	const struct vrs_region_rec *q = &rp->r->reg[k];
	const struct vrs_size_rec *s = rp->sz ? &rp->sz->reg[k] : NULL;
	size_t req = vrs_pages(q->requested, rp->sc->plat.page);

	if (rp->sc->objs[k].kind == VRS_OBJ_PAGES)
		snprintf(buf, n, "page run: %zu page%s taken straight from the pool", req, vrs_s(req));
	else if (!s)
		snprintf(buf, n, "%zu page%s requested; not sized (--no-size); at its busiest "
			 "%zu B lifetime + %zu B interim peak", req, vrs_s(req), q->lifetime_used,
			 q->interim_peak);
	else if (!q->allocs && !q->nfails && s->status == VRS_SIZE_OK)
		snprintf(buf, n, "nothing was allocated in it: %zu of %zu page%s needed (the "
			 "minimum)", s->pages, req, vrs_s(req));
	else if (s->status == VRS_SIZE_OK || s->status == VRS_SIZE_NONMONOTONIC)
		snprintf(buf, n, "%zu of %zu page%s needed%s: at %zu B, its busiest moment "
			 "(%zu B lifetime + %zu B interim peak) fits", s->pages, req, vrs_s(req),
			 s->status == VRS_SIZE_NONMONOTONIC ? " (not monotonic: see the summary)" : "",
			 s->bytes, q->lifetime_used, q->interim_peak);
	else if (s->status == VRS_SIZE_NONE)
		snprintf(buf, n, "no size fits (%zu page%s requested): see the failures and the "
			 "summary", req, vrs_s(req));
	else
		snprintf(buf, n, "%zu page%s requested; not sized (its creation is expected to "
			 "fail)", req, vrs_s(req));
	band_meta(rp, k, buf, n);
}

/* Where the region's failures happen, with their lines and reasons. */
static void band_failures(struct svg *g, uint32_t k, double x, double maxw)
{
	const struct vrs_region_rec *q = &g->rp->r->reg[k];
	size_t all = q->unexpected + q->expected + q->surprises;
	char buf[300], desc[256];
	unsigned i;

	for (i = 0; i < q->nfails; i++) {
		const struct vrs_fail *f = &q->fails[i];

		vrs_fail_short(g->rp->sc, f, desc, sizeof(desc));
		snprintf(buf, sizeof(buf), "%s %s", f->surprise ? "SURPRISE:" : f->expected
			 ? "failed as expected:" : "FAILED:", desc);
		g->y += wrap(g, x, g->y, 10, maxw, f->expected ? "#666666" : "#c00000", buf);
	}
	if (all > q->nfails) {
		snprintf(buf, sizeof(buf), "... %zu failure%s in all (the summary counts them)", all,
			 vrs_s(all));
		g->y += wrap(g, x, g->y, 10, maxw, "#c00000", buf);
	}
}

static void band(struct svg *g, uint32_t k, double scale)
{
	const struct vrs_report *rp = g->rp;
	const struct vrs_scenario *sc = rp->sc;
	const struct vrs_region_rec *q = &rp->r->reg[k];
	const struct vrs_size_rec *s = rp->sz ? &rp->sz->reg[k] : NULL;
	size_t req = vrs_pages(q->requested, sc->plat.page);
	double y = g->y, pw = scale * (double)sc->plat.page;
	char buf[400], name[VRS_NAME_MAX + 4];

	/* "NAME (N pages)": the name cut when it is long, the pages kept */
	snprintf(buf, sizeof(buf), " (%zu page%s)", req, vrs_s(req));
	cut(sc->objs[k].name, 11, g->left - 8 - MARGIN - estimated_width(buf, 11), name,
	    sizeof(name));
	snprintf(buf, sizeof(buf), "%s (%zu page%s)", name, req, vrs_s(req));
	text(g, g->left - 8, y + 13, "end", 11, NULL, buf);
	band_parts(g, k, g->left, y, scale);
	rect(g, g->left + (double)req * pw, y, (double)sc->plat.guard * pw, 18, "url(#guard)",
	     "stroke=\"#777777\" stroke-width=\"0.3\"");
	rect(g, g->left, y, (double)req * pw, 18, "none", q->unexpected
	     ? "stroke=\"#c00000\" stroke-width=\"1.5\"" : "stroke=\"#333333\" stroke-width=\"0.6\"");
	if (s && (s->status == VRS_SIZE_OK || s->status == VRS_SIZE_NONMONOTONIC)) {
		/* the recommended size: a mark on the band, and the busiest moment in it */
		double xr = g->left + (double)s->pages * pw;
		double used = (double)(q->lifetime_used + q->interim_peak) * scale;

		line(g, xr, y - 4, xr, y + 26, "#2e7d32", 2, "stroke-dasharray=\"3,2\"");
		rect(g, g->left, y + 21, (double)s->pages * pw, 5, "#c8e6c9", NULL);
		rect(g, g->left, y + 21, used < (double)s->pages * pw ? used : (double)s->pages * pw,
		     5, "#2e7d32", NULL);
	}
	g->y += 29;
	band_verdict(rp, k, buf, sizeof(buf));
	g->y += wrap(g, g->left, g->y, 10, g->right - g->left, NULL, buf);
	band_failures(g, k, g->left, g->right - g->left);
	g->y += 12;
}

static void band_legend(struct svg *g)
{
	static const struct {
		const char *label, *fill, *extra;
	} item[] = {
		{ "lifetime used", "#4e79a7", NULL },
		{ "lifetime unused", "#4e79a7", "fill-opacity=\"0.3\"" },
		{ "interim peak", "url(#stripes)", NULL },
		{ "interim free", "#ffffff", "stroke=\"#000000\" stroke-width=\"0.3\"" },
		{ "guard pages", "url(#guard)", NULL },
		{ "recommended size (green mark; below: the fit)", "#2e7d32", NULL },
		{ "neither part", "#555555", NULL },
	};
	double x = g->left, w;
	size_t i, n = sizeof(item) / sizeof(item[0]) - (g->overhead ? 0 : 1);

	for (i = 0; i < n; i++) {
		w = 18 + estimated_width(item[i].label, 10) + 14;
		if (x + w > g->right) {
			x = g->left;
			g->y += 16;
		}
		if (!strcmp(item[i].label, "interim peak"))
			rect(g, x, g->y, 14, 10, "#4e79a7", NULL);
		rect(g, x, g->y, 14, 10, item[i].fill, item[i].extra);
		text(g, x + 18, g->y + 9, "start", 10, NULL, item[i].label);
		x += w;
	}
	g->y += 26;
}

static void regions(struct svg *g)
{
	const struct vrs_scenario *sc = g->rp->sc;
	const struct vrs_result *r = g->rp->r;
	size_t maxp = 1;
	uint32_t k;

	g->y += wrap(g, MARGIN, g->y, 15, W - 2 * MARGIN, NULL,
		     "Regions: requested, used at their busiest, and the size they need");
	g->y += 12;
	for (k = 0; k < sc->nobjs; k++) {
		size_t p = vrs_pages(r->reg[k].requested, sc->plat.page) + sc->plat.guard;

		if (g->rp->sz && g->rp->sz->reg[k].pages > p)
			p = g->rp->sz->reg[k].pages;	/* a region that needs more */
		if (r->reg[k].is_region && p > maxp)
			maxp = p;
	}
	for (k = 0; k < sc->nobjs; k++)
		if (r->reg[k].is_region && r->reg[k].instances)
			band(g, k, (g->right - g->left) / ((double)maxp * (double)sc->plat.page));
	band_legend(g);
}

/* ---- 3. pages over time ---- */

struct chart {
	size_t n, cols;			/* events, columns */
	size_t *rep;			/* per column: the event drawn (the most pages taken) */
	uint32_t key[MAX_SERIES];	/* regions drawn on their own, in creation order */
	size_t nkeys;			/* ... and one more series: every other region */
	size_t *val;			/* cols x (nkeys + 1) virtual pages */
	size_t top;			/* the y scale's top */
	double x0, y0, w, h;
};

static double chart_x(const struct chart *ch, size_t col)
{
	return ch->x0 + ch->w * (double)col / (double)ch->cols;
}

static double chart_y(const struct chart *ch, size_t v)
{
	return ch->y0 + ch->h - ch->h * (double)v / (double)ch->top;
}

static size_t col_of(const struct chart *ch, size_t ev)
{
	return ev * ch->cols / ch->n;
}

/* The MAX_SERIES regions holding the most page-events, in creation order. */
static void pick_series(const struct vrs_report *rp, struct chart *ch)
{
	const struct vrs_result *r = rp->r;
	double *area = calloc(rp->sc->nobjs + 1, sizeof(*area));
	uint32_t k, best;
	size_t i;

	ch->nkeys = 0;
	if (!area)
		return;
	for (i = 0; i < r->nspans; i++)
		area[r->spans[i].owner] += (double)r->spans[i].vpages *
					   (double)(r->spans[i].to - r->spans[i].from + 1);
	while (ch->nkeys < MAX_SERIES) {
		for (best = VRS_NONE, k = 0; k < rp->sc->nobjs; k++)
			if (area[k] > 0 && (best == VRS_NONE || area[k] > area[best]))
				best = k;
		if (best == VRS_NONE)
			break;
		ch->key[ch->nkeys++] = best;
		area[best] = 0;
	}
	free(area);
	for (i = 1; i < ch->nkeys; i++)	/* creation order: insertion sort of <= 10 */
		for (k = (uint32_t)i; k > 0 && ch->key[k - 1] > ch->key[k]; k--) {
			best = ch->key[k];
			ch->key[k] = ch->key[k - 1];
			ch->key[k - 1] = best;
		}
}

static size_t series_of(const struct chart *ch, uint32_t owner)
{
	size_t i;

	for (i = 0; i < ch->nkeys; i++)
		if (ch->key[i] == owner)
			return i;
	return ch->nkeys;
}

static int by_end(const void *a, const void *b, void *arg)
{
	const struct vrs_span *sp = arg;
	size_t x = sp[*(const size_t *)a].to, y = sp[*(const size_t *)b].to;

	return x < y ? -1 : x > y;
}

/* Who holds the pages at each column's event: one sweep over the events. */
static int sweep(const struct vrs_report *rp, struct chart *ch)
{
	const struct vrs_result *r = rp->r;
	size_t *ends = malloc((r->nspans + 1) * sizeof(*ends)), cur[MAX_SERIES + 1] = { 0 };
	size_t ev, c = 0, i = 0, j = 0, s, ns = ch->nkeys + 1;

	if (!ends)
		return -1;
	for (s = 0; s < r->nspans; s++)
		ends[s] = s;
	qsort_r(ends, r->nspans, sizeof(*ends), by_end, r->spans);
	for (ev = 0; ev < ch->n && c < ch->cols; ev++) {
		for (; i < r->nspans && r->spans[i].from == ev; i++)
			cur[series_of(ch, r->spans[i].owner)] += r->spans[i].vpages;
		for (; j < r->nspans && r->spans[ends[j]].to <= ev; j++)
			if (r->spans[ends[j]].to < ch->n)
				cur[series_of(ch, r->spans[ends[j]].owner)] -= r->spans[ends[j]].vpages;
		for (; c < ch->cols && ch->rep[c] == ev; c++)
			memcpy(&ch->val[c * ns], cur, ns * sizeof(*cur));
	}
	free(ends);
	return 0;
}

static size_t nice_max(size_t v)
{
	size_t step = 1;

	while (step * 10 < v)
		step *= 10;
	return (v + step - 1) / step * step + (v % step == 0 ? step : 0);
}

static int chart_setup(struct svg *g, struct chart *ch)
{
	const struct vrs_result *r = g->rp->r;
	size_t c, ev;

	memset(ch, 0, sizeof(*ch));
	ch->n = r->events;
	ch->cols = ch->n < MAX_COLS ? ch->n : MAX_COLS;
	ch->rep = calloc(ch->cols, sizeof(*ch->rep));
	pick_series(g->rp, ch);
	ch->val = calloc(ch->cols * (ch->nkeys + 1), sizeof(*ch->val));
	if (!ch->rep || !ch->val)
		return -1;
	for (c = 0; c < ch->cols; c++) {
		size_t a = c * ch->n / ch->cols, b = (c + 1) * ch->n / ch->cols;

		for (ch->rep[c] = a, ev = a; ev < b; ev++)
			if (r->samples[ev].vused > r->samples[ch->rep[c]].vused)
				ch->rep[c] = ev;
	}
	ch->top = nice_max(r->vpeak > r->ppeak ? r->vpeak : r->ppeak);
	ch->top = ch->top ? ch->top : 1;
	ch->x0 = g->left;
	ch->w = g->right - g->left;
	ch->h = CHART_H;
	return sweep(g->rp, ch);
}

/* The stacked areas, bottom up: each region's virtual pages at each column. */
static void stack(struct svg *g, const struct chart *ch)
{
	size_t s, c, ns = ch->nkeys + 1;

	for (s = 0; s < ns; s++) {
		const char *col = s < ch->nkeys ? color_of(g->rp->sc, ch->key[s]) : "#bbbbbb";

		fprintf(g->f, "<polygon fill=\"%s\" fill-opacity=\"0.75\" stroke=\"none\" points=\"",
			col);
		for (c = 0; c < ch->cols; c++) {
			size_t base = 0, i;

			for (i = 0; i <= s; i++)
				base += ch->val[c * ns + i];
			fprintf(g->f, "%.1f,%.1f %.1f,%.1f ", chart_x(ch, c), chart_y(ch, base),
				chart_x(ch, c + 1), chart_y(ch, base));
		}
		for (c = ch->cols; c-- > 0;) {
			size_t base = 0, i;

			for (i = 0; i < s; i++)
				base += ch->val[c * ns + i];
			fprintf(g->f, "%.1f,%.1f %.1f,%.1f ", chart_x(ch, c + 1), chart_y(ch, base),
				chart_x(ch, c), chart_y(ch, base));
		}
		fprintf(g->f, "\"/>\n");
	}
}

/* Totals over time: virtual pages taken (the top of the stack) and physical pages. */
static void totals(struct svg *g, const struct chart *ch)
{
	const struct vrs_result *r = g->rp->r;
	int series;
	size_t c;

	for (series = 0; series < 2; series++) {
		fprintf(g->f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.2\"%s points=\"",
			series ? "#000000" : "#333333", series ? " stroke-dasharray=\"4,2\"" : "");
		for (c = 0; c < ch->cols; c++) {
			const struct vrs_sample *sm = &r->samples[ch->rep[c]];
			size_t v = series ? sm->pmapped : sm->vused;

			fprintf(g->f, "%.1f,%.1f %.1f,%.1f ", chart_x(ch, c), chart_y(ch, v),
				chart_x(ch, c + 1), chart_y(ch, v));
		}
		fprintf(g->f, "\"/>\n");
	}
}

static void peaks(struct svg *g, const struct chart *ch)
{
	const struct vrs_result *r = g->rp->r;
	int series;
	char buf[64];

	for (series = 0; series < 2; series++) {
		size_t peak = series ? r->ppeak : r->vpeak, at = 0, i;
		double x, y;

		for (i = 0; i < ch->n; i++)
			if ((series ? r->samples[i].pmapped : r->samples[i].vused) == peak)
				break;
		at = i < ch->n ? i : 0;
		x = (chart_x(ch, col_of(ch, at)) + chart_x(ch, col_of(ch, at) + 1)) / 2;
		y = chart_y(ch, peak);
		fprintf(g->f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>\n", x, y,
			series ? "#000000" : "#333333");
		snprintf(buf, sizeof(buf), "%s peak %zu", series ? "physical" : "virtual", peak);
		if (x + 5 + estimated_width(buf, 10) > g->right)
			text(g, x - 5, series ? y + 14 : y - 5, "end", 10, NULL, buf);
		else
			text(g, x + 5, series ? y + 14 : y - 5, "start", 10, NULL, buf);
	}
}

/* Every failure kept, where it happens: a mark across the chart, and the
 * line above it (those too close to the last label share its mark). */
static void failure_marks(struct svg *g, const struct chart *ch)
{
	const struct vrs_scenario *sc = g->rp->sc;
	const struct vrs_result *r = g->rp->r;
	double last = -1e9;
	uint32_t k;
	unsigned i, labels = 0;
	char buf[32];

	for (k = 0; k < sc->nobjs; k++) {
		for (i = 0; i < r->reg[k].nfails; i++) {
			const struct vrs_fail *f = &r->reg[k].fails[i];
			const char *col = f->expected ? "#888888" : "#c00000";
			double x = (chart_x(ch, col_of(ch, f->event)) +
				    chart_x(ch, col_of(ch, f->event) + 1)) / 2;

			line(g, x, ch->y0, x, ch->y0 + ch->h, col, 1, "stroke-dasharray=\"2,2\"");
			snprintf(buf, sizeof(buf), "line %u", f->line);
			if (x - last < estimated_width(buf, 9) + 4 || labels == 24)
				continue;
			text(g, x, ch->y0 - 3, x - estimated_width(buf, 9) / 2 < g->left ? "start" :
			     x + estimated_width(buf, 9) / 2 > g->right ? "end" : "middle", 9, col, buf);
			last = x;
			labels++;
		}
	}
}

/* Grid, y labels, and an x axis that counts events and names their lines. */
static void axes(struct svg *g, const struct chart *ch)
{
	const struct vrs_scenario *sc = g->rp->sc;
	size_t t, step = tick_step(ch->top, 6);
	char buf[200];

	for (t = 0; t <= ch->top; t += step) {
		double y = chart_y(ch, t);

		line(g, ch->x0, y, ch->x0 + ch->w, y, "#dddddd", 0.5, NULL);
		snprintf(buf, sizeof(buf), "%zu", t);
		text(g, ch->x0 - 6, y + 4, "end", 10, NULL, buf);
	}
	text(g, ch->x0 - 6, ch->y0 - 14, "end", 10, NULL, "pages");
	for (t = 0; t <= 5 && ch->n; t++) {
		size_t ev = (ch->n - 1) * t / 5;
		double x = (chart_x(ch, col_of(ch, ev)) + chart_x(ch, col_of(ch, ev) + 1)) / 2;
		const char *anchor = t == 0 ? "start" : t == 5 ? "end" : "middle";

		line(g, x, ch->y0 + ch->h, x, ch->y0 + ch->h + 4, "#999999", 0.5, NULL);
		snprintf(buf, sizeof(buf), "event %zu", ev + 1);
		text(g, t == 0 ? ch->x0 : t == 5 ? ch->x0 + ch->w : x, ch->y0 + ch->h + 14, anchor, 9,
		     NULL, buf);
		snprintf(buf, sizeof(buf), "line %u", sc->evs[ev].line);
		text(g, t == 0 ? ch->x0 : t == 5 ? ch->x0 + ch->w : x, ch->y0 + ch->h + 25, anchor, 9,
		     "#555555", buf);
	}
	snprintf(buf, sizeof(buf), "events, in the order played (%zu in all); under each tick, "
		 "the %s line of its event", ch->n, g->rp->trace ? "trace" : "scenario");
	g->y = ch->y0 + ch->h + 29;
	g->y += wrap(g, ch->x0, g->y, 10, ch->w, NULL, buf);
}

static void chart_legend(struct svg *g, const struct chart *ch)
{
	const struct vrs_scenario *sc = g->rp->sc;
	double x = ch->x0, w;
	size_t i;
	char buf[96];

	for (i = 0; i <= ch->nkeys + 1; i++) {
		const char *label = i < ch->nkeys ? sc->objs[ch->key[i]].name
				    : i == ch->nkeys ? "every other region" : NULL;

		if (i == ch->nkeys && ch->nkeys < MAX_SERIES)
			continue;	/* no others */
		if (!label)
			break;
		snprintf(buf, sizeof(buf), "%s", label);
		w = 18 + (estimated_width(buf, 10) < 200 ? estimated_width(buf, 10) : 200) + 14;
		if (x + w > g->right) {
			x = ch->x0;
			g->y += 16;
		}
		rect(g, x, g->y, 14, 10, i < ch->nkeys ? color_of(sc, ch->key[i]) : "#bbbbbb",
		     "fill-opacity=\"0.75\"");
		fit(g, x + 18, g->y + 9, "start", 10, 200, NULL, buf);
		x += w;
	}
	g->y += 24;
	line(g, ch->x0, g->y - 4, ch->x0 + 14, g->y - 4, "#333333", 1.2, NULL);
	text(g, ch->x0 + 18, g->y, "start", 10, NULL, "virtual pages taken (guard pages included)");
	line(g, ch->x0 + 300, g->y - 4, ch->x0 + 314, g->y - 4, "#000000", 1.2,
	     "stroke-dasharray=\"4,2\"");
	text(g, ch->x0 + 318, g->y, "start", 10, NULL, "physical pages mapped");
	line(g, ch->x0 + 470, g->y - 9, ch->x0 + 470, g->y + 1, "#c00000", 1, NULL);
	text(g, ch->x0 + 476, g->y, "start", 10, NULL, "a failure, at its line");
	g->y += 16;
}

static void timeline(struct svg *g)
{
	struct chart ch;

	g->y += wrap(g, MARGIN, g->y, 15, W - 2 * MARGIN, NULL,
		     "Pages over time: who holds them after each event");
	if (!g->rp->r->events || !g->rp->r->samples || chart_setup(g, &ch)) {
		g->y += 10;
		return;
	}
	ch.y0 = g->y + 22;
	rect(g, ch.x0, ch.y0, ch.w, ch.h, "#fafafa", "stroke=\"#999999\" stroke-width=\"0.5\"");
	stack(g, &ch);
	axes(g, &ch);
	totals(g, &ch);
	peaks(g, &ch);
	failure_marks(g, &ch);
	g->y += 8;
	chart_legend(g, &ch);
	free(ch.rep);
	free(ch.val);
}

/* The labels column: as wide as the longest band label needs (within bounds). */
static double labels_width(const struct vrs_report *rp)
{
	double w = estimated_width("window (pages)", 11);
	char buf[128];
	uint32_t k;

	for (k = 0; k < rp->sc->nobjs; k++) {
		size_t p = vrs_pages(rp->r->reg[k].requested, rp->sc->plat.page);

		if (!rp->r->reg[k].is_region)
			continue;
		snprintf(buf, sizeof(buf), "%s (%zu pages)", rp->sc->objs[k].name, p);
		if (estimated_width(buf, 11) > w)
			w = estimated_width(buf, 11);
	}
	return w < 110 ? 110 : w > 260 ? 260 : w;
}

static void head(struct svg *g)
{
	const struct vrs_report *rp = g->rp;
	const struct vrs_scenario *sc = rp->sc;
	char buf[400];

	snprintf(buf, sizeof(buf), "vrsim: %s%s%s", rp->label, sc->title[0] ? " - " : "", sc->title);
	g->y = 10;
	g->y += wrap(g, MARGIN, g->y, 17, W - 2 * MARGIN, NULL, buf);
	snprintf(buf, sizeof(buf), "page %zu B, window %zu pages, %zu physical pages, %zu guard "
		 "page%s per region; %zu events; %s", sc->plat.page, sc->plat.virt, sc->plat.phys,
		 sc->plat.guard, vrs_s(sc->plat.guard), rp->r->events, rp->exit_status
		 ? "it did NOT play as written (see the failures)" : "it played as written");
	g->y += wrap(g, MARGIN, g->y, 11, W - 2 * MARGIN, rp->exit_status ? "#c00000" : NULL, buf);
	g->y += 14;
}

int vrs_report_svg(FILE *out, const struct vrs_report *rp)
{
	struct svg g;
	char *body = NULL;
	size_t len = 0;

	/* the body first, so that the height is known for the header */
	memset(&g, 0, sizeof(g));
	g.rp = rp;
	g.f = open_memstream(&body, &len);
	if (!g.f)
		return -1;
	g.left = MARGIN + labels_width(rp) + 8;
	g.right = W - MARGIN;
	head(&g);
	window_at_peak(&g);
	regions(&g);
	timeline(&g);
	if (fclose(g.f)) {
		free(body);
		return -1;
	}
	g.y += 10;
	fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	fprintf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"%d\" "
		"height=\"%.0f\" viewBox=\"0 0 %d %.0f\" font-family=\"sans-serif\">\n", W, g.y, W,
		g.y);
	fprintf(out, "<defs><pattern id=\"guard\" width=\"4\" height=\"4\" "
		"patternUnits=\"userSpaceOnUse\"><rect width=\"4\" height=\"4\" fill=\"#dddddd\"/>"
		"<path d=\"M0,4 L4,0\" stroke=\"#777777\" stroke-width=\"0.8\"/></pattern>\n"
		"<pattern id=\"stripes\" width=\"5\" height=\"5\" patternUnits=\"userSpaceOnUse\" "
		"patternTransform=\"rotate(45)\"><rect width=\"2\" height=\"5\" fill=\"#ffffff\" "
		"fill-opacity=\"0.6\"/></pattern></defs>\n");
	fprintf(out, "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%.0f\" fill=\"#ffffff\"/>\n", W, g.y);
	fwrite(body, 1, len, out);
	free(body);
	fprintf(out, "</svg>\n");
	return ferror(out) ? -1 : 0;
}
