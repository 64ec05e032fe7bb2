/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tools/vrsim/trace_read.c - the lines of a trace file (docs/trace.md,
 * version VR_TRACE_VERSION) into records, every line checked: the header
 * and its version, the operation, the keys each operation needs, numbers,
 * a line cut before its rc= (truncated), events a lossy log dropped (seq).
 * A captured log is read through its marker ("vrtrace: "): only the lines
 * that hold it count, from the marker on.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vregion/trace.h"
#include "vregion/vregion.h"

#include "tracefile.h"

enum {
	K_API, K_POOL, K_SEQ, K_REGION, K_RC, K_PHASE, K_COHERENT, K_FLAGS, K_PERMS, K_SIZE,
	K_ALIGN, K_MIN_ALIGN, K_OFF, K_PAGE, K_PAGES, K_REFS, K_LIVE, K_PAGE_SIZE,
	K_CACHE_LINE, K_WINDOW, K_PHYS, K_GUARD, K_NAME, K_EXPECT, K_COUNT
};
#define B(k) (1u << (k))

static const char *const keys[K_COUNT] = {
	"api", "pool", "seq", "region", "rc", "phase", "coherent", "flags", "perms", "size",
	"align", "min_align", "off", "page", "pages", "refs", "live", "page_size",
	"cache_line", "window", "phys", "guard", "name", "expect",
};

/* The keys each operation must have (rc and pool always; those only on
 * success in `ok`). */
static const struct {
	const char *name;
	int op;
	unsigned need, ok;
} ops[] = {
	{ "pool_init", VR_TRACE_POOL_INIT, B(K_PAGE_SIZE) | B(K_CACHE_LINE) | B(K_WINDOW) |
	  B(K_PHYS) | B(K_GUARD), 0 },
	{ "pool_deinit", VR_TRACE_POOL_DEINIT, 0, 0 },
	{ "page_alloc", VR_TRACE_PAGE_ALLOC, B(K_PAGES), B(K_PAGE) },
	{ "page_reserve", VR_TRACE_PAGE_RESERVE, B(K_PAGES), B(K_PAGE) },
	{ "page_free", VR_TRACE_PAGE_FREE, B(K_PAGE), 0 },
	{ "page_map", VR_TRACE_PAGE_MAP, B(K_PAGE) | B(K_PAGES), 0 },
	{ "page_unmap", VR_TRACE_PAGE_UNMAP, B(K_PAGE) | B(K_PAGES), 0 },
	{ "page_protect", VR_TRACE_PAGE_PROTECT, B(K_PAGE) | B(K_PAGES), 0 },
	{ "region_create", VR_TRACE_REGION_CREATE, B(K_SIZE) | B(K_MIN_ALIGN) | B(K_FLAGS),
	  B(K_REGION) | B(K_PAGES) | B(K_PAGE) },
	{ "region_get", VR_TRACE_REGION_GET, B(K_REGION) | B(K_REFS), 0 },
	{ "region_put", VR_TRACE_REGION_PUT, B(K_REGION) | B(K_REFS), 0 },
	{ "region_release", VR_TRACE_REGION_RELEASE, B(K_REGION), 0 },
	{ "set_interim", VR_TRACE_SET_INTERIM, B(K_REGION) | B(K_PHASE), B(K_OFF) | B(K_SIZE) },
	{ "interim_reset", VR_TRACE_INTERIM_RESET, B(K_REGION), 0 },
	{ "alloc", VR_TRACE_ALLOC, B(K_REGION) | B(K_PHASE) | B(K_SIZE) | B(K_ALIGN) |
	  B(K_COHERENT), B(K_OFF) },
	{ "free", VR_TRACE_FREE, B(K_REGION) | B(K_PHASE) | B(K_OFF), 0 },
};

struct vrs_treader {
	const char *text, *prefix;
	size_t len, pos, plen;
	unsigned line;
	bool log;			/* a captured log: lines are found by the prefix */
	bool header;			/* the header was read */
	bool found;			/* a log: a line holds the prefix and the header */
	uint32_t seq[VRS_TRACE_POOLS];	/* last seq of each pool */
	struct vrs_diags *dg;
};

#define DIAG(r, ...) vrs_diag((r)->dg, (r)->line, __VA_ARGS__)

static const char *header_word(void)
{
	return "# vregion-trace ";
}

/* The next line [*s, *s + *n) of the text; false at the end. */
static bool next_line(struct vrs_treader *r, const char **s, size_t *n)
{
	size_t e;

	if (r->pos >= r->len)
		return false;
	for (e = r->pos; e < r->len && r->text[e] != '\n'; e++)
		;
	*s = r->text + r->pos;
	*n = e - r->pos;
	r->pos = e + 1;
	r->line++;
	while (*n && ((*s)[*n - 1] == '\r' || (*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
		(*n)--;
	return true;
}

/* The trace part of a line: all of it, or in a log what follows the prefix
 * (NULL when the line has none). */
static const char *trace_part(struct vrs_treader *r, const char *s, size_t *n)
{
	size_t i;

	if (!r->log)
		return s;
	for (i = 0; i + r->plen <= *n; i++) {
		if (!memcmp(s + i, r->prefix, r->plen)) {
			*n -= i + r->plen;
			return s + i + r->plen;
		}
	}
	return NULL;
}

bool vrs_trace_detect(const char *text, size_t len, const char *prefix)
{
	struct vrs_treader *r;
	struct vrs_diags dg;
	bool yes;

	memset(&dg, 0, sizeof(dg));
	r = vrs_treader_new(text, len, prefix, &dg);
	if (!r)
		return false;
	yes = r->log ? r->found : true;
	vrs_treader_free(r);
	return yes;
}

/* Plain trace (the first line is the header) or a log (a line holds the
 * prefix followed by the header)? */
static void find_mode(struct vrs_treader *r)
{
	const char *s = "", *p;
	size_t n = 0, hl = strlen(header_word());

	if (r->len >= 3 && !memcmp(r->text, "\xef\xbb\xbf", 3))
		r->pos = 3;
	while (next_line(r, &s, &n) && !n)
		;
	r->log = !(n >= hl && !memcmp(s, header_word(), hl));
	r->pos = r->len >= 3 && !memcmp(r->text, "\xef\xbb\xbf", 3) ? 3 : 0;
	r->line = 0;
	if (!r->log)
		return;
	while (next_line(r, &s, &n)) {
		p = trace_part(r, s, &n);
		if (p && n >= hl && !memcmp(p, header_word(), hl)) {
			r->found = true;
			break;
		}
	}
	r->pos = r->len >= 3 && !memcmp(r->text, "\xef\xbb\xbf", 3) ? 3 : 0;
	r->line = 0;
}

struct vrs_treader *vrs_treader_new(const char *text, size_t len, const char *prefix,
				    struct vrs_diags *dg)
{
	struct vrs_treader *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->text = text;
	r->len = len;
	r->prefix = prefix ? prefix : VRS_TRACE_PREFIX;
	r->plen = strlen(r->prefix);
	r->dg = dg;
	find_mode(r);
	return r;
}

void vrs_treader_free(struct vrs_treader *r)
{
	free(r);
}

unsigned vrs_treader_lines(const struct vrs_treader *r)
{
	return r->line;
}

/* A decimal number up to SIZE_MAX, or "-" (none: SIZE_MAX). */
static bool num(const char *v, size_t *out)
{
	size_t x = 0;

	if (!strcmp(v, "-")) {
		*out = SIZE_MAX;
		return true;
	}
	if (!*v)
		return false;
	for (; *v; v++) {
		if (*v < '0' || *v > '9' || x > (SIZE_MAX - (size_t)(*v - '0')) / 10)
			return false;
		x = x * 10 + (size_t)(*v - '0');
	}
	*out = x;
	return true;
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10
	     : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* A percent-encoded name. */
static bool name(const char *v, char *out)
{
	size_t n = 0;

	for (; *v; v++) {
		int c = (unsigned char)*v;

		if (c == '%') {
			if (hexval(v[1]) < 0 || hexval(v[2]) < 0)
				return false;
			c = hexval(v[1]) * 16 + hexval(v[2]);
			v += 2;
		}
		if (n + 1 >= VRS_NAME_MAX || !c)
			return false;
		out[n++] = (char)c;
	}
	out[n] = 0;
	return true;
}

static bool value(struct vrs_trec *t, unsigned k, const char *v)
{
	size_t *nums[K_COUNT] = {
		[K_SIZE] = &t->size, [K_ALIGN] = &t->align, [K_MIN_ALIGN] = &t->align,
		[K_OFF] = &t->off, [K_PAGE] = &t->page, [K_PAGES] = &t->npages,
		[K_REFS] = &t->refs, [K_LIVE] = &t->live, [K_PAGE_SIZE] = &t->page_size,
		[K_CACHE_LINE] = &t->cache_line, [K_WINDOW] = &t->window, [K_PHYS] = &t->phys,
		[K_GUARD] = &t->guard,
	};
	size_t x;

	switch (k) {
	case K_API:
		return true;
	case K_NAME:
		return name(v, t->name);
	case K_EXPECT:
		t->expect_fail = !strcmp(v, "fail");
		return t->expect_fail;
	case K_PHASE:
		t->phase = !strcmp(v, "lifetime") ? VR_REGION_LIFETIME : !strcmp(v, "interim")
			 ? VR_REGION_INTERIM : !strcmp(v, "invalid") ? VR_REGION_INVALID : -1;
		return t->phase >= 0;
	case K_PERMS:
		t->perms = (v[0] == 'r' ? 1u : 0) | (v[1] == 'w' ? 2u : 0) | (v[2] == 'x' ? 4u : 0);
		return strlen(v) == 3 && strchr("r-", v[0]) && strchr("w-", v[1]) && strchr("x-", v[2]);
	case K_RC:
		if (v[0] == '-' && num(v + 1, &x) && x <= 4096) {
			t->rc = -(int)x;
			return true;
		}
		return v[0] == '0' && !v[1];
	default:
		break;
	}
	if (!num(v, &x))
		return false;
	if (nums[k]) {
		*nums[k] = x;
		return true;
	}
	if (x > UINT32_MAX)
		return false;
	if (k == K_POOL)
		t->pool = (uint32_t)x;
	else if (k == K_SEQ)
		t->seq = (uint32_t)x;
	else if (k == K_REGION)
		t->region = (uint32_t)x;
	else if (k == K_FLAGS)
		t->flags = (unsigned)x;
	else if (k == K_COHERENT)
		t->coherent = x != 0;
	return x <= 1 || k != K_COHERENT;
}

/* One key=value word. */
static bool word(struct vrs_treader *r, struct vrs_trec *t, const char *w)
{
	const char *eq = strchr(w, '=');
	unsigned k;

	if (!eq || eq == w) {
		DIAG(r, "'%s' is not key=value", w);
		return false;
	}
	for (k = 0; k < K_COUNT; k++)
		if (strlen(keys[k]) == (size_t)(eq - w) && !memcmp(keys[k], w, (size_t)(eq - w)))
			break;
	if (k == K_COUNT)
		return true;	/* a key of a later minor change: ignored */
	if (t->have & B(k)) {
		DIAG(r, "key '%.*s' twice", (int)(eq - w), w);
		return false;
	}
	t->have |= B(k);
	if (!value(t, k, eq + 1)) {
		DIAG(r, "bad value '%s' for %.*s", eq + 1, (int)(eq - w), w);
		return false;
	}
	return true;
}

/* The keys the operation needs, the rc at the end, the sequence. */
static bool complete(struct vrs_treader *r, struct vrs_trec *t, unsigned op, const char *last)
{
	unsigned need = ops[op].need | B(K_POOL) | B(K_RC) | (t->rc == 0 ? ops[op].ok : 0);
	unsigned miss = need & ~t->have, k;

	if (!(t->have & B(K_RC)) || strncmp(last, "rc=", 3)) {
		DIAG(r, "truncated line: it does not end with rc= (a cut log or file?)");
		return false;
	}
	for (k = 0; miss && k < K_COUNT; k++) {
		if (miss & B(k)) {
			DIAG(r, "'%s' needs %s=", ops[op].name, keys[k]);
			return false;
		}
	}
	if (t->pool >= VRS_TRACE_POOLS) {
		DIAG(r, "pool=%u: pools are numbered up to %u in a trace", t->pool,
		     VRS_TRACE_POOLS - 1);
		return false;
	}
	if (!t->pool && t->op == VR_TRACE_POOL_INIT) {
		DIAG(r, "pool=0: pools are numbered from 1");
		return false;
	}
	if (t->seq && r->seq[t->pool] && t->seq != r->seq[t->pool] + 1) {
		if (t->seq > r->seq[t->pool])
			DIAG(r, "event %u of pool %u follows event %u: %u event%s missing (a log that "
			     "dropped lines?)", t->seq, t->pool, r->seq[t->pool],
			     t->seq - r->seq[t->pool] - 1, vrs_s(t->seq - r->seq[t->pool] - 1));
		else
			DIAG(r, "event %u of pool %u after event %u: out of order", t->seq, t->pool,
			     r->seq[t->pool]);
		return false;
	}
	if (t->seq)
		r->seq[t->pool] = t->seq;
	return true;
}

/* A trace line (after the prefix): "op key=value ... rc=N". */
static int event_line(struct vrs_treader *r, const char *s, size_t n, struct vrs_trec *t)
{
	char buf[512], *w, *save = NULL, *last = NULL;
	unsigned op;

	if (n >= sizeof(buf)) {
		DIAG(r, "line too long (%zu bytes; a trace line is shorter than %d)", n,
		     VR_TRACE_LINE_MAX);
		return -1;
	}
	for (w = (char *)s; w < s + n; w++) {
		if ((unsigned char)*w < 0x20 || *w == 0x7f) {
			DIAG(r, "bad character 0x%02x (a trace is plain text)", (unsigned char)*w);
			return -1;
		}
	}
	memcpy(buf, s, n);
	buf[n] = 0;
	memset(t, 0, sizeof(*t));
	t->line = r->line;
	t->phase = -1;
	w = strtok_r(buf, " ", &save);
	if (!w) {
		DIAG(r, "an event line without its event");
		return -1;
	}
	for (op = 0; op < sizeof(ops) / sizeof(ops[0]) && strcmp(w, ops[op].name); op++)
		;
	if (op == sizeof(ops) / sizeof(ops[0])) {
		DIAG(r, "unknown event '%s' (docs/trace.md lists them)", w);
		return -1;
	}
	t->op = ops[op].op;
	while ((w = strtok_r(NULL, " ", &save)) != NULL) {
		if (!word(r, t, w))
			return -1;
		last = w;
	}
	return complete(r, t, op, last ? last : "") ? 1 : -1;
}

/* The header: "# vregion-trace N" with a version this reader knows. */
static int header(struct vrs_treader *r, const char *s, size_t n)
{
	size_t hl = strlen(header_word()), v;
	char buf[32];

	if (n < hl || memcmp(s, header_word(), hl) || n - hl >= sizeof(buf)) {
		DIAG(r, "not a vregion trace: the first line must be '%s%d'", header_word(),
		     VR_TRACE_VERSION);
		return -1;
	}
	memcpy(buf, s + hl, n - hl);
	buf[n - hl] = 0;
	if (!num(buf, &v) || v == SIZE_MAX) {
		DIAG(r, "bad trace version '%s'", buf);
		return -1;
	}
	if (v != VR_TRACE_VERSION) {
		DIAG(r, "trace format version %zu: this vrsim reads version %d", v, VR_TRACE_VERSION);
		return -1;
	}
	r->header = true;
	return 0;
}

int vrs_treader_next(struct vrs_treader *r, struct vrs_trec *t)
{
	const char *s, *p;
	size_t n;

	while (next_line(r, &s, &n)) {
		p = trace_part(r, s, &n);
		if (!p || !n)
			continue;
		if (!r->header) {
			if (header(r, p, n))
				return -1;
			continue;
		}
		if (p[0] == '#') {
			if (n >= strlen(header_word()) && !memcmp(p, header_word(), strlen(header_word()))) {
				DIAG(r, "a second trace starts here (a log of two runs?): cut the file "
				     "to one");
				return -1;
			}
			continue;
		}
		return event_line(r, p, n, t);
	}
	if (!r->header) {
		r->line = 1;
		if (r->log)
			DIAG(r, "not a vregion trace: its first line is not '%s%d', and no line "
			     "holds '%s%s%d' (a captured log)", header_word(), VR_TRACE_VERSION,
			     r->prefix, header_word(), VR_TRACE_VERSION);
		else
			DIAG(r, "not a vregion trace: no '%s%d' line", header_word(), VR_TRACE_VERSION);
		return -1;
	}
	return 0;
}
