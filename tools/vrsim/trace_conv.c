/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tools/vrsim/trace_conv.c - the events of one pool of a trace into the
 * statements of the scenario language (docs/trace.md, "Replaying"), each
 * checked by the model check as it is made and, for --to-scenario, written
 * out as text.
 *
 * Identities: a region is known by its creation number; it is named by its
 * config's name (made a valid name, kept apart from a live region of the
 * same name by a suffix) or R<number>. An allocation is known by its region
 * and offset, and named REGION.a<K>, K the lowest number free in the region.
 * Page events that a region operation makes itself come just before it (its
 * run at create) or touch its pages (its free, a seal's protect): they are
 * part of it. The others are runs taken straight from the pool (`pages`).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vregion/trace.h"
#include "vregion/vregion.h"

#include "tracefile.h"

#define MAX_PENDING 16

struct tslot {
	size_t off;
	bool live;
	bool interim;
};

struct treg {
	char name[VRS_NAME_MAX];	/* "" until created */
	bool created, live;
	size_t refs;
	size_t page, npages;		/* its run (guard excluded) */
	struct tslot *slot;		/* allocation K is slot[K - 1] */
	size_t nslot, capslot;
};

struct trun {			/* a run taken straight from the pool */
	char name[VRS_NAME_MAX];
	size_t page;
	bool live, reserve;
};

/* An open-addressing map from a pair of numbers to a number (deletion by
 * backward shift, no tombstones): (region, offset) -> allocation number,
 * (0, page) -> run, (hash of a name, 0) -> owner. */
struct hent {
	uint64_t a, b;
	uint32_t val;
	bool used;
};

struct hmap {
	struct hent *e;
	size_t cap, n;
};

static size_t hslot(const struct hmap *h, uint64_t a, uint64_t b)
{
	uint64_t x = (a * 0x9e3779b97f4a7c15u) ^ (b + 0x632be59bd9b4e019u + (a << 6));

	x ^= x >> 29;
	return (size_t)(x * 0xbf58476d1ce4e5b9u >> 7) & (h->cap - 1);
}

static int hput(struct hmap *h, uint64_t a, uint64_t b, uint32_t val)
{
	size_t i;

	if ((h->n + 1) * 2 > h->cap) {
		struct hmap n = { NULL, h->cap ? h->cap * 2 : 64, 0 };

		n.e = calloc(n.cap, sizeof(*n.e));
		if (!n.e)
			return -2;
		for (i = 0; i < h->cap; i++)
			if (h->e[i].used)
				hput(&n, h->e[i].a, h->e[i].b, h->e[i].val);
		free(h->e);
		*h = n;
	}
	for (i = hslot(h, a, b); h->e[i].used; i = (i + 1) & (h->cap - 1)) {
		if (h->e[i].a == a && h->e[i].b == b) {
			h->e[i].val = val;
			return 0;
		}
	}
	h->e[i].a = a;
	h->e[i].b = b;
	h->e[i].val = val;
	h->e[i].used = true;
	h->n++;
	return 0;
}

/* The entry of (a, b), or NULL. */
static struct hent *hget(const struct hmap *h, uint64_t a, uint64_t b)
{
	size_t i;

	if (!h->cap)
		return NULL;
	for (i = hslot(h, a, b); h->e[i].used; i = (i + 1) & (h->cap - 1))
		if (h->e[i].a == a && h->e[i].b == b)
			return &h->e[i];
	return NULL;
}

static void hdel(struct hmap *h, uint64_t a, uint64_t b)
{
	struct hent *e = hget(h, a, b);
	size_t i, j, k;

	if (!e)
		return;
	i = (size_t)(e - h->e);
	h->e[i].used = false;
	h->n--;
	/* shift back the entries that probed past the hole */
	for (j = (i + 1) & (h->cap - 1); h->e[j].used; j = (j + 1) & (h->cap - 1)) {
		k = hslot(h, h->e[j].a, h->e[j].b);
		if ((j > i && (k <= i || k > j)) || (j < i && k <= i && k > j)) {
			h->e[i] = h->e[j];
			h->e[j].used = false;
			i = j;
		}
	}
}

static uint64_t name_hash(const char *s)
{
	uint64_t h = 1469598103934665603u;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211u;
	return h;
}

struct conv {
	const struct vrs_trace_opts *o;
	struct vrs_scenario *sc;
	struct vrs_diags *dg;
	struct vrs_checker *ck;
	struct vrs_trace_info *info;
	unsigned line;
	bool inited, written;
	struct treg *reg;		/* by creation number */
	size_t nreg;
	struct trun *run;
	size_t nrun, caprun;
	unsigned runs_named;
	unsigned nstmts;		/* statements made */
	FILE *body;			/* --to-scenario: the statements, folded at the end */
	char *body_text;
	size_t body_len;
	struct hmap allocs;		/* (region, offset) -> allocation number */
	struct hmap runs;		/* (0, first page) -> run index + 1 */
	struct hmap names;		/* (name hash, 1 region / 2 run) -> index */
	struct vrs_trec pend[MAX_PENDING];
	bool pend_gone[MAX_PENDING];
	unsigned npend;
	int err;
};

#define DIAG(v, ...) do { vrs_diag((v)->dg, (v)->line, __VA_ARGS__); (v)->err = -1; } while (0)

/* ---- output: the checker, and the .vrs writer ---- */

static void header_out(struct conv *v)
{
	FILE *f = v->o->scenario_out;

	if (!f || v->written)
		return;
	v->body = open_memstream(&v->body_text, &v->body_len);
	if (!v->body) {
		v->err = -2;
		return;
	}
	v->written = true;
	fprintf(f, "# Made by vrsim --to-scenario from the trace %s (pool %u):\n"
		"# one statement per recorded call; regions are named by their name or R and\n"
		"# their creation number, allocations REGION.aK. Replay: vrsim FILE.vrs\n\n",
		v->sc->file, v->info->pool);
	vrs_write_platform(f, &v->sc->plat);
	fprintf(f, "\n");
}

static void out(struct conv *v, const struct vrs_stmt *s, const char *comment)
{
	int rc;

	if (v->err)
		return;
	header_out(v);
	rc = vrs_check_stmt(v->ck, s);
	if (rc) {
		v->err = rc;
		return;
	}
	v->nstmts++;
	if (v->body)
		vrs_write_stmt(v->body, s, comment);
}

static void stmt(struct vrs_stmt *s, enum vrs_kw kw, const char *name, unsigned line)
{
	memset(s, 0, sizeof(*s));
	s->kw = kw;
	s->line = line;
	snprintf(s->name, sizeof(s->name), "%s", name);
}

static void recorded(struct vrs_stmt *s, size_t value)
{
	s->flags |= VRS_F_REC;
	s->rec = value;
}

/* ---- names ---- */

/* Is `name` the name of a region or run we made (live or not)? The map
 * holds each name's latest owner: an earlier one of that name is not live. */
static bool used(struct conv *v, const char *name, bool live_only)
{
	uint64_t h = name_hash(name);
	struct hent *e;

	if ((e = hget(&v->names, h, 1)) && !strcmp(v->reg[e->val].name, name) &&
	    (!live_only || v->reg[e->val].live))
		return true;
	if ((e = hget(&v->names, h, 2)) && !strcmp(v->run[e->val].name, name) &&
	    (!live_only || v->run[e->val].live))
		return true;
	return false;
}

/* A config name made a valid scenario name: segments [A-Za-z_][A-Za-z0-9_-]*
 * joined by '.', not ending like an allocation name (".a7"). */
static void sanitize(const char *in, char *outn, size_t n)
{
	size_t i, k = 0;
	bool seg = true;

	for (i = 0; in[i] && k + 2 < n && k < 40; i++) {
		char c = in[i];
		bool al = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
		bool dig = (c >= '0' && c <= '9') || c == '-';

		if (c == '.' && !seg) {
			outn[k++] = '.';
			seg = true;
			continue;
		}
		if (seg && !al)
			outn[k++] = '_';
		if (k + 1 < n)
			outn[k++] = al || dig ? c : '_';
		seg = false;
	}
	if (seg && k)
		outn[k++] = '_';
	outn[k] = 0;
}

/* Does the name end like one of our allocation names (".a7", ".fail39")? */
static bool alloc_like(const char *name)
{
	const char *d = strrchr(name, '.'), *n;

	if (!d)
		return false;
	n = d[1] == 'a' ? d + 2 : !strncmp(d + 1, "fail", 4) ? d + 5 : NULL;
	return n && n[0] >= '0' && n[0] <= '9' && strspn(n, "0123456789") == strlen(n);
}

/* The name of region `id` (created at the current line). */
static void region_name(struct conv *v, uint32_t id, const char *cfg, char *name)
{
	char base[VRS_NAME_MAX];
	struct hent *e;
	unsigned k;

	sanitize(cfg, base, sizeof(base));
	if (!base[0] || alloc_like(base))
		snprintf(base, sizeof(base), "R%u", id);
	/* a run of pages of that name: not a region's */
	if ((e = hget(&v->names, name_hash(base), 2)) && !strcmp(v->run[e->val].name, base))
		snprintf(base, sizeof(base), "R%u", id);
	snprintf(name, VRS_NAME_MAX, "%s", base);
	for (k = 2; used(v, name, true); k++)
		snprintf(name, VRS_NAME_MAX, "%.48s_%u", base, k);
	if (hput(&v->names, name_hash(name), 1, id))
		v->err = -2;
}

/* ---- regions and their allocations ---- */

static struct treg *region(struct conv *v, uint32_t id, bool live)
{
	if (id && id < v->nreg && v->reg[id].created && (v->reg[id].live || !live))
		return &v->reg[id];
	if (id && id < v->nreg && v->reg[id].created)
		DIAG(v, "region %u is used after its release", id);
	else
		DIAG(v, "region %u was never created (no region_create with region=%u before)", id,
		     id);
	return NULL;
}

static bool grow(void **p, size_t *cap, size_t need, size_t elem)
{
	size_t n = *cap ? *cap : 16;
	void *q;

	if (need <= *cap)
		return true;
	while (n < need)
		n *= 2;
	q = realloc(*p, n * elem);
	if (!q)
		return false;
	memset((char *)q + *cap * elem, 0, (n - *cap) * elem);
	*p = q;
	*cap = n;
	return true;
}

/* The live allocation of region id at offset off: its number (1..), or 0. */
static size_t find_slot(struct conv *v, uint32_t id, size_t off)
{
	struct hent *e = hget(&v->allocs, id, off);

	return e ? e->val : 0;
}

/* The lowest free allocation number of region g (0: out of memory). */
static size_t take_slot(struct conv *v, struct treg *g)
{
	size_t i;

	for (i = 0; i < g->nslot; i++)
		if (!g->slot[i].live)
			return i + 1;
	if (!grow((void **)&g->slot, &g->capslot, g->nslot + 1, sizeof(*g->slot))) {
		v->err = -2;
		return 0;
	}
	return ++g->nslot;
}

static void alloc_name(const struct treg *g, size_t k, char *name)
{
	snprintf(name, VRS_NAME_MAX, "%.*s.a%zu", VRS_NAME_MAX - 24, g->name, k);
}

/* ---- pending page events ---- */

/* Does page event p touch the run [page, page + npages]? (the guard page
 * after it included: a region's own guard is a reserved page) */
static bool in_run(const struct vrs_trec *p, size_t page, size_t npages)
{
	return p->rc == 0 && p->page >= page && p->page <= page + npages;
}

static struct trun *find_run(struct conv *v, size_t page)
{
	struct hent *e = hget(&v->runs, 0, page);

	return e && v->run[e->val].live ? &v->run[e->val] : NULL;
}

/* A run taken straight from the pool: `pages NAME N [reserve]`. */
static void direct_run(struct conv *v, const struct vrs_trec *p, bool gone)
{
	struct vrs_stmt s;
	struct trun *r;
	char name[VRS_NAME_MAX];

	if (p->op == VR_TRACE_PAGE_MAP || p->op == VR_TRACE_PAGE_UNMAP ||
	    p->op == VR_TRACE_PAGE_PROTECT) {
		v->info->unplayed++;
		return;
	}
	do
		snprintf(name, sizeof(name), "vpage%u", ++v->runs_named);
	while (used(v, name, false));
	stmt(&s, KW_PAGES, name, p->line);
	s.size = p->npages;
	if (p->op == VR_TRACE_PAGE_RESERVE)
		s.flags |= VRS_F_RESERVE;
	if (p->rc)
		s.flags |= p->expect_fail ? VRS_F_EXPECT_FAIL : VRS_F_REC_FAIL;
	else
		recorded(&s, p->page);
	if (!grow((void **)&v->run, &v->caprun, v->nrun + 1, sizeof(*v->run))) {
		v->err = -2;
		return;
	}
	r = &v->run[v->nrun];
	snprintf(r->name, sizeof(r->name), "%s", name);
	r->page = p->page;
	r->live = !p->rc && !gone;
	r->reserve = p->op == VR_TRACE_PAGE_RESERVE;
	if (hput(&v->names, name_hash(name), 2, (uint32_t)v->nrun) ||
	    (r->live && hput(&v->runs, 0, p->page, (uint32_t)v->nrun)))
		v->err = -2;
	v->nrun++;
	out(v, &s, p->rc && !p->expect_fail ? "failed in the trace" : NULL);
	if (!p->rc && gone) {
		stmt(&s, KW_DESTROY, name, p->line);
		out(v, &s, NULL);
	}
}

/* Pending page events: those that `keep` claims are part of the region
 * operation that follows them; the others were the program's own. */
static void flush(struct conv *v, bool (*keep)(const struct vrs_trec *, bool, const void *),
		  const void *arg)
{
	unsigned i, n = v->npend;

	v->npend = 0;
	for (i = 0; i < n && !v->err; i++) {
		if (keep && keep(&v->pend[i], v->pend_gone[i], arg))
			v->info->nested++;
		else
			direct_run(v, &v->pend[i], v->pend_gone[i]);
	}
}

static void pend(struct conv *v, const struct vrs_trec *t)
{
	if (v->npend == MAX_PENDING)
		flush(v, NULL, NULL);
	v->pend_gone[v->npend] = false;
	v->pend[v->npend++] = *t;
}

/* ---- events ---- */

/* The library's default min_align (0 asked): the cache line, at least 16. */
static void effective_align(const struct conv *v, size_t asked, size_t *align)
{
	size_t line = v->sc->plat.line ? v->sc->plat.line : 1;

	*align = asked ? asked : line > 16 ? line : 16;
}

static void pool_init(struct conv *v, const struct vrs_trec *t)
{
	const struct vrs_trace_opts *o = v->o;
	struct vrs_platform *p = &v->sc->plat;
	char msg[200];

	if (v->inited) {
		DIAG(v, "pool %u initialised twice", t->pool);
		return;
	}
	v->inited = true;
	p->page = t->page_size;
	p->phys = t->phys;
	p->virt = t->window;
	p->line = t->cache_line ? t->cache_line : 64;
	p->guard = t->guard;
	effective_align(v, 0, &p->align);
	if (o->whatif.page || o->whatif.phys || o->whatif.virt || o->whatif.line ||
	    o->whatif.align || o->has_guard)
		v->info->whatif = true;
	if (o->whatif.page)
		p->page = o->whatif.page;
	if (o->whatif.phys)
		p->phys = o->whatif.phys;
	if (o->whatif.virt)
		p->virt = o->whatif.virt;
	if (o->whatif.line)
		p->line = o->whatif.line;
	if (o->whatif.align)
		p->align = o->whatif.align;
	if (o->has_guard)
		p->guard = o->whatif.guard;
	if (vrs_platform_check(p, o->host_page, msg, sizeof(msg)))
		DIAG(v, "the recorded platform cannot be played here: %s (try a what-if: "
		     "--platform page=%zu)", msg, o->host_page ? o->host_page : 4096);
}

/* A region's own pages: the run it was given at create (taken at its
 * first page: a run of the program's that merely follows it is not the
 * region's), and the map of a guarded region's reservation. */
static bool create_claims(const struct vrs_trec *p, bool gone, const void *arg)
{
	const struct vrs_trec *t = arg;

	if (t->rc)	/* a failed create: what it tried and gave back */
		return p->rc || gone || p->op == VR_TRACE_PAGE_MAP;
	if (p->op == VR_TRACE_PAGE_ALLOC || p->op == VR_TRACE_PAGE_RESERVE)
		return p->rc == 0 && p->page == t->page;
	return in_run(p, t->page, t->npages);
}

/* A region_create's min_align the library takes (and a scenario's region
 * statement, which --to-scenario writes): 0, or a power of two from 8 to the
 * page size of the play. */
static bool region_align_ok(const struct conv *v, size_t align)
{
	return !align || (vrs_pow2(align) && align >= 8 && align <= v->sc->plat.page);
}

static void region_create(struct conv *v, const struct vrs_trec *t)
{
	struct vrs_stmt s;
	struct treg *g;
	char comment[64];
	size_t align;

	flush(v, create_claims, t);
	if (!t->size || (t->rc && !region_align_ok(v, t->align))) {
		v->info->refused++;	/* bad arguments: nothing happened */
		return;
	}
	if (!region_align_ok(v, t->align)) {
		DIAG(v, "min_align=%zu: a region's minimum alignment is 0 or a power of two from 8 "
		     "to the page size (%zu)", t->align, v->sc->plat.page);
		return;
	}
	stmt(&s, KW_REGION, "", t->line);
	s.size = t->size;
	effective_align(v, t->align, &align);
	s.align = v->o->whatif.align || align == v->sc->plat.align ? 0 : align;
	s.flags = ((t->flags & 1u) ? VRS_F_SEAL : 0) | ((t->flags & 2u) ? VRS_F_GUARD : 0);
	snprintf(comment, sizeof(comment), "trace line %u", t->line);
	if (t->rc && t->expect_fail) {
		/* expected: its own name, as a creation that does not live */
		s.flags |= VRS_F_EXPECT_FAIL;
		sanitize(t->name, s.name, sizeof(s.name));
		if (!s.name[0] || alloc_like(s.name) || used(v, s.name, true) ||
		    hget(&v->names, name_hash(s.name), 2))
			snprintf(s.name, sizeof(s.name), "R_fail%u", t->line);
		out(v, &s, comment);
		return;
	}
	if (t->rc) {
		/* never given a number: a name of its own, used once (the model
		 * keeps it: nothing follows it) */
		char base[VRS_NAME_MAX];

		s.flags |= VRS_F_REC_FAIL;
		sanitize(t->name[0] ? t->name : "R", base, sizeof(base));
		snprintf(s.name, sizeof(s.name), "%.40s_fail%u", alloc_like(base) ? "R" : base, t->line);
		snprintf(comment, sizeof(comment), "trace line %u: failed in the trace", t->line);
		out(v, &s, comment);
		return;
	}
	if (t->region >= v->nreg && !grow((void **)&v->reg, &v->nreg, (size_t)t->region + 1,
					  sizeof(*v->reg))) {
		v->err = -2;
		return;
	}
	g = &v->reg[t->region];
	if (g->created) {
		DIAG(v, "region %u created twice (region numbers are never reused)", t->region);
		return;
	}
	region_name(v, t->region, t->name, g->name);
	g->created = g->live = true;
	g->refs = 1;
	g->page = t->page;
	g->npages = t->npages;
	snprintf(s.name, sizeof(s.name), "%s", g->name);
	recorded(&s, t->page);
	out(v, &s, comment);
}

/* The live allocations of region id that pred selects go (reset, release). */
static void drop_slots(struct conv *v, uint32_t id, bool interim_only)
{
	struct treg *g = &v->reg[id];
	size_t i;

	for (i = 0; i < g->nslot; i++) {
		if (g->slot[i].live && (g->slot[i].interim || !interim_only)) {
			hdel(&v->allocs, id, g->slot[i].off);
			g->slot[i].live = false;
		}
	}
}

/* A region's own pages at its release: the free of its run. */
static bool release_claims(const struct vrs_trec *p, bool gone, const void *arg)
{
	const struct treg *g = arg;

	(void)gone;
	/* a release frees (a reservation: unmaps first), a seal protects; a
	 * run taken next to the region is the program's */
	if (p->op == VR_TRACE_PAGE_ALLOC || p->op == VR_TRACE_PAGE_RESERVE ||
	    p->op == VR_TRACE_PAGE_MAP)
		return false;
	return in_run(p, g->page, g->npages);
}

static void region_ref(struct conv *v, const struct vrs_trec *t)
{
	struct treg *g = region(v, t->region, true);
	struct vrs_stmt s;

	if (!g)
		return;
	if (t->rc) {
		v->info->refused++;
		return;
	}
	flush(v, NULL, NULL);
	stmt(&s, t->op == VR_TRACE_REGION_GET ? KW_GET : KW_PUT, g->name, t->line);
	recorded(&s, t->refs);
	out(v, &s, NULL);
	if (t->op == VR_TRACE_REGION_GET) {
		g->refs++;
	} else if (--g->refs == 0) {
		g->live = false;
		drop_slots(v, t->region, false);
	}
}

/* The last put, when the trace has a release event without its put. */
static void region_release(struct conv *v, const struct vrs_trec *t)
{
	struct treg *g = region(v, t->region, false);
	struct vrs_trec put;

	if (!g)
		return;
	flush(v, release_claims, g);
	if (!g->live)
		return;		/* its last put was traced */
	if (g->refs != 1) {
		DIAG(v, "region %u is released with %zu references held", t->region, g->refs);
		return;
	}
	put = *t;
	put.op = VR_TRACE_REGION_PUT;
	put.refs = 0;
	put.rc = 0;
	region_ref(v, &put);
}

/* complete (set_interim), and an interim reset. */
static void region_phase(struct conv *v, const struct vrs_trec *t)
{
	struct treg *g = region(v, t->region, true);
	struct vrs_stmt s;

	if (!g)
		return;
	/* a reset refused, or a set_interim after the first (a harmless second
	 * call, as upstream: SOF makes one per DP module of a pipeline; in
	 * INVALID a re-evaluation with the same result): nothing happened,
	 * nothing to play */
	if ((t->op == VR_TRACE_INTERIM_RESET && t->rc) ||
	    (t->op == VR_TRACE_SET_INTERIM && t->phase != VR_REGION_LIFETIME)) {
		v->info->refused++;
		return;
	}
	flush(v, release_claims, g);	/* a seal's protect is part of it */
	if (t->op == VR_TRACE_INTERIM_RESET) {
		stmt(&s, KW_RESET, g->name, t->line);
		s.flags = VRS_F_INTERIM_RESET;
		drop_slots(v, t->region, true);
	} else {
		stmt(&s, KW_COMPLETE, g->name, t->line);
		if (t->rc)
			s.flags |= t->expect_fail ? VRS_F_EXPECT_FAIL : VRS_F_REC_FAIL;
		else
			recorded(&s, t->off);
	}
	out(v, &s, t->rc && !t->expect_fail ? "failed in the trace" : NULL);
}

static void alloc(struct conv *v, const struct vrs_trec *t)
{
	struct treg *g = region(v, t->region, true);
	struct vrs_stmt s;
	size_t k;

	if (!g)
		return;
	if (t->rc == -EINVAL || !t->size || (t->align & (t->align - 1)) || t->align > (1u << 20)) {
		v->info->refused++;	/* bad arguments: nothing happened */
		return;
	}
	flush(v, NULL, NULL);
	stmt(&s, KW_ALLOC, "", t->line);
	s.size = t->size;
	s.align = t->align;
	if (t->coherent)
		s.flags |= VRS_F_COHERENT;
	if (t->rc && t->expect_fail) {
		/* expected: under the region's next free number, as an allocation
		 * that does not live */
		k = take_slot(v, g);
		if (!k)
			return;
		alloc_name(g, k, s.name);
		s.flags |= VRS_F_EXPECT_FAIL;
		out(v, &s, NULL);
		return;
	}
	if (t->rc) {
		/* a name of its own: in the model it stays allocated, never freed */
		s.flags |= VRS_F_REC_FAIL;
		snprintf(s.name, sizeof(s.name), "%.*s.fail%u", VRS_NAME_MAX - 24, g->name, t->line);
		out(v, &s, "failed in the trace");
		return;
	}
	k = take_slot(v, g);
	if (!k)
		return;
	alloc_name(g, k, s.name);
	recorded(&s, t->off);
	g->slot[k - 1].live = true;
	g->slot[k - 1].off = t->off;
	g->slot[k - 1].interim = t->phase == VR_REGION_INTERIM;
	if (hput(&v->allocs, t->region, t->off, (uint32_t)k))
		v->err = -2;
	out(v, &s, NULL);
}

static void region_free(struct conv *v, const struct vrs_trec *t)
{
	struct treg *g = region(v, t->region, true);
	struct vrs_stmt s;
	size_t k;

	if (!g)
		return;
	if (t->rc) {
		v->info->refused++;	/* a double free, a pointer outside: refused */
		return;
	}
	k = find_slot(v, t->region, t->off);
	if (!k) {
		DIAG(v, "free at offset %zu of region %u: nothing is allocated there", t->off,
		     t->region);
		return;
	}
	flush(v, NULL, NULL);
	stmt(&s, KW_FREE, "", t->line);
	alloc_name(g, k, s.name);
	g->slot[k - 1].live = false;
	hdel(&v->allocs, t->region, t->off);
	out(v, &s, NULL);
}

/* A page event. A run taken waits for what follows (a region's create
 * claims its own); a run given back is a run of the program's own or a
 * region's at its release; maps and protects go with a pending reservation,
 * else they are a region's (a seal) or inside a reserved run of the
 * program's (not modelled). */
/* A page event that took pages: a successful page alloc or reserve. */
static bool takes_pages(const struct vrs_trec *p)
{
	return p->rc == 0 && (p->op == VR_TRACE_PAGE_ALLOC || p->op == VR_TRACE_PAGE_RESERVE);
}

/* Did a pending event after the k-th try to take pages? (then a free of
 * the k-th cannot be played as "taken and given back" at its creation: the
 * later run was placed, or refused, while the k-th held its pages) */
static bool later_takes(const struct conv *v, unsigned k)
{
	while (++k < v->npend)
		if (v->pend[k].op == VR_TRACE_PAGE_ALLOC || v->pend[k].op == VR_TRACE_PAGE_RESERVE)
			return true;
	return false;
}

static void page_event(struct conv *v, const struct vrs_trec *t)
{
	struct trun *r;
	struct vrs_stmt s;
	unsigned k;

	if (t->op == VR_TRACE_PAGE_ALLOC || t->op == VR_TRACE_PAGE_RESERVE) {
		pend(v, t);
		return;
	}
	if (t->op != VR_TRACE_PAGE_FREE) {
		if (v->npend)
			pend(v, t);
		else if (t->rc == 0 && find_run(v, t->page))
			v->info->unplayed++;
		else
			v->info->nested++;
		return;
	}
	for (k = 0; k < v->npend; k++) {
		if (!v->pend_gone[k] && takes_pages(&v->pend[k]) && v->pend[k].page == t->page) {
			if (!later_takes(v, k)) {
				v->pend_gone[k] = true;		/* taken and given back */
				return;
			}
			/* runs were taken while it lived: the order matters, they
			 * are the program's (no region op claimed them) */
			flush(v, NULL, NULL);
			break;
		}
	}
	r = find_run(v, t->page);
	if (!r) {
		if (t->rc)
			v->info->refused++;
		else
			v->info->nested++;	/* a region's run, given back at its release */
		return;
	}
	k = (unsigned)(r - v->run);
	flush(v, NULL, NULL);		/* may grow v->run: r moves */
	if (v->err)
		return;
	r = &v->run[k];
	stmt(&s, KW_DESTROY, r->name, t->line);
	r->live = false;
	hdel(&v->runs, 0, t->page);
	out(v, &s, NULL);
}

static void event(struct conv *v, const struct vrs_trec *t)
{
	v->line = t->line;
	if (!v->inited && t->op != VR_TRACE_POOL_INIT) {
		DIAG(v, "an event of pool %u before its pool_init", t->pool);
		return;
	}
	switch (t->op) {
	case VR_TRACE_POOL_INIT: pool_init(v, t); break;
	case VR_TRACE_POOL_DEINIT:
		flush(v, NULL, NULL);
		v->info->ended = true;
		break;
	case VR_TRACE_REGION_CREATE: region_create(v, t); break;
	case VR_TRACE_REGION_GET:
	case VR_TRACE_REGION_PUT: region_ref(v, t); break;
	case VR_TRACE_REGION_RELEASE: region_release(v, t); break;
	case VR_TRACE_SET_INTERIM:
	case VR_TRACE_INTERIM_RESET: region_phase(v, t); break;
	case VR_TRACE_ALLOC: alloc(v, t); break;
	case VR_TRACE_FREE: region_free(v, t); break;
	default: page_event(v, t); break;
	}
}

/* Read every event; those of the pool played are converted. */
static int read_all(struct conv *v, struct vrs_treader *rd)
{
	struct vrs_trec t;
	unsigned char *seen = calloc(VRS_TRACE_POOLS, 1);
	int rc = 0;

	if (!seen)
		return v->err = -2;
	while (!v->err && (rc = vrs_treader_next(rd, &t)) > 0) {
		if (!t.pool && v->info->pools == 1) {
			t.pool = v->info->pool;	/* pool=0: the one pool there is */
		} else if (!t.pool) {
			v->line = t.line;
			DIAG(v, "an event without its pool (pool=0) in a trace of %u pools",
			     v->info->pools);
			break;
		}
		if (t.op == VR_TRACE_POOL_INIT) {
			v->info->pools += !seen[t.pool];
			seen[t.pool] = 1;
			if (!v->info->pool)
				v->info->pool = t.pool;	/* the first one */
		}
		if (!seen[t.pool]) {
			v->line = t.line;
			DIAG(v, "an event of pool %u before its pool_init", t.pool);
			break;
		}
		if (t.pool != v->info->pool) {
			v->info->other_pools++;
			continue;
		}
		if (v->info->ended) {
			v->line = t.line;
			DIAG(v, "an event of pool %u after its pool_deinit", t.pool);
			break;
		}
		v->info->events++;
		event(v, &t);
	}
	free(seen);
	if (rc < 0)
		v->err = -1;
	if (!v->err)
		flush(v, NULL, NULL);
	return v->err;
}

int vrs_trace_load(const char *file, const char *text, size_t len,
		   const struct vrs_trace_opts *o, struct vrs_scenario *sc,
		   struct vrs_trace_info *info, struct vrs_diags *dg)
{
	struct conv v;
	struct vrs_treader *rd;
	size_t i;
	int rc;

	vrs_scenario_init(sc, file);
	memset(dg, 0, sizeof(*dg));
	memset(info, 0, sizeof(*info));
	memset(&v, 0, sizeof(v));
	v.o = o;
	v.sc = sc;
	v.dg = dg;
	v.info = info;
	info->pool = o->pool;
	rd = vrs_treader_new(text, len, o->prefix, dg);
	v.ck = rd ? vrs_check_begin(sc, dg) : NULL;
	rc = v.ck ? read_all(&v, rd) : -2;
	info->lines = rd ? vrs_treader_lines(rd) : 0;
	if (!rc && !v.inited) {
		v.line = info->lines;
		DIAG(&v, "no pool_init of pool %u in the trace", o->pool);
		rc = -1;
	}
	sc->lines = info->lines;
	sc->statements = v.nstmts;
	if (v.ck && rc)
		vrs_check_abort(v.ck);
	else if (v.ck)
		rc = vrs_check_end(v.ck);
	vrs_treader_free(rd);
	if (v.body && !fclose(v.body) && !rc)
		vrs_write_folded(o->scenario_out, v.body_text, v.body_len);
	free(v.body_text);
	for (i = 0; i < v.nreg; i++)
		free(v.reg[i].slot);
	free(v.reg);
	free(v.run);
	free(v.allocs.e);
	free(v.runs.e);
	free(v.names.e);
	if (rc == -2) {
		memset(dg, 0, sizeof(*dg));
		vrs_diag(dg, 0, "out of memory");
	}
	if (rc)
		vrs_scenario_free(sc);
	return rc;
}
