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
#include <string.h>

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

/* The window strip and the per-region bands. Returns the next free y. */
static double window_map(FILE *f, const struct vrs_report *rp, double y)
{
	const struct vrs_scenario *sc = rp->sc;
	const struct vrs_result *r = rp->r;
	const struct vrs_snapshot *s = &r->snap;
	const size_t page = sc->plat.page, guard = sc->plat.guard;
	const double bw = W - LEFT - RIGHT;
	double scale = bw / (double)sc->plat.virt, bscale;
	size_t i, maxb = 1;
	char buf[256];

	snprintf(buf, sizeof(buf), "Virtual window at the peak (after line %u): %zu of %zu pages "
		 "taken, %zu physical pages mapped", s->line, s->vused, sc->plat.virt, s->pmapped);
	text(f, 20, y, "start", 15, buf);
	y += 14;
	/* whole window */
	text(f, LEFT - 8, y + 16, "end", 11, "window");
	rect(f, LEFT, y, bw, 24, "#ffffff", "stroke=\"#bbbbbb\" stroke-width=\"0.5\"");
	for (i = 0; i < s->nruns; i++) {
		const struct vrs_snap_run *u = &s->runs[i];
		size_t g = guard;

		if (u->first + u->pages + g > sc->plat.virt)
			g = sc->plat.virt - u->first - u->pages;
		fprintf(f, "<g><title>");
		esc(f, u->owner == VRS_NONE ? "?" : sc->objs[u->owner].name);
		fprintf(f, ": pages %zu-%zu</title>\n", u->first, u->first + u->pages - 1);
		rect(f, LEFT + (double)u->first * scale, y, (double)u->pages * scale, 24,
		     color_of(sc, u->owner), "stroke=\"#333333\" stroke-width=\"0.3\"");
		fprintf(f, "</g>\n");
		rect(f, LEFT + (double)(u->first + u->pages) * scale, y, (double)g * scale, 24,
		     "url(#guard)", NULL);
		if (u->pages + g > maxb)
			maxb = u->pages + g;
	}
	text(f, LEFT, y + 36, "start", 10, "page 0");
	snprintf(buf, sizeof(buf), "page %zu", sc->plat.virt - 1);
	text(f, W - RIGHT, y + 36, "end", 10, buf);
	y += 56;

	/* one band per region, common scale; the right part holds the numbers */
	bscale = (bw - 330) / ((double)maxb * (double)page);
	for (i = 0; i < s->nruns; i++) {
		const struct vrs_snap_run *u = &s->runs[i];
		const char *col = color_of(sc, u->owner);
		double x = LEFT, total = (double)u->pages * (double)page;
		double lt = u->phase == 1 ? (double)u->lifetime_size : total;
		double lu = (double)u->lifetime_used, iu = (double)u->interim_used;
		double is = u->phase == 1 ? (double)u->interim_size : 0.0;

		if (lu > lt)
			lu = lt;
		snprintf(buf, sizeof(buf), "%s (%zu pages)",
			 u->owner == VRS_NONE ? "?" : sc->objs[u->owner].name, u->pages);
		text(f, LEFT - 8, y + 15, "end", 11, buf);
		/* lifetime: used solid, unused hatched-light */
		rect(f, x, y, lu * bscale, 20, col, NULL);
		rect(f, x + lu * bscale, y, (lt - lu) * bscale, 20, col, "fill-opacity=\"0.35\"");
		x += lt * bscale;
		if (u->phase == 1) {
			rect(f, x, y, iu * bscale, 20, col, "fill-opacity=\"0.75\" stroke=\"#000000\" "
			     "stroke-width=\"0.3\"");
			rect(f, x + iu * bscale, y, (is - iu) * bscale, 20, "#ffffff",
			     "stroke=\"#000000\" stroke-width=\"0.3\"");
			x += is * bscale;
			if (total > lt + is)
				rect(f, x, y, (total - lt - is) * bscale, 20, "#555555", NULL);
		}
		x = LEFT + total * bscale;
		rect(f, x, y, (double)(guard * page) * bscale, 20, "url(#guard)", NULL);
		rect(f, LEFT, y, total * bscale, 20, "none", "stroke=\"#333333\" stroke-width=\"0.6\"");
		if (u->phase == 1)
			snprintf(buf, sizeof(buf), "lifetime %zu B; interim %zu/%zu B, largest free %zu B",
				 u->lifetime_used < u->lifetime_size ? u->lifetime_used : u->lifetime_size,
				 u->interim_used, u->interim_size, u->interim_largest);
		else
			snprintf(buf, sizeof(buf), "%s: %zu of %zu B used", vrs_phase_name(u->phase),
				 u->lifetime_used, u->pages * page);
		text(f, LEFT + bw - 322, y + 14, "start", 10, buf);
		y += 28;
	}
	/* legend */
	y += 4;
	rect(f, LEFT, y, 14, 10, "#4e79a7", NULL);
	text(f, LEFT + 18, y + 9, "start", 10, "lifetime used");
	rect(f, LEFT + 110, y, 14, 10, "#4e79a7", "fill-opacity=\"0.35\"");
	text(f, LEFT + 128, y + 9, "start", 10, "lifetime unused");
	rect(f, LEFT + 230, y, 14, 10, "#4e79a7", "fill-opacity=\"0.75\"");
	text(f, LEFT + 248, y + 9, "start", 10, "interim used");
	rect(f, LEFT + 340, y, 14, 10, "#ffffff", "stroke=\"#000000\" stroke-width=\"0.3\"");
	text(f, LEFT + 358, y + 9, "start", 10, "interim free");
	rect(f, LEFT + 440, y, 14, 10, "#555555", NULL);
	text(f, LEFT + 458, y + 9, "start", 10, "heap overhead");
	rect(f, LEFT + 560, y, 14, 10, "url(#guard)", NULL);
	text(f, LEFT + 578, y + 9, "start", 10, "guard pages");
	rect(f, LEFT + 660, y, 14, 10, "#ffffff", "stroke=\"#bbbbbb\" stroke-width=\"0.5\"");
	text(f, LEFT + 678, y + 9, "start", 10, "free pages");
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
	size_t n = r->events, top, i, t;
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
	for (t = 0; t <= 4; t++) {
		double yy = y0 + ch - ch * (double)t / 4.0;

		fprintf(f, "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"#dddddd\" "
			"stroke-width=\"0.5\"/>\n", x0, yy, x0 + cw, yy);
		snprintf(buf, sizeof(buf), "%zu", top * t / 4);
		text(f, x0 - 6, yy + 4, "end", 10, buf);
	}
	text(f, x0 - 40, y0 + ch / 2, "middle", 10, "pages");
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

		fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.2\" points=\"", col);
		for (i = 0; i < cols; i++) {
			size_t a = i * n / cols, b = (i + 1) * n / cols, j, v = 0;

			for (j = a; j < b; j++) {
				size_t s = series ? r->samples[j].pmapped : r->samples[j].vused;

				if (s > v)
					v = s;
			}
			fprintf(f, "%.2f,%.2f ", x0 + (cols > 1 ? cw * (double)i / (double)(cols - 1) : 0),
				y0 + ch - ch * (double)v / (double)top);
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

int vrs_report_svg(FILE *f, const struct vrs_report *rp)
{
	const struct vrs_scenario *sc = rp->sc;
	size_t bands = rp->r->snap.nruns;
	double h = 60 + 14 + 56 + 28.0 * (double)bands + 34 + 30 + 20 + 220 + 44 + 16 + 20;
	double y;
	char buf[300];

	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"%d\" "
		"height=\"%.0f\" viewBox=\"0 0 %d %.0f\" font-family=\"sans-serif\">\n", W, h, W, h);
	fprintf(f, "<defs><pattern id=\"guard\" width=\"4\" height=\"4\" "
		"patternUnits=\"userSpaceOnUse\"><rect width=\"4\" height=\"4\" fill=\"#dddddd\"/>"
		"<path d=\"M0,4 L4,0\" stroke=\"#777777\" stroke-width=\"0.8\"/></pattern></defs>\n");
	rect(f, 0, 0, W, h, "#ffffff", NULL);
	snprintf(buf, sizeof(buf), "vrsim: %s%s%s", rp->label, sc->title[0] ? " - " : "",
		 sc->title);
	text(f, 20, 26, "start", 17, buf);
	snprintf(buf, sizeof(buf), "page %zu B, window %zu pages, %zu physical pages, %zu guard "
		 "page(s) per region; %zu events", sc->plat.page, sc->plat.virt, sc->plat.phys,
		 sc->plat.guard, rp->r->events);
	text(f, 20, 44, "start", 11, buf);
	y = window_map(f, rp, 74);
	y = timeline(f, rp, y + 10);
	(void)y;
	fprintf(f, "</svg>\n");
	return ferror(f) ? -1 : 0;
}
