/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tools/vrsim/main.c - vrsim, the firmware memory simulator and sizer.
 *
 *   vrsim [options] [SCENARIO]
 *   vrsim [options] --trace FILE [--to-scenario OUT]
 *
 * Stages, one function each: the command line; the input (a scenario, the
 * built-in default or a trace) read, parsed and checked (bad input: "FILE:LINE:
 * what is wrong", exit 2, nothing played); the play on the real library
 * (posix port); the sizing of every region by replaying; the reports (text
 * or JSON, and an SVG). Exit 0 when it played as written, 1 on unexpected
 * failures, surprises, divergence from a trace, leaks or library errors, 2
 * on bad input. docs/vrsim.md is the manual, docs/vrsim.1 the man page.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "report.h"
#include "tracefile.h"

extern const unsigned char vrsim_default_scenario[];
extern const size_t vrsim_default_scenario_len;

#define VRSIM_VERSION "0.2.0"
#define MAX_OVERRIDES 32
#define DONE (-1)		/* a stage that does not end the program */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: vrsim [options] [SCENARIO]\n"
		"       vrsim [options] --trace FILE [--to-scenario OUT]\n"
		"Plays a firmware memory scenario, or a trace recorded from a program, on the\n"
		"vregion library (real page mappings), reports every region and the page pool,\n"
		"and sizes each region by replaying. With no SCENARIO it plays the bundled\n"
		"default (an audio DSP day); '-' reads stdin.\n"
		"\n"
		"  -v, --verbose          log every event (stderr)\n"
		"      --json             print the summary as JSON (docs/vrsim.schema.json)\n"
		"      --svg FILE         draw the window at the peak and page use over time\n"
		"      --no-size          do not size the regions (no replays)\n"
		"      --region NAME=SIZE play region NAME with SIZE bytes (K/M suffixes) instead\n"
		"                         of its size= (repeatable)\n"
		"      --platform KEY=N   what-if: another page=, phys=, virt=, line=, align= or\n"
		"                         guard= (repeatable, or KEY=N,KEY=N)\n"
		"      --trace FILE       play a recorded trace (docs/trace.md); a captured log\n"
		"                         is read through its 'vrtrace: ' lines\n"
		"      --trace-prefix STR the marker of trace lines in a log (default 'vrtrace: ')\n"
		"      --trace-pool N     the pool of the trace to play (default: the first)\n"
		"      --to-scenario OUT  with --trace: write the equivalent scenario, play nothing\n"
		"      --write-trace FILE record the library's trace of the play (VREGION_TRACE=FILE\n"
		"                         in the environment does the same)\n"
		"      --check            parse and check only, play nothing\n"
		"      --print-default    print the bundled default scenario and exit\n"
		"  -h, --help             this text\n"
		"      --version          print the version\n"
		"\n"
		"Exit status: 0 played as written, 1 unexpected failures, divergence from the\n"
		"trace or leaks, 2 bad input. See vrsim(1), docs/scenarios.md, docs/vrsim.md.\n");
}

struct override {
	char name[VRS_NAME_MAX];
	size_t size;
};

struct cli {
	const char *path, *svg, *trace, *to_scenario, *prefix, *write_trace;
	bool json, nosize, check_only, verbose;
	struct override ov[MAX_OVERRIDES];
	unsigned nov;
	struct vrs_platform whatif;	/* fields that are not 0 replace the platform */
	bool has_guard;
	unsigned trace_pool;
	char env_trace[4096];		/* VREGION_TRACE, taken from the environment */
};

/* Everything one run holds, freed by cleanup(). */
struct run {
	struct vrs_scenario sc;
	struct vrs_trace_info info;
	struct vrs_result r;
	struct vrs_sizing sz;
	size_t *sizes;
	const char *label;
	char labelbuf[300];
	FILE *svg_f, *trace_f;
	bool is_trace;			/* the input is a trace (--trace, or its header) */
};

static int bad(const char *fmt, const char *a, const char *b)
{
	fprintf(stderr, "vrsim: ");
	fprintf(stderr, fmt, a, b);
	fprintf(stderr, "\n");
	return 2;
}

/* --region NAME=SIZE */
static int opt_region(struct cli *cl, const char *arg)
{
	const char *eq = arg ? strchr(arg, '=') : NULL;
	struct override *o = &cl->ov[cl->nov];

	if (!eq || eq == arg || (size_t)(eq - arg) >= VRS_NAME_MAX)
		return bad("--region needs NAME=SIZE (e.g. --region P1=64K)%s%s", "", "");
	if (cl->nov == MAX_OVERRIDES)
		return bad("too many --region options%s%s", "", "");
	snprintf(o->name, sizeof(o->name), "%.*s", (int)(eq - arg), arg);
	if (vrs_parse_size(eq + 1, &o->size) || !o->size)
		return bad("--region %s: bad size '%s'", o->name, eq + 1);
	cl->nov++;
	return DONE;
}

/* --platform KEY=N[,KEY=N...] */
static int opt_platform(struct cli *cl, const char *arg)
{
	char buf[256], msg[200], *tok, *save = NULL;
	size_t v;

	if (!arg || !*arg || strlen(arg) >= sizeof(buf))
		return bad("--platform needs KEY=N (page=, phys=, virt=, line=, align=, guard=)%s%s",
			   "", "");
	snprintf(buf, sizeof(buf), "%s", arg);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '=');

		if (!eq)
			return bad("--platform %s: needs KEY=N%s", tok, "");
		*eq = 0;
		if (vrs_platform_set(&cl->whatif, tok, eq + 1, msg, sizeof(msg)))
			return bad("--platform: %s%s", msg, "");
		if (!strcmp(tok, "guard"))
			cl->has_guard = true;
		else if (!vrs_parse_size(eq + 1, &v) && !v)
			return bad("--platform %s=0: only guard= may be 0%s", tok, "");
	}
	return DONE;
}

/* An option with an argument. Returns DONE, or an exit status. */
static int opt_arg(struct cli *cl, const char *a, const char *arg)
{
	char *end;

	if (!strcmp(a, "--region"))
		return opt_region(cl, arg);
	if (!strcmp(a, "--platform"))
		return opt_platform(cl, arg);
	if (!arg)
		return bad("%s needs an argument%s", a, "");
	if (!strcmp(a, "--svg"))
		cl->svg = arg;
	else if (!strcmp(a, "--trace"))
		cl->trace = arg;
	else if (!strcmp(a, "--to-scenario"))
		cl->to_scenario = arg;
	else if (!strcmp(a, "--write-trace"))
		cl->write_trace = arg;
	else if (!strcmp(a, "--trace-prefix"))
		cl->prefix = arg;
	else if (!strcmp(a, "--trace-pool")) {
		unsigned long n = strtoul(arg, &end, 10);

		if (*end || !n || n >= VRS_TRACE_POOLS)
			return bad("--trace-pool %s: a pool number from 1 to 1023%s", arg, "");
		cl->trace_pool = (unsigned)n;
	}
	return DONE;
}

/* The command line into *cl. Returns DONE, or an exit status (help, errors). */
/* True iff a and b name the same file (same name, or same inode). */
static bool same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	if (!a || !b || !strcmp(a, "-") || !strcmp(b, "-"))
		return false;
	if (!strcmp(a, b))
		return true;
	return !stat(a, &sa) && !stat(b, &sb) && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* An output that is the input or another output would destroy it (and a
 * failed run removes its outputs): a bad command line. */
static int check_outputs(const struct cli *cl)
{
	const char *const out[] = { cl->svg, cl->to_scenario, cl->write_trace };
	const char *const name[] = { "--svg", "--to-scenario", "--write-trace" };
	const char *in = cl->trace ? cl->trace : cl->path;
	size_t i, j;

	for (i = 0; i < 3; i++) {
		if (same_file(out[i], in))
			return bad("%s %s is the input: vrsim would overwrite it", name[i], out[i]);
		for (j = i + 1; j < 3; j++)
			if (same_file(out[i], out[j]))
				return bad("%s and %s name the same file", name[i], name[j]);
	}
	return DONE;
}

static int parse_args(int argc, char **argv, struct cli *cl)
{
	static const char *const with_arg[] = {
		"--svg", "--region", "--platform", "--trace", "--to-scenario", "--trace-prefix",
		"--trace-pool", "--write-trace",
	};
	int i, rc;
	size_t k;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		for (k = 0; k < sizeof(with_arg) / sizeof(with_arg[0]) && strcmp(a, with_arg[k]); k++)
			;
		if (k < sizeof(with_arg) / sizeof(with_arg[0])) {
			rc = opt_arg(cl, a, i + 1 < argc ? argv[i + 1] : NULL);
			if (rc != DONE)
				return rc;
			i++;
		} else if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
			cl->verbose = true;
		} else if (!strcmp(a, "--json")) {
			cl->json = true;
		} else if (!strcmp(a, "--no-size")) {
			cl->nosize = true;
		} else if (!strcmp(a, "--check")) {
			cl->check_only = true;
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
		} else if (cl->path) {
			return bad("one scenario at a time ('%s' and '%s')", cl->path, a);
		} else {
			cl->path = a;
		}
	}
	if (cl->trace && cl->path)
		return bad("--trace %s and a scenario (%s): one input at a time", cl->trace, cl->path);
	return DONE;
}

static int read_all(FILE *f, char **out, size_t *len)
{
	size_t cap = 65536, n = 0, got;
	struct stat st;
	char *b, *nb;

	if (!fstat(fileno(f), &st) && S_ISDIR(st.st_mode))
		return -EISDIR;
	b = malloc(cap);
	if (!b)
		return -ENOMEM;
	do {
		if (n == cap) {
			nb = cap > ((size_t)256 << 20) ? NULL : realloc(b, cap * 2);
			if (!nb) {
				free(b);
				return cap > ((size_t)256 << 20) ? -EFBIG : -ENOMEM;
			}
			b = nb;
			cap *= 2;
		}
		got = fread(b + n, 1, cap - n, f);
		n += got;
	} while (got);
	if (ferror(f)) {
		int e = errno ? errno : EIO;

		free(b);
		return -e;
	}
	*out = b;
	*len = n;
	return 0;
}

/* The input's text (the file, stdin, or the built-in default). Returns
 * DONE, or an exit status. */
static int read_input(const char *path, char **text, size_t *len)
{
	FILE *f;
	int rc;

	if (!path) {
		*text = malloc(vrsim_default_scenario_len + 1);
		if (!*text)
			return bad("out of memory%s%s", "", "") - 1;
		memcpy(*text, vrsim_default_scenario, vrsim_default_scenario_len);
		*len = vrsim_default_scenario_len;
		return DONE;
	}
	f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	if (!f)
		return bad("cannot open %s: %s", path, strerror(errno));
	rc = read_all(f, text, len);
	if (f != stdin)
		fclose(f);
	if (rc)
		return bad("cannot read %s: %s", path, strerror(-rc));
	return DONE;
}

/* The input parsed and checked into ru->sc: a scenario or a trace. */
static int load(const struct cli *cl, struct run *ru)
{
	const char *path = cl->trace ? cl->trace : cl->path;
	const char *file = !path ? "default.vrs" : strcmp(path, "-") ? path : "<stdin>";
	struct vrs_trace_opts to;
	struct vrs_diags dg;
	FILE *out = NULL;
	char *text = NULL;
	size_t len = 0;
	long hp = sysconf(_SC_PAGESIZE);
	int rc = read_input(path, &text, &len);

	if (rc != DONE)
		return rc;
	ru->label = !path ? "default.vrs (built-in)" : file;
	/* a file that starts with the trace header is a trace (docs/trace.md) */
	ru->is_trace = cl->trace || (path && len >= 16 && !memcmp(text, "# vregion-trace ", 16));
	if (cl->to_scenario && !ru->is_trace) {
		free(text);
		return bad("--to-scenario %s needs a trace (--trace FILE)%s", cl->to_scenario, "");
	}
	if (ru->is_trace) {
		memset(&to, 0, sizeof(to));
		to.prefix = cl->prefix;
		to.pool = cl->trace_pool;
		to.whatif = cl->whatif;
		to.has_guard = cl->has_guard;
		to.host_page = hp > 0 ? (size_t)hp : 0;
		if (cl->to_scenario && !(out = fopen(cl->to_scenario, "w"))) {
			free(text);
			return bad("cannot write %s: %s", cl->to_scenario, strerror(errno));
		}
		to.scenario_out = out;
		rc = vrs_trace_load(file, text, len, &to, &ru->sc, &ru->info, &dg);
		snprintf(ru->labelbuf, sizeof(ru->labelbuf), "trace %s", file);
		ru->label = ru->labelbuf;
	} else {
		rc = vrs_load(file, text, len, hp > 0 ? (size_t)hp : 0, &ru->sc, &dg);
	}
	free(text);
	if (out && (fclose(out) || rc)) {
		if (!rc)
			return bad("cannot write %s: %s", cl->to_scenario, strerror(errno)) - 1;
		remove(cl->to_scenario);
	}
	if (rc)
		vrs_diags_print(&dg, file, stderr);
	return rc == 0 ? DONE : rc == -2 ? 1 : 2;
}

/* --region and, for a scenario, --platform. */
static int overrides(const struct cli *cl, struct run *ru)
{
	struct vrs_scenario *sc = &ru->sc;
	const struct vrs_platform *w = &cl->whatif;
	char msg[200];
	unsigned i;
	long hp = sysconf(_SC_PAGESIZE);

	if (!ru->is_trace && (w->page || w->phys || w->virt || w->line || w->align || cl->has_guard)) {
		size_t *dst[] = { &sc->plat.page, &sc->plat.phys, &sc->plat.virt, &sc->plat.line,
				  &sc->plat.align };
		const size_t *src[] = { &w->page, &w->phys, &w->virt, &w->line, &w->align };

		for (i = 0; i < 5; i++)
			if (*src[i])
				*dst[i] = *src[i];
		if (cl->has_guard)
			sc->plat.guard = w->guard;
		if (vrs_platform_check(&sc->plat, hp > 0 ? (size_t)hp : 0, msg, sizeof(msg)))
			return bad("--platform: %s%s", msg, "");
	}
	if (!cl->nov)
		return DONE;
	ru->sizes = calloc(sc->nobjs, sizeof(*ru->sizes));
	if (!ru->sizes)
		return bad("out of memory%s%s", "", "") - 1;
	for (i = 0; i < cl->nov; i++) {
		uint32_t k = vrs_find_object(sc, cl->ov[i].name);

		if (k == VRS_NONE || !sc->objs[k].owns_region)
			return bad("--region %s: no region of that name in %s (regions are pipelines "
				   "with size=, dp modules and regions)", cl->ov[i].name, ru->label);
		ru->sizes[k] = cl->ov[i].size;
		sc->objs[k].size = cl->ov[i].size;	/* the sizer starts from it too */
	}
	return DONE;
}

/* Play, size, report. Returns the exit status. */
static int play_and_report(const struct cli *cl, struct run *ru)
{
	struct vrs_play_opts po = { 0 };
	struct vrs_report rp;
	bool nosize = cl->nosize;
	int rc, status;

	po.flags = VRS_PLAY_RECORD | VRS_PLAY_VALIDATE | (cl->verbose ? VRS_PLAY_VERBOSE : 0) |
		   (ru->is_trace && !ru->info.whatif ? VRS_PLAY_CHECK_REC : 0);
	po.size_override = ru->sizes;
	po.log = stderr;
	po.trace_out = ru->trace_f;
	if (cl->verbose)
		fprintf(stderr, " line  event                                                outcome\n");
	rc = vrs_play(&ru->sc, &po, &ru->r);
	if (rc) {
		fprintf(stderr, "vrsim: cannot set up the posix port and pool for %s: %s\n",
			ru->label, strerror(-rc));
		return 1;
	}
	if (!nosize && (rc = vrs_size_with(&ru->sc, &ru->r, ru->sizes, &ru->sz))) {
		fprintf(stderr, "vrsim: sizing failed: %s\n", strerror(-rc));
		nosize = true;
	}
	status = vrs_result_clean(&ru->r) ? 0 : 1;
	/* the recorded trace is complete once the play is (replays write none) */
	if (ru->trace_f) {
		bool fail = ferror(ru->trace_f) != 0;

		fail |= fclose(ru->trace_f) != 0;
		ru->trace_f = NULL;
		if (fail) {
			fprintf(stderr, "vrsim: cannot write %s: %s\n", cl->write_trace,
				strerror(errno));
			status = 1;
		}
	}
	memset(&rp, 0, sizeof(rp));
	rp.sc = &ru->sc;
	rp.r = &ru->r;
	rp.sz = nosize ? NULL : &ru->sz;
	rp.label = ru->label;
	rp.trace = ru->is_trace ? &ru->info : NULL;
	rp.exit_status = status;
	if (cl->json)
		vrs_report_json(stdout, &rp);
	else
		vrs_report_text(stdout, &rp);
	if (ru->svg_f) {
		int fail = vrs_report_svg(ru->svg_f, &rp) != 0;

		fail |= fclose(ru->svg_f) != 0;
		ru->svg_f = NULL;
		if (fail) {
			fprintf(stderr, "vrsim: cannot write %s: %s\n", cl->svg, strerror(errno));
			status = status ? status : 1;
		}
	}
	return fflush(stdout) ? 1 : status;
}

static void cleanup(struct run *ru)
{
	vrs_sizing_free(&ru->sz);
	vrs_result_free(&ru->r);
	free(ru->sizes);
	vrs_scenario_free(&ru->sc);
	if (ru->svg_f)
		fclose(ru->svg_f);
	if (ru->trace_f)
		fclose(ru->trace_f);
}

int main(int argc, char **argv)
{
	struct cli cl;
	struct run ru;
	int rc;

	memset(&cl, 0, sizeof(cl));
	memset(&ru, 0, sizeof(ru));
	rc = parse_args(argc, argv, &cl);
	/* VREGION_TRACE would make every port of vrsim's (its replays too) write
	 * the same file: vrsim records the play of its input instead */
	if (getenv("VREGION_TRACE")) {
		snprintf(cl.env_trace, sizeof(cl.env_trace), "%s", getenv("VREGION_TRACE"));
		if (!cl.write_trace && cl.env_trace[0])
			cl.write_trace = cl.env_trace;
		unsetenv("VREGION_TRACE");
	}
	if (rc == DONE)
		rc = check_outputs(&cl);
	if (rc == DONE)
		rc = load(&cl, &ru);
	if (rc == DONE && cl.to_scenario) {
		fprintf(stderr, "vrsim: wrote %s (%u statement%s from %u line%s of %s)\n",
			cl.to_scenario, ru.sc.statements, vrs_s(ru.sc.statements), ru.info.lines,
			vrs_s(ru.info.lines), cl.trace ? cl.trace : cl.path);
		rc = 0;
	}
	if (rc == DONE)
		rc = overrides(&cl, &ru);
	if (rc == DONE && cl.check_only) {
		printf("%s: OK, %u statement%s, %zu event%s, %u object%s, %u allocation name%s\n",
		       ru.label, ru.sc.statements, vrs_s(ru.sc.statements), ru.sc.nevs,
		       vrs_s(ru.sc.nevs), ru.sc.nobjs, vrs_s(ru.sc.nobjs), ru.sc.nallocs,
		       vrs_s(ru.sc.nallocs));
		rc = 0;
	}
	/* the SVG file is opened before anything plays: a path that cannot be
	 * written is a bad command line (exit 2), not a summary and then exit 1 */
	if (rc == DONE && cl.svg && !(ru.svg_f = fopen(cl.svg, "w")))
		rc = bad("cannot write %s: %s", cl.svg, strerror(errno));
	if (rc == DONE && cl.write_trace && !(ru.trace_f = fopen(cl.write_trace, "w")))
		rc = bad("cannot write %s: %s", cl.write_trace, strerror(errno));
	if (rc == DONE) {
		rc = play_and_report(&cl, &ru);
		if (rc == 1 && !ru.r.events && cl.svg)
			remove(cl.svg);
	}
	cleanup(&ru);
	/* whatever went to stdout (summary, --print-default, --help, --check)
	 * must have got there: a lost output is exit 1, with the reason */
	if ((fflush(stdout) || ferror(stdout)) && rc != 2) {
		fprintf(stderr, "vrsim: cannot write the standard output: %s\n", strerror(errno));
		rc = 1;
	}
	return rc;
}
