/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tools/vrsim/main.c - vrsim, the firmware memory simulator and sizer.
 *
 *   vrsim [options] [SCENARIO]
 *
 * Parses and checks the whole scenario first (bad input: "FILE:LINE: what is
 * wrong", exit 2, nothing played), plays it on the real library (posix port),
 * sizes every region by replaying, and prints a summary (text or JSON) and,
 * on request, an SVG. Exit 0 when the scenario played as written, 1 on
 * unexpected failures, surprises, leaks or library errors, 2 on bad input.
 * docs/vrsim.md is the manual.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "report.h"

extern const unsigned char vrsim_default_scenario[];
extern const size_t vrsim_default_scenario_len;

#define VRSIM_VERSION "0.1.0"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: vrsim [options] [SCENARIO]\n"
		"Plays a firmware memory scenario on the vregion library (real page mappings),\n"
		"reports every region and the page pool, and sizes each region by replaying.\n"
		"With no SCENARIO it plays the bundled default (an audio DSP day); '-' reads stdin.\n"
		"\n"
		"  -v, --verbose          log every event (stderr)\n"
		"      --json             print the summary as JSON (schema: docs/vrsim.md)\n"
		"      --svg FILE         draw the window at the peak and page use over time\n"
		"      --no-size          do not size the regions (no replays)\n"
		"      --region NAME=SIZE play region NAME with SIZE bytes (K/M suffixes) instead\n"
		"                         of its size= (repeatable)\n"
		"      --check            parse and check only, play nothing\n"
		"      --print-default    print the bundled default scenario and exit\n"
		"  -h, --help             this text\n"
		"      --version          print the version\n"
		"\n"
		"Exit status: 0 played as written, 1 unexpected failures or leaks, 2 bad input.\n"
		"Scenario language: docs/scenarios.md. Output and sizing: docs/vrsim.md.\n");
}

static int read_all(FILE *f, char **out, size_t *len)
{
	size_t cap = 65536, n = 0;
	struct stat st;
	char *b;

	if (!fstat(fileno(f), &st) && S_ISDIR(st.st_mode))
		return -EISDIR;
	b = malloc(cap);
	if (!b)
		return -ENOMEM;
	for (;;) {
		size_t got;

		if (n == cap) {
			char *nb;

			if (cap > ((size_t)64 << 20)) {
				free(b);
				return -EFBIG;
			}
			nb = realloc(b, cap * 2);
			if (!nb) {
				free(b);
				return -ENOMEM;
			}
			b = nb;
			cap *= 2;
		}
		got = fread(b + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		int e = errno ? errno : EIO;

		free(b);
		return -e;
	}
	*out = b;
	*len = n;
	return 0;
}

struct override {
	char name[VRS_NAME_MAX];
	size_t size;
};

int main(int argc, char **argv)
{
	const char *path = NULL, *svg = NULL;
	FILE *svg_f = NULL;
	bool json = false, nosize = false, check_only = false, verbose = false;
	struct override ov[32];
	unsigned nov = 0, i;
	char *text = NULL;
	size_t len = 0, *sizes = NULL;
	const char *label;
	struct vrs_scenario sc;
	struct vrs_diags dg;
	struct vrs_result r;
	struct vrs_sizing sz;
	struct vrs_report rp;
	struct vrs_play_opts po;
	long hp = sysconf(_SC_PAGESIZE);
	int rc, status;

	for (i = 1; i < (unsigned)argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
			verbose = true;
		} else if (!strcmp(a, "--json")) {
			json = true;
		} else if (!strcmp(a, "--svg")) {
			if (++i == (unsigned)argc) {
				fprintf(stderr, "vrsim: --svg needs a file name\n");
				return 2;
			}
			svg = argv[i];
		} else if (!strcmp(a, "--no-size")) {
			nosize = true;
		} else if (!strcmp(a, "--check")) {
			check_only = true;
		} else if (!strcmp(a, "--region")) {
			const char *eq;

			if (++i == (unsigned)argc || !(eq = strchr(argv[i], '=')) ||
			    eq == argv[i] || (size_t)(eq - argv[i]) >= VRS_NAME_MAX) {
				fprintf(stderr, "vrsim: --region needs NAME=SIZE (e.g. --region P1=64K)\n");
				return 2;
			}
			if (nov == sizeof(ov) / sizeof(ov[0])) {
				fprintf(stderr, "vrsim: too many --region options\n");
				return 2;
			}
			memcpy(ov[nov].name, argv[i], (size_t)(eq - argv[i]));
			ov[nov].name[eq - argv[i]] = 0;
			if (vrs_parse_size(eq + 1, &ov[nov].size) || !ov[nov].size) {
				fprintf(stderr, "vrsim: --region %s: bad size '%s'\n", ov[nov].name, eq + 1);
				return 2;
			}
			nov++;
		} else if (!strcmp(a, "--print-default")) {
			fwrite(vrsim_default_scenario, 1, vrsim_default_scenario_len, stdout);
			return 0;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(a, "--version")) {
			printf("vrsim %s\n", VRSIM_VERSION);
			return 0;
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "vrsim: unknown option '%s'\n", a);
			usage(stderr);
			return 2;
		} else if (path) {
			fprintf(stderr, "vrsim: one scenario at a time ('%s' and '%s')\n", path, a);
			return 2;
		} else {
			path = a;
		}
	}

	if (!path) {
		label = "default.vrs (built-in)";
		text = malloc(vrsim_default_scenario_len + 1);
		if (!text) {
			fprintf(stderr, "vrsim: out of memory\n");
			return 1;
		}
		memcpy(text, vrsim_default_scenario, vrsim_default_scenario_len);
		len = vrsim_default_scenario_len;
	} else {
		FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;

		label = strcmp(path, "-") ? path : "<stdin>";
		if (!f) {
			fprintf(stderr, "vrsim: cannot open %s: %s\n", path, strerror(errno));
			return 2;
		}
		rc = read_all(f, &text, &len);
		if (f != stdin)
			fclose(f);
		if (rc) {
			fprintf(stderr, "vrsim: cannot read %s: %s\n", path, strerror(-rc));
			return 2;
		}
	}

	rc = vrs_load(path ? label : "default.vrs", text, len, hp > 0 ? (size_t)hp : 0, &sc, &dg);
	free(text);
	if (rc) {
		vrs_diags_print(&dg, path ? label : "default.vrs", stderr);
		return rc == -2 ? 1 : 2;
	}
	if (nov) {
		sizes = calloc(sc.nobjs, sizeof(*sizes));
		if (!sizes) {
			fprintf(stderr, "vrsim: out of memory\n");
			vrs_scenario_free(&sc);
			return 1;
		}
		for (i = 0; i < nov; i++) {
			uint32_t k = vrs_find_object(&sc, ov[i].name);

			if (k == VRS_NONE || !sc.objs[k].owns_region) {
				fprintf(stderr, "vrsim: --region %s: no region of that name in %s (regions "
					"are pipelines with size= and dp modules)\n", ov[i].name, label);
				free(sizes);
				vrs_scenario_free(&sc);
				return 2;
			}
			sizes[k] = ov[i].size;
			sc.objs[k].size = ov[i].size;	/* the sizer starts from it too */
		}
	}
	if (check_only) {
		printf("%s: OK, %u statements, %zu events, %u objects, %u allocation names\n",
		       label, sc.statements, sc.nevs, sc.nobjs, sc.nallocs);
		free(sizes);
		vrs_scenario_free(&sc);
		return 0;
	}

	/* the SVG file is opened before anything plays: a path that cannot be
	 * written is a bad command line (exit 2), not a summary and then exit 1 */
	if (svg) {
		svg_f = fopen(svg, "w");
		if (!svg_f) {
			fprintf(stderr, "vrsim: cannot write %s: %s\n", svg, strerror(errno));
			free(sizes);
			vrs_scenario_free(&sc);
			return 2;
		}
	}

	po.flags = VRS_PLAY_RECORD | VRS_PLAY_VALIDATE | (verbose ? VRS_PLAY_VERBOSE : 0);
	po.size_override = sizes;
	po.log = stderr;
	if (verbose)
		fprintf(stderr, " line  event                                                outcome\n");
	rc = vrs_play(&sc, &po, &r);
	if (rc) {
		fprintf(stderr, "vrsim: cannot set up the posix port and pool for %s: %s\n", label,
			strerror(-rc));
		vrs_result_free(&r);
		free(sizes);
		vrs_scenario_free(&sc);
		if (svg_f) {
			fclose(svg_f);
			remove(svg);
		}
		return 1;
	}
	memset(&sz, 0, sizeof(sz));
	if (!nosize) {
		rc = vrs_size_with(&sc, &r, sizes, &sz);
		if (rc) {
			fprintf(stderr, "vrsim: sizing failed: %s\n", strerror(-rc));
			vrs_sizing_free(&sz);
			nosize = true;
		}
	}
	status = vrs_result_clean(&r) ? 0 : 1;
	rp.sc = &sc;
	rp.r = &r;
	rp.sz = nosize ? NULL : &sz;
	rp.label = label;
	rp.exit_status = status;
	if (json)
		vrs_report_json(stdout, &rp);
	else
		vrs_report_text(stdout, &rp);
	if (svg_f) {
		int bad = vrs_report_svg(svg_f, &rp) != 0;

		bad |= fclose(svg_f) != 0;
		if (bad) {
			fprintf(stderr, "vrsim: cannot write %s: %s\n", svg, strerror(errno));
			status = status ? status : 1;
		}
	}
	vrs_sizing_free(&sz);
	vrs_result_free(&r);
	free(sizes);
	vrs_scenario_free(&sc);
	if (fflush(stdout))
		return 1;
	return status;
}
