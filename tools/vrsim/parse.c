/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tools/vrsim/parse.c - the syntax pass of the scenario language: lines to
 * statements. Every statement is checked for its keyword, its arguments, its
 * options and its numbers here; names and the object model are checked by
 * check.c. docs/scenarios.md is the reference for what is accepted.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stmt.h"

#define MAX_TOKENS 24
#define TOKEN_MAX 128

struct line_toks {
	char t[MAX_TOKENS][TOKEN_MAX];
	unsigned n;
	bool too_many;
	bool too_long;
};

void vrs_diag(struct vrs_diags *dg, unsigned line, const char *fmt, ...)
{
	va_list ap;

	dg->total++;
	if (dg->n >= VRS_MAX_DIAGS)
		return;
	dg->d[dg->n].line = line;
	va_start(ap, fmt);
	vsnprintf(dg->d[dg->n].msg, sizeof(dg->d[dg->n].msg), fmt, ap);
	va_end(ap);
	dg->n++;
}

void vrs_diags_print(const struct vrs_diags *dg, const char *file, void *stream)
{
	FILE *f = stream;
	unsigned i;

	for (i = 0; i < dg->n; i++) {
		if (dg->d[i].line)
			fprintf(f, "%s:%u: %s\n", file, dg->d[i].line, dg->d[i].msg);
		else
			fprintf(f, "%s: %s\n", file, dg->d[i].msg);
	}
	if (dg->total > dg->n)
		fprintf(f, "%s: %u more errors not shown\n", file, dg->total - dg->n);
}

/* Unsigned number: decimal or 0x hex, optional K (KiB) or M (MiB) suffix. */
int vrs_parse_size(const char *s, size_t *out)
{
	unsigned long long v = 0, mul = 1;
	const char *p = s;
	int base = 10;

	if (!s || !*s)
		return -1;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
		if (!*p)
			return -1;
	}
	for (; *p; p++) {
		unsigned d;

		if (*p >= '0' && *p <= '9')
			d = (unsigned)(*p - '0');
		else if (base == 16 && isxdigit((unsigned char)*p))
			d = (unsigned)(tolower((unsigned char)*p) - 'a' + 10);
		else
			break;
		if (v > (ULLONG_MAX - d) / (unsigned)base)
			return -1;
		v = v * (unsigned)base + d;
	}
	if (p == s || (base == 16 && p == s + 2))
		return -1;
	if (*p == 'K' || *p == 'k')
		mul = 1024, p++;
	else if (*p == 'M' || *p == 'm')
		mul = 1024 * 1024, p++;
	if (*p)
		return -1;
	if (v > ULLONG_MAX / mul || v * mul > (unsigned long long)SIZE_MAX)
		return -1;
	*out = (size_t)(v * mul);
	return 0;
}

static void tokenize(const char *l, size_t len, struct line_toks *tk)
{
	size_t i = 0;

	tk->n = 0;
	tk->too_many = tk->too_long = false;
	while (i < len) {
		size_t k = 0;
		char c = l[i];

		if (c == '#')
			break;
		if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
			i++;
			continue;
		}
		if (tk->n == MAX_TOKENS) {
			tk->too_many = true;
			return;
		}
		if (c == '{' || c == '}') {
			tk->t[tk->n][0] = c;
			tk->t[tk->n][1] = 0;
			tk->n++;
			i++;
			continue;
		}
		while (i < len && l[i] != ' ' && l[i] != '\t' && l[i] != '\r' && l[i] != '#' &&
		       l[i] != '{' && l[i] != '}' && l[i] != '\f' && l[i] != '\v') {
			if (k + 1 < TOKEN_MAX)
				tk->t[tk->n][k++] = l[i];
			else
				tk->too_long = true;
			i++;
		}
		tk->t[tk->n][k] = 0;
		tk->n++;
	}
}

static const struct {
	const char *word;
	enum vrs_kw kw;
} keywords[] = {
	{ "platform", KW_PLATFORM }, { "title", KW_TITLE }, { "pipeline", KW_PIPELINE },
	{ "module", KW_MODULE }, { "alloc", KW_ALLOC }, { "free", KW_FREE },
	{ "complete", KW_COMPLETE }, { "start", KW_START }, { "stop", KW_STOP },
	{ "reset", KW_RESET }, { "bind", KW_BIND }, { "unbind", KW_UNBIND },
	{ "destroy", KW_DESTROY }, { "repeat", KW_REPEAT }, { "end", KW_END },
	{ "}", KW_END },
};

/* A name: identifier segments [A-Za-z_][A-Za-z0-9_-]* joined by '.', with
 * "->" allowed between two names (a buffer's default name). */
static bool valid_name(const char *s)
{
	bool seg_start = true;

	if (!*s || strlen(s) >= VRS_NAME_MAX)
		return false;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (seg_start) {
			if (!(isalpha(c) || c == '_'))
				return false;
			seg_start = false;
			continue;
		}
		if (c == '.') {
			seg_start = true;
		} else if (c == '-' && s[1] == '>') {
			s++;
			seg_start = true;
		} else if (!(isalnum(c) || c == '_' || c == '-')) {
			return false;
		}
	}
	return !seg_start;
}

struct pctx {
	const char *file;
	struct vrs_diags *dg;
	struct vrs_stmts *st;
	struct vrs_scenario *sc;
	unsigned line;
	bool seen_platform;
	bool seen_object;
	bool seen_title;
	size_t host_page;
	size_t open[VRS_MAX_NEST];	/* indexes of open repeat statements */
	unsigned depth;
	unsigned open_line[VRS_MAX_NEST];
	bool body[VRS_MAX_NEST];		/* the open block has a statement */
	unsigned overflow;		/* repeats opened beyond VRS_MAX_NEST */
};

#define DIAG(c, ...) vrs_diag((c)->dg, (c)->line, __VA_ARGS__)

static bool need_name(struct pctx *c, const struct line_toks *tk, unsigned i,
		      const char *what, char *out)
{
	if (i >= tk->n) {
		DIAG(c, "'%s' needs %s", tk->t[0], what);
		return false;
	}
	if (!valid_name(tk->t[i])) {
		DIAG(c, "bad name '%s' (names are letters, digits, '_' and '-', "
			"dotted, at most %d characters)", tk->t[i], VRS_NAME_MAX - 1);
		return false;
	}
	strcpy(out, tk->t[i]);
	return true;
}

static bool number(struct pctx *c, const char *what, const char *s, size_t *out)
{
	if (vrs_parse_size(s, out)) {
		DIAG(c, "bad number '%s' for %s (use e.g. 4096, 0x1000, 4K, 1M)", s, what);
		return false;
	}
	return true;
}

/* Split "key=value"; returns the value or NULL for a bare flag. */
static const char *opt_split(const char *tok, char *key, size_t keysz)
{
	const char *eq = strchr(tok, '=');
	size_t n = eq ? (size_t)(eq - tok) : strlen(tok);

	if (n >= keysz)
		n = keysz - 1;
	memcpy(key, tok, n);
	key[n] = 0;
	return eq ? eq + 1 : NULL;
}

/*
 * Parse the options tk->t[first..] of statement s. `allowed` lists the keys
 * this keyword accepts, separated by spaces ("size= seal expect="): a key
 * ending in '=' takes a value, others are flags. Returns false on error.
 */
static bool options(struct pctx *c, const struct line_toks *tk, unsigned first,
		    const char *allowed, struct vrs_stmt *s)
{
	char seen[MAX_TOKENS][24];
	unsigned nseen = 0, i, j;

	for (i = first; i < tk->n; i++) {
		char key[24], pat[32];
		const char *val = opt_split(tk->t[i], key, sizeof(key));
		const char *hit;

		snprintf(pat, sizeof(pat), val ? "%s=" : "%s", key);
		hit = strstr(allowed, pat);
		while (hit && ((hit != allowed && hit[-1] != ' ') ||
			       (hit[strlen(pat)] != ' ' && hit[strlen(pat)] != 0)))
			hit = strstr(hit + 1, pat);
		if (!hit) {
			char other[32];

			/* say "needs a value" / "takes no value" when the key exists */
			snprintf(other, sizeof(other), val ? "%s" : "%s=", key);
			if (strstr(allowed, other) && key[0])
				DIAG(c, val ? "option '%s' of '%s' takes no value"
					    : "option '%s' of '%s' needs a value (%s=...)",
				     key, tk->t[0], key);
			else if (!val && i == first)
				DIAG(c, "extra argument '%s' for '%s'", tk->t[i], tk->t[0]);
			else
				DIAG(c, "unknown option '%s' for '%s' (accepted: %s)", tk->t[i],
				     tk->t[0], allowed);
			return false;
		}
		for (j = 0; j < nseen; j++) {
			if (!strcmp(seen[j], key)) {
				DIAG(c, "duplicate option '%s'", key);
				return false;
			}
		}
		snprintf(seen[nseen++], sizeof(seen[0]), "%s", key);

		if (!strcmp(key, "expect")) {
			if (!strcmp(val, "fail")) {
				s->flags |= VRS_F_EXPECT_FAIL;
			} else if (strcmp(val, "ok")) {
				DIAG(c, "bad value '%s' for expect (expect=fail or expect=ok)", val);
				return false;
			}
		} else if (!strcmp(key, "size")) {
			if (!number(c, "size", val, &s->size))
				return false;
			if (!s->size) {
				DIAG(c, "size must be > 0");
				return false;
			}
		} else if (!strcmp(key, "align")) {
			if (!number(c, "align", val, &s->align))
				return false;
			if (!s->align || (s->align & (s->align - 1)) || s->align > (1u << 20)) {
				DIAG(c, "align must be a power of two from 1 to 1M, not %s", val);
				return false;
			}
		} else if (!strcmp(key, "coherent")) {
			s->flags |= VRS_F_COHERENT;
		} else if (!strcmp(key, "seal")) {
			s->flags |= VRS_F_SEAL;
		} else if (!strcmp(key, "interim-reset")) {
			s->flags |= VRS_F_INTERIM_RESET;
		}
	}
	return true;
}

static bool no_extra(struct pctx *c, const struct line_toks *tk, unsigned n)
{
	if (tk->n > n) {
		DIAG(c, "extra argument '%s' for '%s'", tk->t[n], tk->t[0]);
		return false;
	}
	return true;
}

static bool is_pow2(size_t x)
{
	return x && !(x & (x - 1));
}

static void platform(struct pctx *c, const struct line_toks *tk)
{
	struct vrs_platform *p = &c->sc->plat;
	unsigned i;
	bool seen[6] = { false };
	static const char *const keys[6] = { "page", "phys", "virt", "line", "align", "guard" };

	if (c->seen_platform) {
		DIAG(c, "duplicate 'platform' statement (one per scenario)");
		return;
	}
	c->seen_platform = true;
	if (c->seen_object) {
		DIAG(c, "'platform' must come before the first pipeline or module");
		return;
	}
	for (i = 1; i < tk->n; i++) {
		char key[24];
		const char *val = opt_split(tk->t[i], key, sizeof(key));
		size_t v, *dst[6] = { &p->page, &p->phys, &p->virt, &p->line, &p->align, &p->guard };
		unsigned k;

		for (k = 0; k < 6; k++)
			if (!strcmp(key, keys[k]))
				break;
		if (k == 6 || !val) {
			DIAG(c, k == 6 ? "unknown option '%s' for 'platform' (accepted: page= phys= "
					 "virt= line= align= guard=)"
				       : "option '%s' of 'platform' needs a value", key);
			return;
		}
		if (seen[k]) {
			DIAG(c, "duplicate option '%s'", key);
			return;
		}
		seen[k] = true;
		if (!number(c, key, val, &v))
			return;
		*dst[k] = v;
	}
	if (!is_pow2(p->page) || p->page < 64 || p->page > ((size_t)1 << 20)) {
		DIAG(c, "page must be a power of two from 64 to 1M, not %zu", p->page);
	} else if (c->host_page && p->page % c->host_page) {
		DIAG(c, "page=%zu: vrsim maps real pages, so the page size must be a multiple "
			"of the host page size (%zu)", p->page, c->host_page);
	} else if (!p->phys || p->phys > (1u << 24)) {
		DIAG(c, "phys must be a page count from 1 to 16M, not %zu", p->phys);
	} else if (!p->virt || p->virt > (1u << 22)) {
		DIAG(c, "virt must be a page count from 1 to 4M, not %zu", p->virt);
	} else if (!is_pow2(p->line) || p->line > p->page) {
		DIAG(c, "line must be a power of two up to the page size, not %zu", p->line);
	} else if (!is_pow2(p->align) || p->align > p->page) {
		DIAG(c, "align must be a power of two up to the page size, not %zu", p->align);
	} else if (p->guard >= p->virt) {
		DIAG(c, "guard must be less than virt (%zu), not %zu", p->virt, p->guard);
	} else if (p->virt > SIZE_MAX / 4 / p->page) {
		DIAG(c, "the window (virt=%zu pages of %zu B) does not fit in this host's address "
			"space", p->virt, p->page);
	}
}

static struct vrs_stmt *push(struct pctx *c, enum vrs_kw kw)
{
	struct vrs_stmts *st = c->st;

	if (st->n == st->cap) {
		size_t cap = st->cap ? st->cap * 2 : 64;
		struct vrs_stmt *n = realloc(st->s, cap * sizeof(*n));

		if (!n)
			return NULL;
		st->s = n;
		st->cap = cap;
	}
	memset(&st->s[st->n], 0, sizeof(st->s[0]));
	st->s[st->n].kw = kw;
	st->s[st->n].line = c->line;
	return &st->s[st->n++];
}

/* `title TEXT`: the rest of the line up to a comment, trimmed. */
static void title(struct pctx *c, const char *l, size_t len)
{
	const char *end = l + len, *p = l;
	size_t n, i;

	if (c->depth) {
		DIAG(c, "'title' cannot be inside a 'repeat' block");
		return;
	}
	if (c->seen_title) {
		DIAG(c, "duplicate 'title' statement");
		return;
	}
	c->seen_title = true;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	p += 5;			/* the keyword */
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\f' || *p == '\v'))
		p++;
	for (n = 0; p + n < end && p[n] != '#'; n++)
		;
	while (n && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\r' ||
		     p[n - 1] == '\f' || p[n - 1] == '\v'))
		n--;
	if (!n) {
		DIAG(c, "'title' needs a text");
		return;
	}
	if (n >= sizeof(c->sc->title)) {
		DIAG(c, "title too long (%zu bytes, at most %zu)", n, sizeof(c->sc->title) - 1);
		return;
	}
	memcpy(c->sc->title, p, n);
	c->sc->title[n] = 0;
	for (i = 0; i < n;) {
		size_t k = vrs_utf8_len(c->sc->title + i);

		if (!k) {
			DIAG(c, "title is not valid UTF-8 (byte %zu)", i + 1);
			c->sc->title[0] = 0;
			return;
		}
		i += k;
	}
	if (strpbrk(c->sc->title, "\"\\<&\r\f\v")) {
		DIAG(c, "title must not contain '\"', '\\', '<', '&' or a carriage return");
		c->sc->title[0] = 0;
	}
}

/* One line. Returns -2 on out of memory, else 0 (diagnostics recorded). */
static int statement(struct pctx *c, const char *l, size_t len)
{
	static struct line_toks tk;	/* large: keep it off the stack */
	struct vrs_stmt tmp, *s;
	unsigned k, i;

	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)l[i];

		if (ch == '#')
			break;
		if (ch == 0 || (ch < 32 && ch != '\t' && ch != '\r' && ch != '\f' && ch != '\v') ||
		    ch == 127) {
			DIAG(c, "bad character 0x%02x (scenarios are plain text)", ch);
			return 0;
		}
	}
	tokenize(l, len, &tk);
	if (!tk.n)
		return 0;
	/* a non-empty line inside a repeat block: the block has a body (even if
	 * the line is wrong: that is diagnosed on its own) */
	if (c->depth && strcmp(tk.t[0], "end") && strcmp(tk.t[0], "}"))
		c->body[c->depth - 1] = true;
	if (!strcmp(tk.t[0], "title")) {
		title(c, l, len);	/* free text: not subject to the word limits */
		return 0;
	}
	if (tk.too_many) {
		DIAG(c, "too many arguments (at most %d words per line)", MAX_TOKENS - 1);
		return 0;
	}
	if (tk.too_long) {
		DIAG(c, "word too long (at most %d characters)", TOKEN_MAX - 1);
		return 0;
	}
	for (k = 0; k < sizeof(keywords) / sizeof(keywords[0]); k++)
		if (!strcmp(tk.t[0], keywords[k].word))
			break;
	if (k == sizeof(keywords) / sizeof(keywords[0])) {
		if (tk.t[0][0] == '{')
			DIAG(c, "'{' must follow 'repeat N' on the same line");
		else
			DIAG(c, "unknown keyword '%s' (see docs/scenarios.md)", tk.t[0]);
		return 0;
	}

	memset(&tmp, 0, sizeof(tmp));
	tmp.kw = keywords[k].kw;
	tmp.line = c->line;
	s = &tmp;

	switch (tmp.kw) {
	case KW_PLATFORM:
		if (c->depth) {
			DIAG(c, "'platform' cannot be inside a 'repeat' block");
			return 0;
		}
		platform(c, &tk);
		return 0;
	case KW_TITLE:
		return 0;	/* handled above */
	case KW_PIPELINE:
		c->seen_object = true;
		if (!need_name(c, &tk, 1, "a name (pipeline P1 [size=96K])", s->name))
			return 0;
		if (strchr(s->name, '.') || strstr(s->name, "->")) {
			DIAG(c, "pipeline name '%s' must not contain '.' or '->'", s->name);
			return 0;
		}
		if (!options(c, &tk, 2, "size= seal expect=", s))
			return 0;
		if (!s->size && (s->flags & (VRS_F_EXPECT_FAIL | VRS_F_SEAL))) {
			DIAG(c, "'%s' needs size= (a pipeline without a region cannot fail or be "
				"sealed)", (s->flags & VRS_F_SEAL) ? "seal" : "expect=fail");
			return 0;
		}
		break;
	case KW_MODULE:
		c->seen_object = true;
		if (!need_name(c, &tk, 1, "a name (module P1.vol ll | module P2.src dp size=28K)",
			       s->name))
			return 0;
		if (tk.n < 3) {
			DIAG(c, "'module' needs a domain after the name: ll or dp");
			return 0;
		}
		if (!strcmp(tk.t[2], "ll")) {
			s->modkind = VRS_OBJ_LL;
		} else if (!strcmp(tk.t[2], "dp")) {
			s->modkind = VRS_OBJ_DP;
		} else {
			DIAG(c, "module domain must be 'll' or 'dp', not '%s'", tk.t[2]);
			return 0;
		}
		if (s->modkind == VRS_OBJ_LL && tk.n > 3) {
			DIAG(c, "extra argument '%s': ll modules share their pipeline's region "
				"(no options)", tk.t[3]);
			return 0;
		}
		if (!options(c, &tk, 3, "size= seal expect=", s))
			return 0;
		if (s->modkind == VRS_OBJ_DP && !s->size)
			s->size = VRS_DP_DEFAULT_SIZE;
		break;
	case KW_ALLOC:
		if (!need_name(c, &tk, 1, "a name and a size (alloc P1.vol.cfg 400)", s->name))
			return 0;
		if (tk.n < 3) {
			DIAG(c, "'alloc' needs a size after the name (alloc %s 400)", s->name);
			return 0;
		}
		if (!number(c, "the size", tk.t[2], &s->size))
			return 0;
		if (!s->size) {
			DIAG(c, "allocation size must be > 0");
			return 0;
		}
		if (!options(c, &tk, 3, "align= coherent expect=", s))
			return 0;
		break;
	case KW_FREE:
	case KW_START:
	case KW_STOP:
	case KW_DESTROY:
		if (!need_name(c, &tk, 1, "a name", s->name) || !no_extra(c, &tk, 2))
			return 0;
		break;
	case KW_COMPLETE:
		if (!need_name(c, &tk, 1, "a pipeline or dp module name", s->name))
			return 0;
		if (!options(c, &tk, 2, "expect=", s))
			return 0;
		break;
	case KW_RESET:
		if (!need_name(c, &tk, 1, "a pipeline name", s->name))
			return 0;
		if (!options(c, &tk, 2, "interim-reset", s))
			return 0;
		break;
	case KW_BIND:
		if (!need_name(c, &tk, 1, "two module names (bind P2.dai P2.src)", s->name) ||
		    !need_name(c, &tk, 2, "two module names (bind P2.dai P2.src)", s->name2))
			return 0;
		k = 3;
		if (tk.n > 3 && !strcmp(tk.t[3], "as")) {
			if (!need_name(c, &tk, 4, "a buffer name after 'as'", s->as))
				return 0;
			k = 5;
		}
		if (tk.n > k && strcmp(tk.t[k], "heap")) {
			DIAG(c, "extra argument '%s' for 'bind' (bind A B [as NAME] [heap])", tk.t[k]);
			return 0;
		}
		if (tk.n > k)
			s->flags |= VRS_F_HEAP;
		if (!no_extra(c, &tk, k + (tk.n > k)))
			return 0;
		break;
	case KW_UNBIND:
		if (!need_name(c, &tk, 1, "a buffer name or two module names", s->name))
			return 0;
		if (tk.n > 2 && !need_name(c, &tk, 2, "a module name", s->name2))
			return 0;
		if (!no_extra(c, &tk, 3))
			return 0;
		break;
	case KW_REPEAT: {
		size_t v = 0;
		bool ok = false;

		if (c->depth == VRS_MAX_NEST) {
			DIAG(c, "repeat blocks nested too deep (at most %d)", VRS_MAX_NEST);
			c->overflow++;	/* its end is swallowed, not a second error */
			return 0;
		}
		/* a wrong repeat line still opens its block, so that its end does
		 * not cause a second error */
		if (tk.n < 2)
			DIAG(c, "'repeat' needs a count (repeat 10 { ... } or repeat 10 ... end)");
		else if (!number(c, "the repeat count", tk.t[1], &v))
			;
		else if (!v || v > VRS_MAX_REPEAT)
			DIAG(c, "repeat count must be from 1 to %u, not %s", VRS_MAX_REPEAT, tk.t[1]);
		else if (tk.n > 2 && strcmp(tk.t[2], "{"))
			DIAG(c, "extra argument '%s' for 'repeat' (repeat N {)", tk.t[2]);
		else if (no_extra(c, &tk, 3))
			ok = true;
		s->count = ok ? (unsigned long)v : 1;
		break;
	}
	case KW_END:
		if (c->overflow) {
			c->overflow--;
			return 0;
		}
		if (!no_extra(c, &tk, 1))
			return 0;
		if (!c->depth) {
			DIAG(c, "'%s' without a matching 'repeat'", tk.t[0]);
			return 0;
		}
		break;
	}

	s = push(c, tmp.kw);
	if (!s)
		return -2;
	*s = tmp;
	if (s->kw == KW_REPEAT) {
		c->open[c->depth] = c->st->n - 1;
		c->body[c->depth] = false;
		c->open_line[c->depth++] = c->line;
	} else if (s->kw == KW_END) {
		c->depth--;
		c->st->s[c->open[c->depth]].end = c->st->n - 1;
		/* an empty block would be walked count times with nothing to
		 * show for it: nested, that is hours of nothing */
		if (!c->body[c->depth])
			vrs_diag(c->dg, c->open_line[c->depth],
				 "'repeat' block has nothing to repeat (it closes at line %u)",
				 c->line);
	}
	return 0;
}

int vrs_parse(const char *file, const char *text, size_t len, size_t host_page,
	      struct vrs_scenario *sc, struct vrs_diags *dg)
{
	struct vrs_stmts st = { 0 };
	struct pctx c;
	size_t i = 0;
	int rc = 0;

	memset(sc, 0, sizeof(*sc));
	memset(dg, 0, sizeof(*dg));
	memset(&c, 0, sizeof(c));
	snprintf(sc->file, sizeof(sc->file), "%s", file ? file : "-");
	sc->plat.page = 4096;
	sc->plat.phys = 320;	/* the defaults of docs/scenarios.md (Intel ACE) */
	sc->plat.virt = 320;
	sc->plat.line = 64;
	sc->plat.align = 64;
	sc->plat.guard = 1;
	c.file = sc->file;
	c.dg = dg;
	c.st = &st;
	c.sc = sc;
	c.host_page = host_page;

	/* a UTF-8 byte order mark is skipped */
	if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3))
		i = 3;
	while (i < len && rc == 0) {
		size_t e = i;

		while (e < len && text[e] != '\n')
			e++;
		c.line++;
		rc = statement(&c, text + i, e - i);
		i = e + 1;
	}
	sc->lines = c.line;
	if (rc == 0 && c.depth) {
		while (c.depth) {
			c.depth--;
			vrs_diag(dg, c.open_line[c.depth],
				 "'repeat' block is not closed (missing 'end' or '}')");
		}
	}
	sc->statements = (unsigned)st.n;
	if (rc == 0 && dg->total == 0)
		rc = vrs_check(&st, sc, dg);
	else if (rc == 0)
		rc = -1;
	free(st.s);
	if (rc == -2) {
		memset(dg, 0, sizeof(*dg));
		vrs_diag(dg, 0, "out of memory");
	}
	if (rc) {
		char f[sizeof(sc->file)];

		memcpy(f, sc->file, sizeof(f));
		vrs_scenario_free(sc);
		memcpy(sc->file, f, sizeof(f));
	}
	return rc;
}
