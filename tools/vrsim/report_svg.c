/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tools/vrsim/report_svg.c - a hand-written SVG of one play:
 *   1. the virtual window at the peak of virtual page use: one strip for the
 *      whole window (regions, guard pages, free pages), then one band per
 *      region drawn to a common scale (lifetime part used/unused, interim
 *      heap used/free, heap overhead, guard pages);
 *   2. page use over time: virtual pages taken (guards included) and
 *      physical pages mapped after every event, with the peaks marked.
 * Plain SVG 1.1, no scripts, no external resources; well-formed XML (tests
 * parse it).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vregion/vregion.h"

#include "report.h"

#define W 1000
#define LEFT 160
#define RIGHT 30

static const char *const palette[] = {
	"#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2",
	"#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#6b8e23",
};

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

static const char *color_of(const struct vrs_scenario *sc, uint32_t owner)
{
	uint32_t k, n = 0;

	if (owner == VRS_NONE)
		return "#999999";
	for (k = 0; k < owner && k < sc->nobjs; k++)
		if (sc->objs[k].owns_region)
			n++;
	return palette[n % (sizeof(palette) / sizeof(palette[0]))];
}

static void rect(FILE *f, double x, double y, double w, double h, const char *fill,
		 const char *extra)
{
	if (w <= 0)
		return;
	fprintf(f, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"%s\"%s%s/>\n",
		x, y, w, h, fill, extra ? " " : "", extra ? extra : "");
}

static void text(FILE *f, double x, double y, const char *anchor, int size, const char *s)
{
	fprintf(f, "<text x=\"%.2f\" y=\"%.2f\" font-size=\"%d\" text-anchor=\"%s\">", x, y, size,
		anchor);
	esc(f, s);
	fprintf(f, "</text>\n");
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

/*
 * One strip of the window from page 0 to `pages` (exclusive), `w` wide at y:
 * regions in their colours (named when there is room), guard pages hatched,
 * free pages white, page numbers below. Returns the next free y.
 */
static double strip(FILE *f, const struct vrs_report *rp, double y, size_t pages,
		    const char *label)
{
	const struct vrs_scenario *sc = rp->sc;
	const struct vrs_snapshot *s = &rp->r->snap;
	const double bw = W - LEFT - RIGHT, scale = bw / (double)pages;
	size_t i, t, step = tick_step(pages, 16);
	char buf[160];

	text(f, LEFT - 8, y + 16, "end", 11, label);
	rect(f, LEFT, y, bw, 24, "#ffffff", "stroke=\"#bbbbbb\" stroke-width=\"0.5\"");
	for (i = 0; i < s->nruns; i++) {
		const struct vrs_snap_run *u = &s->runs[i];
		const char *name = u->owner == VRS_NONE ? "?" : sc->objs[u->owner].name;
		size_t g = sc->plat.guard, n = u->pages;

		if (u->first >= pages)
			continue;
		if (u->first + n > pages)
			n = pages - u->first;
		if (u->first + n + g > pages)
			g = pages - u->first - n;
		fprintf(f, "<g><title>");
		esc(f, name);
		fprintf(f, ": pages %zu-%zu, guard %zu</title>\n", u->first, u->first + u->pages - 1,
			sc->plat.guard);
		rect(f, LEFT + (double)u->first * scale, y, (double)n * scale, 24,
		     color_of(sc, u->owner), "stroke=\"#333333\" stroke-width=\"0.3\"");
		fprintf(f, "</g>\n");
		rect(f, LEFT + (double)(u->first + n) * scale, y, (double)g * scale, 24, "url(#guard)",
		     "stroke=\"#777777\" stroke-width=\"0.3\"");
		/* the name inside the run when it fits (about 6 px per character) */
		if ((double)n * scale > 6.0 * (double)strlen(name) + 6)
			text(f, LEFT + ((double)u->first + (double)n / 2) * scale, y + 16, "middle", 10,
			     name);
	}
	for (t = 0; t < pages; t += step) {
		double x = LEFT + (double)t * scale;

		fprintf(f, "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"#999999\" "
			"stroke-width=\"0.5\"/>\n", x, y + 24, x, y + 28);
		if (pages - t >= step || t == 0) {	/* not over the end's number */
			snprintf(buf, sizeof(buf), "%zu", t);
			text(f, x, y + 37, "middle", 9, buf);
		}
	}
	snprintf(buf, sizeof(buf), "%zu", pages);
	text(f, LEFT + bw, y + 37, "middle", 9, buf);
	return y + 48;
}

/* The window strip(s) and the per-region bands. Returns the next free y. */
static double window_map(FILE *f, const struct vrs_report *rp, double y, bool *overhead)
{
	const struct vrs_scenario *sc = rp->sc;
	const struct vrs_result *r = rp->r;
	const struct vrs_snapshot *s = &r->snap;
	const size_t page = sc->plat.page, guard = sc->plat.guard;
	const double bw = W - LEFT - RIGHT;
	double bscale;
	size_t i, maxb = 1, extent = 0;
	char buf[256];

	snprintf(buf, sizeof(buf), "Virtual window at the peak: %zu of %zu pages taken, %zu "
		 "physical pages mapped (after line %u)", s->vused, sc->plat.virt, s->pmapped,
		 s->line);
	text(f, 20, y, "start", 15, buf);
	if (s->line != r->vpeak_line) {
		snprintf(buf, sizeof(buf), "The peak is first reached after line %u; drawn here is "
			 "the moment at the peak with the most bytes in use.", r->vpeak_line);
		text(f, 20, y + 15, "start", 10, buf);
		y += 12;
	}
	y += 14;
	for (i = 0; i < s->nruns; i++) {
		size_t end = s->runs[i].first + s->runs[i].pages + guard;

		if (end > extent)
			extent = end;
		if (s->runs[i].pages + guard > maxb)
			maxb = s->runs[i].pages + guard;
	}
	if (extent > sc->plat.virt)
		extent = sc->plat.virt;
	y = strip(f, rp, y, sc->plat.virt, "window (pages)");
	/* the used part, enlarged, when it is less than half of the window */
	if (extent && extent * 2 <= sc->plat.virt) {
		size_t zend = extent + (extent / 4 > 4 ? extent / 4 : 4);

		if (zend > sc->plat.virt)
			zend = sc->plat.virt;
		snprintf(buf, sizeof(buf), "pages 0-%zu", zend - 1);
		y = strip(f, rp, y, zend, buf);
	}
	y += 8;

	/* one band per region, common scale; the right part holds the numbers */
	bscale = (bw - 330) / ((double)maxb * (double)page);
	for (i = 0; i < s->nruns; i++) {
		const struct vrs_snap_run *u = &s->runs[i];
		const char *col = color_of(sc, u->owner);
		double x = LEFT, total = (double)u->pages * (double)page;
		double lt = u->phase == VR_REGION_INTERIM ? (double)u->lifetime_size : total;
		double lu = (double)u->lifetime_used, iu = (double)u->interim_used;
		double is = u->phase == VR_REGION_INTERIM ? (double)u->interim_size : 0.0;

		if (lu > lt)
			lu = lt;
		snprintf(buf, sizeof(buf), "%s (%zu pages)",
			 u->owner == VRS_NONE ? "?" : sc->objs[u->owner].name, u->pages);
		text(f, LEFT - 8, y + 15, "end", 11, buf);
		/* lifetime: used solid, unused light */
		rect(f, x, y, lu * bscale, 20, col, NULL);
		rect(f, x + lu * bscale, y, (lt - lu) * bscale, 20, col, "fill-opacity=\"0.3\"");
		x += lt * bscale;
		if (u->phase == VR_REGION_INTERIM) {
			/* interim: used in the colour with white stripes, free white */
			rect(f, x, y, iu * bscale, 20, col, NULL);
			rect(f, x, y, iu * bscale, 20, "url(#stripes)", NULL);
			rect(f, x + iu * bscale, y, (is - iu) * bscale, 20, "#ffffff", NULL);
			if (total > lt + is) {
				rect(f, x + is * bscale, y, (total - lt - is) * bscale, 20, "#555555",
				     NULL);
				*overhead = true;
			}
			/* the boundary between the two parts */
			fprintf(f, "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" "
				"stroke=\"#000000\" stroke-width=\"1.5\"/>\n", x, y - 3, x, y + 23);
		}
		x = LEFT + total * bscale;
		rect(f, x, y, (double)(guard * page) * bscale, 20, "url(#guard)",
		     "stroke=\"#777777\" stroke-width=\"0.3\"");
		rect(f, LEFT, y, total * bscale, 20, "none", "stroke=\"#333333\" stroke-width=\"0.6\"");
		if (u->phase == VR_REGION_INTERIM)
			snprintf(buf, sizeof(buf), "lifetime %zu B | interim %zu of %zu B used, largest "
				 "free %zu B", u->lifetime_used < u->lifetime_size ? u->lifetime_used :
				 u->lifetime_size, u->interim_used, u->interim_size, u->interim_largest);
		else
			snprintf(buf, sizeof(buf), "%s: %zu of %zu B used", vrs_phase_name(u->phase),
				 u->lifetime_used, u->pages * page);
		text(f, LEFT + bw - 322, y + 14, "start", 10, buf);
		/* failures of the region over the whole play (the summary lists them) */
		if (u->owner != VRS_NONE && r->reg[u->owner].unexpected) {
			snprintf(buf, sizeof(buf), "%zu unexpected failure%s (whole play)",
				 r->reg[u->owner].unexpected, r->reg[u->owner].unexpected == 1 ? "" : "s");
			fprintf(f, "<text x=\"%.2f\" y=\"%.2f\" font-size=\"10\" fill=\"#c00000\">",
				LEFT + bw - 322, y + 26);
			esc(f, buf);
			fprintf(f, "</text>\n");
			y += 12;
		}
		y += 28;
	}
	/* legend */
	y += 4;
	rect(f, LEFT, y, 14, 10, "#4e79a7", NULL);
	text(f, LEFT + 18, y + 9, "start", 10, "lifetime used");
	rect(f, LEFT + 100, y, 14, 10, "#4e79a7", "fill-opacity=\"0.3\"");
	text(f, LEFT + 118, y + 9, "start", 10, "lifetime unused");
	fprintf(f, "<line x1=\"%d\" y1=\"%.2f\" x2=\"%d\" y2=\"%.2f\" stroke=\"#000000\" "
		"stroke-width=\"1.5\"/>\n", LEFT + 213, y - 2, LEFT + 213, y + 12);
	text(f, LEFT + 220, y + 9, "start", 10, "end of lifetime part");
	rect(f, LEFT + 330, y, 14, 10, "#4e79a7", NULL);
	rect(f, LEFT + 330, y, 14, 10, "url(#stripes)", NULL);
	text(f, LEFT + 348, y + 9, "start", 10, "interim used");
	rect(f, LEFT + 425, y, 14, 10, "#ffffff", "stroke=\"#000000\" stroke-width=\"0.3\"");
	text(f, LEFT + 443, y + 9, "start", 10, "interim free / free pages");
	rect(f, LEFT + 575, y, 14, 10, "url(#guard)", NULL);
	text(f, LEFT + 593, y + 9, "start", 10, "guard pages");
	if (*overhead) {
		rect(f, LEFT + 665, y, 14, 10, "#555555", NULL);
		text(f, LEFT + 683, y + 9, "start", 10, "neither part");
	}
	return y + 30;
}

static size_t nice_max(size_t v)
{
	size_t step = 1;

	while (step * 10 < v)
		step *= 10;
	return (v + step - 1) / step * step + (v % step == 0 ? step : 0);
}

/* Page use over time. Returns the next free y. */
static double timeline(FILE *f, const struct vrs_report *rp, double y)
{
	const struct vrs_scenario *sc = rp->sc;
	const struct vrs_result *r = rp->r;
	const double cw = W - LEFT - RIGHT, ch = 220;
	size_t n = r->events, top, i, t, step;
	double x0 = LEFT, y0 = y + 20;
	int series;
	char buf[160];

	text(f, 20, y, "start", 15, "Page use over time (after each event)");
	if (!n || !r->samples)
		return y + 30;
	top = nice_max(r->vpeak > r->ppeak ? r->vpeak : r->ppeak);
	if (!top)
		top = 1;
	rect(f, x0, y0, cw, ch, "#fafafa", "stroke=\"#999999\" stroke-width=\"0.5\"");
	step = tick_step(top, 6);
	top = (top + step - 1) / step * step;	/* whole ticks */
	for (t = 0; t <= top; t += step) {
		double yy = y0 + ch - ch * (double)t / (double)top;

		fprintf(f, "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"#dddddd\" "
			"stroke-width=\"0.5\"/>\n", x0, yy, x0 + cw, yy);
		snprintf(buf, sizeof(buf), "%zu", t);
		text(f, x0 - 6, yy + 4, "end", 10, buf);
	}
	fprintf(f, "<text x=\"%.2f\" y=\"%.2f\" font-size=\"10\" text-anchor=\"middle\" "
		"transform=\"rotate(-90 %.2f %.2f)\">pages</text>\n", x0 - 36, y0 + ch / 2, x0 - 36,
		y0 + ch / 2);
	for (t = 0; t <= 5; t++) {
		size_t ev = (n - 1) * t / 5;
		double xx = x0 + (n > 1 ? cw * (double)ev / (double)(n - 1) : 0);

		snprintf(buf, sizeof(buf), "line %u", sc->evs[ev].line);
		text(f, xx, y0 + ch + 14, "middle", 9, buf);
	}
	text(f, x0 + cw / 2, y0 + ch + 30, "middle", 10, "events (source line shown)");

	for (series = 0; series < 2; series++) {
		const char *col = series ? "#f28e2b" : "#4e79a7";
		size_t cols = n < 2000 ? n : 2000;

		double prev = -1;

		/* a step line: use changes at an event and holds until the next one;
		 * beyond 2000 events each column shows the maximum of its events */
		fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.2\" points=\"", col);
		for (i = 0; i < cols; i++) {
			size_t a = i * n / cols, b = (i + 1) * n / cols, j, v = 0;
			double xx = x0 + (cols > 1 ? cw * (double)i / (double)(cols - 1) : 0), yy;

			for (j = a; j < b; j++) {
				size_t s = series ? r->samples[j].pmapped : r->samples[j].vused;

				if (s > v)
					v = s;
			}
			yy = y0 + ch - ch * (double)v / (double)top;
			if (prev >= 0 && yy != prev)
				fprintf(f, "%.2f,%.2f ", xx, prev);
			fprintf(f, "%.2f,%.2f ", xx, yy);
			prev = yy;
		}
		fprintf(f, "\"/>\n");
	}
	/* peaks */
	for (series = 0; series < 2; series++) {
		size_t peak = series ? r->ppeak : r->vpeak, at = 0;

		for (i = 0; i < n; i++) {
			if ((series ? r->samples[i].pmapped : r->samples[i].vused) == peak) {
				at = i;
				break;
			}
		}
		{
			double xx = x0 + (n > 1 ? cw * (double)at / (double)(n - 1) : 0);
			double yy = y0 + ch - ch * (double)peak / (double)top;

			fprintf(f, "<circle cx=\"%.2f\" cy=\"%.2f\" r=\"3\" fill=\"%s\"/>\n", xx, yy,
				series ? "#f28e2b" : "#4e79a7");
			snprintf(buf, sizeof(buf), "%s peak %zu", series ? "physical" : "virtual", peak);
			text(f, xx + 5, series ? yy + 14 : yy - 5, "start", 10, buf);
		}
	}
	y = y0 + ch + 44;
	rect(f, LEFT, y - 9, 14, 3, "#4e79a7", NULL);
	text(f, LEFT + 18, y - 4, "start", 10, "virtual pages taken (guard pages included)");
	rect(f, LEFT + 280, y - 9, 14, 3, "#f28e2b", NULL);
	text(f, LEFT + 298, y - 4, "start", 10, "physical pages mapped");
	return y + 16;
}

int vrs_report_svg(FILE *out, const struct vrs_report *rp)
{
	const struct vrs_scenario *sc = rp->sc;
	char buf[300], *body = NULL;
	size_t len = 0;
	bool overhead = false;
	double y;
	FILE *f;

	/* the body first, so that the height is known for the header */
	f = open_memstream(&body, &len);
	if (!f)
		return -1;
	snprintf(buf, sizeof(buf), "vrsim: %s%s%s", rp->label, sc->title[0] ? " - " : "",
		 sc->title);
	text(f, 20, 26, "start", 17, buf);
	snprintf(buf, sizeof(buf), "page %zu B, window %zu pages, %zu physical pages, %zu guard "
		 "page%s per region; %zu events", sc->plat.page, sc->plat.virt, sc->plat.phys,
		 sc->plat.guard, sc->plat.guard == 1 ? "" : "s", rp->r->events);
	text(f, 20, 44, "start", 11, buf);
	y = window_map(f, rp, 74, &overhead);
	y = timeline(f, rp, y + 10);
	if (fclose(f)) {
		free(body);
		return -1;
	}
	y += 10;
	fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	fprintf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"%d\" "
		"height=\"%.0f\" viewBox=\"0 0 %d %.0f\" font-family=\"sans-serif\">\n", W, y, W, y);
	fprintf(out, "<defs><pattern id=\"guard\" width=\"4\" height=\"4\" "
		"patternUnits=\"userSpaceOnUse\"><rect width=\"4\" height=\"4\" fill=\"#dddddd\"/>"
		"<path d=\"M0,4 L4,0\" stroke=\"#777777\" stroke-width=\"0.8\"/></pattern>\n"
		"<pattern id=\"stripes\" width=\"5\" height=\"5\" patternUnits=\"userSpaceOnUse\" "
		"patternTransform=\"rotate(45)\"><rect width=\"2\" height=\"5\" fill=\"#ffffff\" "
		"fill-opacity=\"0.6\"/></pattern></defs>\n");
	rect(out, 0, 0, W, y, "#ffffff", NULL);
	fwrite(body, 1, len, out);
	free(body);
	fprintf(out, "</svg>\n");
	return ferror(out) ? -1 : 0;
}
