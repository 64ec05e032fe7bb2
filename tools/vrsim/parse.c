/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tools/vrsim/parse.c - the syntax pass of the scenario language: lines to
 * statements. Every statement is checked for its keyword, its arguments, its
 * options and its numbers here, one function per keyword; names and the
 * object model are checked by check.c. docs/scenarios.md is the reference
 * for what is accepted.
 */
#include <ctype.h>
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

struct pctx {
	struct vrs_diags *dg;
	struct vrs_stmts *st;
	struct vrs_scenario *sc;
	struct line_toks tk;		/* the current line's words */
	const char *raw;		/* the current line as written (title) */
	size_t rawlen;
	unsigned line;
	bool seen_platform;
	bool seen_object;
	bool seen_title;
	size_t host_page;
	size_t open[VRS_MAX_NEST];	/* indexes of open repeat statements */
	unsigned depth;
	unsigned open_line[VRS_MAX_NEST];
	bool body[VRS_MAX_NEST];	/* the open block has a statement */
	unsigned overflow;		/* repeats opened beyond VRS_MAX_NEST */
};

#define DIAG(c, ...) vrs_diag((c)->dg, (c)->line, __VA_ARGS__)
#define TK(c, i) ((c)->tk.t[i])

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

/* The words of a line up to a '#' comment; '{' and '}' are words of their own. */
static void tokenize(const char *l, size_t len, struct line_toks *tk)
{
	size_t i = 0;

	tk->n = 0;
	tk->too_many = tk->too_long = false;
	while (i < len && l[i] != '#') {
		size_t k = 0;

		if (is_space(l[i])) {
			i++;
			continue;
		}
		if (tk->n == MAX_TOKENS) {
			tk->too_many = true;
			return;
		}
		if (l[i] == '{' || l[i] == '}') {
			tk->t[tk->n][k++] = l[i++];
		} else {
			for (; i < len && !is_space(l[i]) && l[i] != '#' && l[i] != '{' && l[i] != '}';
			     i++) {
				if (k + 1 < TOKEN_MAX)
					tk->t[tk->n][k++] = l[i];
				else
					tk->too_long = true;
			}
		}
		tk->t[tk->n++][k] = 0;
	}
}

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
		} else if (c == '.') {
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

static bool need_name(struct pctx *c, unsigned i, const char *what, char *out)
{
	if (i >= c->tk.n) {
		DIAG(c, "'%s' needs %s", TK(c, 0), what);
		return false;
	}
	if (!valid_name(TK(c, i))) {
		DIAG(c, "bad name '%s' (names are letters, digits, '_' and '-', "
			"dotted, at most %d characters)", TK(c, i), VRS_NAME_MAX - 1);
		return false;
	}
	strcpy(out, TK(c, i));
	return true;
}

/* `what` names the number without an article: "size", "align", "page". */
static bool number(struct pctx *c, const char *what, const char *s, size_t *out)
{
	if (vrs_parse_size(s, out)) {
		DIAG(c, "bad number '%s' for %s (use e.g. 4096, 0x1000, 4K, 1M)", s, what);
		return false;
	}
	return true;
}

static bool no_extra(struct pctx *c, unsigned n)
{
	if (c->tk.n > n) {
		DIAG(c, "extra argument '%s' for '%s'", TK(c, n), TK(c, 0));
		return false;
	}
	return true;
}

/* Split "key=value" into key (keysz bytes); the value, or NULL for a flag. */
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

/* Is `word` (with '=' when it takes a value) in the space-separated list? */
static bool listed(const char *list, const char *word)
{
	size_t n = strlen(word);
	const char *p;

	for (p = list; (p = strstr(p, word)) != NULL; p++)
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == 0))
			return true;
	return false;
}

/* Levenshtein distance of two short words, capped at 3. */
static unsigned distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	unsigned row[32], prev, tmp;

	if (la >= 32 || lb >= 32)
		return 3;
	for (j = 0; j <= lb; j++)
		row[j] = (unsigned)j;
	for (i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = (unsigned)i;
		for (j = 1; j <= lb; j++) {
			unsigned best = prev + (a[i - 1] != b[j - 1]);

			tmp = row[j];
			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			prev = tmp;
		}
	}
	return row[lb] < 3 ? row[lb] : 3;
}

/* " (did you mean 'coherent'?)" for a key close to an accepted one, else "". */
static void suggest(const char *allowed, const char *key, char *out, size_t n)
{
	char word[32];
	const char *p = allowed;

	out[0] = 0;
	while (*p) {
		size_t k = strcspn(p, " ");

		snprintf(word, sizeof(word), "%.*s", (int)k, p);
		if (k && word[k - 1] == '=')
			word[k - 1] = 0;
		if (distance(word, key) <= (strlen(key) > 4 ? 2u : 1u)) {
			snprintf(out, n, " (did you mean '%s'?)", word);
			return;
		}
		p += k;
		while (*p == ' ')
			p++;
	}
}

/* A word where an option is expected but none matches: an option misspelt,
 * or an argument too many (a number, a name). */
static void bad_option(struct pctx *c, const char *tok, const char *key, bool val,
		       const char *allowed)
{
	char other[32], hint[64];

	snprintf(other, sizeof(other), val ? "%s" : "%s=", key);
	if (key[0] && listed(allowed, other)) {
		DIAG(c, val ? "option '%s' of '%s' takes no value"
			    : "option '%s' of '%s' needs a value (%s=...)", key, TK(c, 0), key);
		return;
	}
	if (!val && (!isalpha((unsigned char)tok[0]) || strchr(tok, '.'))) {
		DIAG(c, "extra argument '%s' for '%s'", tok, TK(c, 0));
		return;
	}
	suggest(allowed, key, hint, sizeof(hint));
	DIAG(c, "unknown option '%s' for '%s'%s (accepted: %s)", tok, TK(c, 0), hint, allowed);
}

/* The value of one option (key known to be allowed). */
static bool option_value(struct pctx *c, const char *key, const char *val, struct vrs_stmt *s)
{
	static const struct {
		const char *key;
		unsigned flag;
	} flags[] = {
		{ "coherent", VRS_F_COHERENT }, { "seal", VRS_F_SEAL },
		{ "interim-reset", VRS_F_INTERIM_RESET }, { "guard", VRS_F_GUARD },
		{ "reserve", VRS_F_RESERVE }, { "heap", VRS_F_HEAP },
	};
	size_t i;

	for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
		if (!strcmp(key, flags[i].key))
			s->flags |= flags[i].flag;
	if (!strcmp(key, "expect")) {
		if (!strcmp(val, "fail"))
			s->flags |= VRS_F_EXPECT_FAIL;
		else if (strcmp(val, "ok")) {
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
		if (!vrs_pow2(s->align) || s->align > (1u << 20)) {
			DIAG(c, "align must be a power of two from 1 to 1M, not %s", val);
			return false;
		}
	}
	return true;
}

/*
 * Parse the options of the current line from word `first` on. `allowed`
 * lists the keys this keyword accepts, separated by spaces ("size= seal
 * expect="): a key ending in '=' takes a value, others are flags.
 */
static bool options(struct pctx *c, unsigned first, const char *allowed, struct vrs_stmt *s)
{
	char seen[MAX_TOKENS][24];
	unsigned nseen = 0, i, j;

	for (i = first; i < c->tk.n; i++) {
		char key[24], pat[32];
		const char *val = opt_split(TK(c, i), key, sizeof(key));

		snprintf(pat, sizeof(pat), val ? "%s=" : "%s", key);
		if (!key[0] || !listed(allowed, pat)) {
			bad_option(c, TK(c, i), key, val != NULL, allowed);
			return false;
		}
		for (j = 0; j < nseen; j++) {
			if (!strcmp(seen[j], key)) {
				DIAG(c, "duplicate option '%s'", key);
				return false;
			}
		}
		snprintf(seen[nseen++], sizeof(seen[0]), "%s", key);
		if (!option_value(c, key, val, s))
			return false;
	}
	return true;
}

/* ---- one function per keyword: true = keep the statement ---- */

static bool kw_platform(struct pctx *c, struct vrs_stmt *s)
{
	struct vrs_platform *p = &c->sc->plat;
	bool seen[VRS_PLATFORM_KEYS] = { false };
	char msg[160];
	unsigned i, k;

	(void)s;
	if (c->depth) {
		DIAG(c, "'platform' cannot be inside a 'repeat' block");
		return false;
	}
	if (c->seen_platform) {
		DIAG(c, "duplicate 'platform' statement (one per scenario)");
		return false;
	}
	c->seen_platform = true;
	if (c->seen_object) {
		DIAG(c, "'platform' must come before the first pipeline, module or region");
		return false;
	}
	for (i = 1; i < c->tk.n; i++) {
		char key[24];
		const char *val = opt_split(TK(c, i), key, sizeof(key));

		for (k = 0; k < VRS_PLATFORM_KEYS && strcmp(key, vrs_platform_keys[k]); k++)
			;
		if (k < VRS_PLATFORM_KEYS && !val) {
			DIAG(c, "option '%s' of 'platform' needs a value (%s=...)", key, key);
			return false;
		}
		if (k < VRS_PLATFORM_KEYS && seen[k]) {
			DIAG(c, "duplicate option '%s'", key);
			return false;
		}
		if (vrs_platform_set(p, key, val ? val : "", msg, sizeof(msg))) {
			DIAG(c, "%s", msg);
			return false;
		}
		seen[k] = true;
	}
	if (vrs_platform_check(p, c->host_page, msg, sizeof(msg)))
		DIAG(c, "%s", msg);
	return false;
}

/* `title TEXT`: the rest of the line up to a comment, trimmed. */
static bool kw_title(struct pctx *c, struct vrs_stmt *s)
{
	const char *end = c->raw + c->rawlen, *p = c->raw;
	char *t = c->sc->title;
	size_t n, i, k;

	(void)s;
	if (c->depth) {
		DIAG(c, "'title' cannot be inside a 'repeat' block");
		return false;
	}
	if (c->seen_title) {
		DIAG(c, "duplicate 'title' statement");
		return false;
	}
	c->seen_title = true;
	while (p < end && is_space(*p))
		p++;
	for (p += 5; p < end && is_space(*p); p++)	/* the keyword */
		;
	for (n = 0; p + n < end && p[n] != '#'; n++)
		;
	while (n && is_space(p[n - 1]))
		n--;
	if (!n) {
		DIAG(c, "'title' needs a text");
		return false;
	}
	if (n >= sizeof(c->sc->title)) {
		DIAG(c, "title too long (%zu bytes, at most %zu)", n, sizeof(c->sc->title) - 1);
		return false;
	}
	memcpy(t, p, n);
	t[n] = 0;
	for (i = 0; i < n; i += k) {
		k = vrs_utf8_len(t + i);
		if (!k) {
			DIAG(c, "title is not valid UTF-8 (byte %zu)", i + 1);
			t[0] = 0;
			return false;
		}
	}
	if (strpbrk(t, "\"\\<&\r\f\v")) {
		DIAG(c, "title must not contain '\"', '\\', '<', '&' or a carriage return");
		t[0] = 0;
	}
	return false;
}

static bool kw_pipeline(struct pctx *c, struct vrs_stmt *s)
{
	c->seen_object = true;
	if (!need_name(c, 1, "a name (pipeline P1 [size=96K])", s->name))
		return false;
	if (strchr(s->name, '.') || strstr(s->name, "->")) {
		DIAG(c, "pipeline name '%s' must not contain '.' or '->'", s->name);
		return false;
	}
	if (!options(c, 2, "size= seal expect=", s))
		return false;
	if (!s->size && (s->flags & (VRS_F_EXPECT_FAIL | VRS_F_SEAL))) {
		DIAG(c, "'%s' needs size= (a pipeline without a region cannot fail or be sealed)",
		     (s->flags & VRS_F_SEAL) ? "seal" : "expect=fail");
		return false;
	}
	return true;
}

static bool kw_module(struct pctx *c, struct vrs_stmt *s)
{
	c->seen_object = true;
	if (!need_name(c, 1, "a name (module P1.vol ll | module P2.src dp size=28K)", s->name))
		return false;
	if (c->tk.n < 3) {
		DIAG(c, "'module' needs a domain after the name: ll or dp");
		return false;
	}
	if (!strcmp(TK(c, 2), "ll")) {
		s->modkind = VRS_OBJ_LL;
	} else if (!strcmp(TK(c, 2), "dp")) {
		s->modkind = VRS_OBJ_DP;
	} else {
		DIAG(c, "module domain must be 'll' or 'dp', not '%s'", TK(c, 2));
		return false;
	}
	if (s->modkind == VRS_OBJ_LL && c->tk.n > 3) {
		DIAG(c, "extra argument '%s': ll modules share their pipeline's region (no options)",
		     TK(c, 3));
		return false;
	}
	if (!options(c, 3, "size= seal expect=", s))
		return false;
	if (s->modkind == VRS_OBJ_DP && !s->size)
		s->size = VRS_DP_DEFAULT_SIZE;
	return true;
}

/* A region or a page run: a name that is not a buffer's "A->B". */
static bool object_name(struct pctx *c, const char *usage, struct vrs_stmt *s)
{
	c->seen_object = true;
	if (!need_name(c, 1, usage, s->name))
		return false;
	if (strstr(s->name, "->")) {
		DIAG(c, "%s name '%s' must not contain '->'", TK(c, 0), s->name);
		return false;
	}
	return true;
}

static bool kw_region(struct pctx *c, struct vrs_stmt *s)
{
	if (!object_name(c, "a name (region R1 size=16K)", s) ||
	    !options(c, 2, "size= align= seal guard expect=", s))
		return false;
	if (!s->size) {
		DIAG(c, "'region' needs size= (region %s size=16K)", s->name);
		return false;
	}
	if (s->align && (s->align < 8 || s->align > c->sc->plat.page)) {
		DIAG(c, "a region's align must be from 8 to the page size (%zu), not %zu",
		     c->sc->plat.page, s->align);
		return false;
	}
	return true;
}

static bool kw_pages(struct pctx *c, struct vrs_stmt *s)
{
	if (!object_name(c, "a name and a page count (pages V1 4)", s))
		return false;
	if (c->tk.n < 3) {
		DIAG(c, "'pages' needs a page count after the name (pages %s 4)", s->name);
		return false;
	}
	if (!number(c, "page count", TK(c, 2), &s->size))
		return false;
	if (!s->size) {
		DIAG(c, "page count must be > 0");
		return false;
	}
	return options(c, 3, "reserve expect=", s);
}

static bool kw_alloc(struct pctx *c, struct vrs_stmt *s)
{
	if (!need_name(c, 1, "a name and a size (alloc P1.vol.cfg 400)", s->name))
		return false;
	if (c->tk.n < 3) {
		DIAG(c, "'alloc' needs a size after the name (alloc %s 400)", s->name);
		return false;
	}
	if (!number(c, "size", TK(c, 2), &s->size))
		return false;
	if (!s->size) {
		DIAG(c, "allocation size must be > 0");
		return false;
	}
	return options(c, 3, "align= coherent expect=", s);
}

/* free, start, stop, destroy, get, put: one name. */
static bool kw_name(struct pctx *c, struct vrs_stmt *s)
{
	return need_name(c, 1, "a name", s->name) && no_extra(c, 2);
}

static bool kw_complete(struct pctx *c, struct vrs_stmt *s)
{
	return need_name(c, 1, "a pipeline, dp module or region name", s->name) &&
	       options(c, 2, "expect=", s);
}

static bool kw_reset(struct pctx *c, struct vrs_stmt *s)
{
	return need_name(c, 1, "a pipeline or region name", s->name) &&
	       options(c, 2, "interim-reset", s);
}

static bool kw_bind(struct pctx *c, struct vrs_stmt *s)
{
	unsigned k = 3;

	if (!need_name(c, 1, "two module names (bind P2.dai P2.src)", s->name) ||
	    !need_name(c, 2, "two module names (bind P2.dai P2.src)", s->name2))
		return false;
	if (c->tk.n > 3 && !strcmp(TK(c, 3), "as")) {
		if (!need_name(c, 4, "a buffer name after 'as'", s->as))
			return false;
		k = 5;
	}
	if (c->tk.n > k && strcmp(TK(c, k), "heap")) {
		DIAG(c, "extra argument '%s' for 'bind' (bind A B [as NAME] [heap])", TK(c, k));
		return false;
	}
	if (c->tk.n > k)
		s->flags |= VRS_F_HEAP;
	return no_extra(c, k + (c->tk.n > k));
}

static bool kw_unbind(struct pctx *c, struct vrs_stmt *s)
{
	if (!need_name(c, 1, "a buffer name or two module names", s->name))
		return false;
	if (c->tk.n > 2 && !need_name(c, 2, "a module name", s->name2))
		return false;
	return no_extra(c, 3);
}

static bool kw_repeat(struct pctx *c, struct vrs_stmt *s)
{
	size_t v = 0;
	bool ok = false;

	if (c->depth == VRS_MAX_NEST) {
		DIAG(c, "repeat blocks nested too deep (at most %d)", VRS_MAX_NEST);
		c->overflow++;	/* its end is swallowed, not a second error */
		return false;
	}
	/* a wrong repeat line still opens its block, so that its end does not
	 * cause a second error */
	if (c->tk.n < 2)
		DIAG(c, "'repeat' needs a count (repeat 10 { ... } or repeat 10 ... end)");
	else if (!number(c, "repeat count", TK(c, 1), &v))
		;
	else if (!v || v > VRS_MAX_REPEAT)
		DIAG(c, "repeat count must be from 1 to %u, not %s", VRS_MAX_REPEAT, TK(c, 1));
	else if (c->tk.n > 2 && strcmp(TK(c, 2), "{"))
		DIAG(c, "extra argument '%s' for 'repeat' (repeat N {)", TK(c, 2));
	else if (no_extra(c, 3))
		ok = true;
	s->count = ok ? (unsigned long)v : 1;
	return true;
}

static bool kw_end(struct pctx *c, struct vrs_stmt *s)
{
	(void)s;
	if (c->overflow) {
		c->overflow--;
		return false;
	}
	if (!no_extra(c, 1))
		return false;
	if (!c->depth) {
		DIAG(c, "'%s' without a matching 'repeat'", TK(c, 0));
		return false;
	}
	return true;
}

static const struct keyword {
	const char *word;
	enum vrs_kw kw;
	bool (*fn)(struct pctx *c, struct vrs_stmt *s);
} keywords[] = {
	{ "platform", KW_PLATFORM, kw_platform }, { "title", KW_TITLE, kw_title },
	{ "pipeline", KW_PIPELINE, kw_pipeline }, { "module", KW_MODULE, kw_module },
	{ "alloc", KW_ALLOC, kw_alloc }, { "free", KW_FREE, kw_name },
	{ "complete", KW_COMPLETE, kw_complete }, { "start", KW_START, kw_name },
	{ "stop", KW_STOP, kw_name }, { "reset", KW_RESET, kw_reset },
	{ "bind", KW_BIND, kw_bind }, { "unbind", KW_UNBIND, kw_unbind },
	{ "destroy", KW_DESTROY, kw_name }, { "repeat", KW_REPEAT, kw_repeat },
	{ "end", KW_END, kw_end }, { "}", KW_END, kw_end },
	{ "region", KW_REGION, kw_region }, { "get", KW_GET, kw_name },
	{ "put", KW_PUT, kw_name }, { "pages", KW_PAGES, kw_pages },
};

static struct vrs_stmt *push(struct pctx *c, const struct vrs_stmt *s)
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
	st->s[st->n] = *s;
	return &st->s[st->n++];
}

/* A kept statement opens or closes a repeat block. */
static void nest(struct pctx *c, const struct vrs_stmt *s)
{
	if (s->kw == KW_REPEAT) {
		c->open[c->depth] = c->st->n - 1;
		c->body[c->depth] = false;
		c->open_line[c->depth++] = c->line;
	} else if (s->kw == KW_END) {
		c->depth--;
		c->st->s[c->open[c->depth]].end = c->st->n - 1;
		/* an empty block would be walked count times with nothing to show
		 * for it: nested, that is hours of nothing */
		if (!c->body[c->depth])
			vrs_diag(c->dg, c->open_line[c->depth],
				 "'repeat' block has nothing to repeat (it closes at line %u)", c->line);
	}
}

/* Control characters other than spaces and tabs make a line binary. */
static bool plain_text(struct pctx *c, const char *l, size_t len)
{
	size_t i;

	for (i = 0; i < len && l[i] != '#'; i++) {
		unsigned char ch = (unsigned char)l[i];

		if (ch == 0 || (ch < 32 && !is_space((char)ch)) || ch == 127) {
			DIAG(c, "bad character 0x%02x (scenarios are plain text)", ch);
			return false;
		}
	}
	return true;
}

static const struct keyword *keyword(struct pctx *c)
{
	size_t k;

	for (k = 0; k < sizeof(keywords) / sizeof(keywords[0]); k++)
		if (!strcmp(TK(c, 0), keywords[k].word))
			return &keywords[k];
	if (TK(c, 0)[0] == '{')
		DIAG(c, "'{' must follow 'repeat N' on the same line");
	else
		DIAG(c, "unknown keyword '%s' (see docs/scenarios.md)", TK(c, 0));
	return NULL;
}

/* One line. Returns -2 on out of memory, else 0 (diagnostics recorded). */
static int statement(struct pctx *c, const char *l, size_t len)
{
	const struct keyword *kw;
	struct vrs_stmt s;

	if (!plain_text(c, l, len))
		return 0;
	tokenize(l, len, &c->tk);
	if (!c->tk.n)
		return 0;
	/* a non-empty line inside a repeat block: the block has a body (even if
	 * the line is wrong: that is diagnosed on its own) */
	if (c->depth && strcmp(TK(c, 0), "end") && strcmp(TK(c, 0), "}"))
		c->body[c->depth - 1] = true;
	c->raw = l;
	c->rawlen = len;
	if (strcmp(TK(c, 0), "title")) {	/* free text: not subject to the word limits */
		if (c->tk.too_many) {
			DIAG(c, "too many arguments (at most %d words per line)", MAX_TOKENS - 1);
			return 0;
		}
		if (c->tk.too_long) {
			DIAG(c, "word too long (at most %d characters)", TOKEN_MAX - 1);
			return 0;
		}
	}
	kw = keyword(c);
	if (!kw)
		return 0;
	memset(&s, 0, sizeof(s));
	s.kw = kw->kw;
	s.line = c->line;
	if (!kw->fn(c, &s))
		return 0;
	if (!push(c, &s))
		return -2;
	nest(c, &s);
	return 0;
}

int vrs_parse(const char *text, size_t len, size_t host_page, struct vrs_scenario *sc,
	      struct vrs_stmts *st, struct vrs_diags *dg)
{
	struct pctx *c = calloc(1, sizeof(*c));
	size_t i = 0;
	int rc = 0;

	if (!c)
		return -2;
	c->dg = dg;
	c->st = st;
	c->sc = sc;
	c->host_page = host_page;
	/* a UTF-8 byte order mark is skipped */
	if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3))
		i = 3;
	while (i < len && rc == 0) {
		size_t e = i;

		while (e < len && text[e] != '\n')
			e++;
		c->line++;
		rc = statement(c, text + i, e - i);
		i = e + 1;
	}
	sc->lines = c->line;
	while (rc == 0 && c->depth) {
		c->depth--;
		vrs_diag(dg, c->open_line[c->depth], "'repeat' block is not closed (missing 'end' or '}')");
	}
	sc->statements = (unsigned)st->n;
	free(c);
	return rc ? rc : dg->total ? -1 : 0;
}
