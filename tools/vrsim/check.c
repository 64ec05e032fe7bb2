/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tools/vrsim/check.c - the model check of a scenario: unroll repeat blocks,
 * resolve every name to an id and walk the object model (which pipelines,
 * modules, buffers, regions, page runs and allocations exist, which phase
 * each region is in, which pipeline is running) exactly as the player will,
 * so that every mistake a scenario can make statically is reported before
 * anything plays.
 *
 * What cannot be known statically is what the library will say (an
 * allocation that fails for lack of space): the player tolerates those and
 * reports them as failures.
 *
 * Cost: O(1) per statement and per event (hash tables for names; per object
 * lists of its live allocations, of a pipeline's modules and of a module's
 * buffers; per region the list of its live interim allocations), so that a
 * scenario of a million events checks in well under a second.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vregion/vregion.h"

#include "stmt.h"

enum { PS_INIT, PS_PAUSED, PS_RUNNING, PS_RESET };
enum { GONE_NEVER, GONE_FREED, GONE_DROPPED, GONE_OWNER, GONE_EXPECTED_FAIL, GONE_RELEASED };

#define M(kind) (1u << (kind))
#define M_MODULE (M(VRS_OBJ_LL) | M(VRS_OBJ_DP))

struct sobj {
	bool alive;
	bool heap;			/* buffers: bound with `heap` */
	unsigned created, destroyed;	/* lines */
	uint32_t region;		/* region instance used, VRS_NONE if none */
	int state;			/* pipelines: PS_* */
	unsigned completed;		/* line of complete (pipelines), 0 if not */
	unsigned started;		/* line of the last start */
	size_t refs;			/* regions: references held */
	uint32_t a, b;			/* buffers: endpoints */
	uint32_t allocs;		/* head of its live allocations */
	uint32_t mods;			/* pipelines: head of its live modules (id order) */
	uint32_t mod_next;		/* modules: next in the pipeline's list */
	uint32_t bufs;			/* modules: head of the live buffers bound from it */
	uint32_t buf_next, buf_prev;	/* buffers: in the list of endpoint a */
};

struct sreg {
	uint32_t owner;
	enum vr_region_phase phase;
	unsigned completed;		/* line */
	uint32_t interim;		/* head of its live interim allocations */
};

struct salloc {
	bool live;
	bool interim;
	int gone;
	uint32_t region;
	unsigned line;			/* alloc line while live, else where it went */
	uint32_t prev, next;		/* in the owner's list */
	uint32_t iprev, inext;		/* in the region's interim list */
};

/* name -> id, open addressing over a power-of-two table */
struct htab {
	uint32_t *slot;			/* id + 1, 0 = empty */
	uint32_t cap;
};

struct vrs_checker {
	struct vrs_scenario *sc;
	struct vrs_diags *dg;
	const struct vrs_stmts *st;	/* vrs_check: the statements walked */
	struct htab ho, ha;
	size_t cap_objs, cap_so, cap_allocs, cap_sa, cap_evs, cap_sr, nsr;
	struct sobj *so;
	struct salloc *sa;
	struct sreg *sr;
	unsigned line;
	int err;			/* 0, -1 (diagnosed), -2 (oom) */
};

#define FAIL(c, ...) do { vrs_diag((c)->dg, (c)->line, __VA_ARGS__); (c)->err = -1; } while (0)

/* ---- names ---- */

static uint32_t hash(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

static const char *name_of(struct vrs_checker *c, bool objs, uint32_t id)
{
	return objs ? c->sc->objs[id].name : c->sc->allocs[id].name;
}

static uint32_t hfind(struct vrs_checker *c, const struct htab *h, bool objs, const char *name)
{
	uint32_t i;

	if (!h->cap)
		return VRS_NONE;
	for (i = hash(name) & (h->cap - 1); h->slot[i]; i = (i + 1) & (h->cap - 1))
		if (!strcmp(name_of(c, objs, h->slot[i] - 1), name))
			return h->slot[i] - 1;
	return VRS_NONE;
}

static void hinsert(struct vrs_checker *c, struct htab *h, bool objs, uint32_t id)
{
	uint32_t i;

	for (i = hash(name_of(c, objs, id)) & (h->cap - 1); h->slot[i]; i = (i + 1) & (h->cap - 1))
		;
	h->slot[i] = id + 1;
}

static int hput(struct vrs_checker *c, struct htab *h, bool objs, uint32_t id, uint32_t count)
{
	if ((count + 1) * 2 > h->cap) {
		struct htab old = *h;
		uint32_t k;

		h->cap = old.cap ? old.cap * 2 : 64;
		h->slot = calloc(h->cap, sizeof(*h->slot));
		if (!h->slot) {
			*h = old;
			return -2;
		}
		for (k = 0; k < old.cap; k++)
			if (old.slot[k])
				hinsert(c, h, objs, old.slot[k] - 1);
		free(old.slot);
	}
	hinsert(c, h, objs, id);
	return 0;
}

static void *grow(void *p, size_t *cap, size_t need, size_t elem)
{
	size_t n;
	void *q;

	if (need <= *cap)
		return p;
	n = *cap ? *cap * 2 : 64;
	while (n < need)
		n *= 2;
	q = realloc(p, n * elem);
	if (!q)
		return NULL;
	memset((char *)q + *cap * elem, 0, (n - *cap) * elem);
	*cap = n;
	return q;
}

/* "a pipeline, module or buffer" (article) or "pipeline, module or buffer"
 * for the kinds in mask. */
static const char *kinds(unsigned mask, bool article, char *buf, size_t n)
{
	static const char *const word[VRS_OBJ_KINDS] = {
		"pipeline", "module", "dp module", "buffer", "region", "page run",
	};
	const char *w[VRS_OBJ_KINDS];
	unsigned k, nw = 0, i;
	size_t len = 0;

	for (k = 0; k < VRS_OBJ_KINDS; k++) {
		if (!(mask & M(k)) || (k == VRS_OBJ_DP && (mask & M(VRS_OBJ_LL))))
			continue;
		w[nw++] = k == VRS_OBJ_LL && !(mask & M(VRS_OBJ_DP)) ? "ll module" : word[k];
	}
	buf[0] = 0;
	for (i = 0; i < nw && len < n; i++) {
		const char *sep = i == 0 ? "" : i + 1 == nw ? " or " : ", ";
		const char *a = i || !article ? "" : strchr("aeiou", w[i][0]) || w[i][0] == 'l' ? "an "
										       : "a ";

		len += (size_t)snprintf(buf + len, n - len, "%s%s%s", sep, a, w[i]);
	}
	return buf;
}

/* Object id for `name` of `kind`, created on first use. VRS_NONE on error. */
static uint32_t obj_id(struct vrs_checker *c, const char *name, enum vrs_obj_kind kind)
{
	struct vrs_scenario *sc = c->sc;
	uint32_t id = hfind(c, &c->ho, true, name);

	if (id != VRS_NONE) {
		if (sc->objs[id].kind != kind) {
			FAIL(c, "'%s' was %s (line %u): a name keeps its kind", name,
			     vrs_kind_a(sc->objs[id].kind), sc->objs[id].line);
			return VRS_NONE;
		}
		return id;
	}
	if (hfind(c, &c->ha, false, name) != VRS_NONE) {
		FAIL(c, "'%s' is already the name of an allocation", name);
		return VRS_NONE;
	}
	sc->objs = grow(sc->objs, &c->cap_objs, sc->nobjs + 1, sizeof(*sc->objs));
	c->so = sc->objs ? grow(c->so, &c->cap_so, sc->nobjs + 1, sizeof(*c->so)) : NULL;
	if (!sc->objs || !c->so) {
		c->err = -2;
		return VRS_NONE;
	}
	id = sc->nobjs++;
	snprintf(sc->objs[id].name, sizeof(sc->objs[id].name), "%s", name);
	sc->objs[id].kind = kind;
	sc->objs[id].pipeline = VRS_NONE;
	sc->objs[id].line = c->line;
	c->so[id].region = VRS_NONE;
	if (hput(c, &c->ho, true, id, sc->nobjs)) {
		c->err = -2;
		return VRS_NONE;
	}
	return id;
}

/* An existing, alive object of one of the kinds in `mask` (M(kind)). */
static uint32_t live_obj(struct vrs_checker *c, const char *name, unsigned mask)
{
	uint32_t id = hfind(c, &c->ho, true, name);
	char what[96];

	if (id == VRS_NONE) {
		if (hfind(c, &c->ha, false, name) != VRS_NONE)
			FAIL(c, "'%s' is an allocation, not %s", name, kinds(mask, true, what, 96));
		else
			FAIL(c, "unknown name '%s' (no %s of that name was created before)", name,
			     kinds(mask, false, what, 96));
		return VRS_NONE;
	}
	if (!(mask & M(c->sc->objs[id].kind))) {
		FAIL(c, "'%s' is %s, not %s", name, vrs_kind_a(c->sc->objs[id].kind),
		     kinds(mask, true, what, 96));
		return VRS_NONE;
	}
	if (!c->so[id].alive) {
		static const char *const gone[VRS_OBJ_KINDS] = {
			"destroyed", "destroyed", "destroyed", "unbound", "released", "destroyed",
		};

		if (c->so[id].destroyed)
			FAIL(c, "'%s' no longer exists (%s at line %u)", name,
			     gone[c->sc->objs[id].kind], c->so[id].destroyed);
		else
			FAIL(c, "'%s' does not exist (its creation at line %u expects to fail)", name,
			     c->so[id].created);
		return VRS_NONE;
	}
	return id;
}

/* ---- events ---- */

static struct vrs_event ev(int kind, uint32_t obj)
{
	struct vrs_event e;

	memset(&e, 0, sizeof(e));
	e.kind = (uint8_t)kind;
	e.obj = obj;
	e.alloc = e.a = e.b = e.region_owner = VRS_NONE;
	return e;
}

/* The statement's recorded result goes with the event that produces it. */
static void carry(struct vrs_event *e, const struct vrs_stmt *s)
{
	e->flags = (uint16_t)(e->flags | (s->flags & (VRS_F_REC | VRS_F_REC_FAIL)));
	e->rec = s->rec;
}

static int emit(struct vrs_checker *c, const struct vrs_event *e)
{
	struct vrs_scenario *sc = c->sc;

	if (sc->nevs >= VRS_MAX_EVENTS) {
		FAIL(c, "the scenario unrolls to more than %u events (lower a repeat count)",
		     VRS_MAX_EVENTS);
		return -1;
	}
	sc->evs = grow(sc->evs, &c->cap_evs, sc->nevs + 1, sizeof(*sc->evs));
	if (!sc->evs) {
		c->err = -2;
		return -2;
	}
	sc->evs[sc->nevs] = *e;
	sc->evs[sc->nevs].line = c->line;
	if (e->flags & VRS_F_EXPECT_FAIL)
		sc->expected_failures++;
	sc->nevs++;
	return 0;
}

static uint32_t new_region(struct vrs_checker *c, uint32_t owner)
{
	c->sr = grow(c->sr, &c->cap_sr, c->nsr + 1, sizeof(*c->sr));
	if (!c->sr) {
		c->err = -2;
		return VRS_NONE;
	}
	c->sr[c->nsr].owner = owner;
	c->sr[c->nsr].phase = VR_REGION_LIFETIME;
	c->sr[c->nsr].interim = VRS_NONE;
	return (uint32_t)c->nsr++;
}

/* ---- allocation lists ---- */

static void link_alloc(struct vrs_checker *c, uint32_t id, uint32_t owner)
{
	struct salloc *a = &c->sa[id];

	a->prev = VRS_NONE;
	a->next = c->so[owner].allocs;
	if (a->next != VRS_NONE)
		c->sa[a->next].prev = id;
	c->so[owner].allocs = id;
	a->iprev = a->inext = VRS_NONE;
	if (!a->interim)
		return;
	a->inext = c->sr[a->region].interim;
	if (a->inext != VRS_NONE)
		c->sa[a->inext].iprev = id;
	c->sr[a->region].interim = id;
}

/* Allocation `id` goes away (`why`, at the current line). */
static void drop(struct vrs_checker *c, uint32_t id, int why)
{
	struct salloc *a = &c->sa[id];

	if (a->prev != VRS_NONE)
		c->sa[a->prev].next = a->next;
	else
		c->so[c->sc->allocs[id].owner].allocs = a->next;
	if (a->next != VRS_NONE)
		c->sa[a->next].prev = a->prev;
	if (a->interim) {
		if (a->iprev != VRS_NONE)
			c->sa[a->iprev].inext = a->inext;
		else
			c->sr[a->region].interim = a->inext;
		if (a->inext != VRS_NONE)
			c->sa[a->inext].iprev = a->iprev;
	}
	a->live = false;
	a->gone = why;
	a->line = c->line;
}

static void drop_owned(struct vrs_checker *c, uint32_t owner, int why)
{
	while (c->so[owner].allocs != VRS_NONE)
		drop(c, c->so[owner].allocs, why);
}

/* The live modules of pipeline p, kept in id order (the order events are
 * made in for its dp modules). */
static void link_module(struct vrs_checker *c, uint32_t p, uint32_t id)
{
	uint32_t *at = &c->so[p].mods;

	while (*at != VRS_NONE && *at < id)
		at = &c->so[*at].mod_next;
	c->so[id].mod_next = *at;
	*at = id;
}

static void unlink_module(struct vrs_checker *c, uint32_t p, uint32_t id)
{
	uint32_t *at = &c->so[p].mods;

	while (*at != VRS_NONE && *at != id)
		at = &c->so[*at].mod_next;
	if (*at == id)
		*at = c->so[id].mod_next;
}

/* ---- statements ---- */

/* A fresh instance of object id (created at the current line). */
static struct sobj *instance(struct vrs_checker *c, uint32_t id, const struct vrs_stmt *s)
{
	struct sobj *o = &c->so[id];

	memset(o, 0, sizeof(*o));
	o->region = o->a = o->b = VRS_NONE;
	o->allocs = o->mods = o->mod_next = o->bufs = o->buf_next = o->buf_prev = VRS_NONE;
	o->created = c->line;
	o->alive = !(s->flags & VRS_F_EXPECT_FAIL);
	c->sc->objs[id].instances++;
	c->sc->objs[id].seal |= (s->flags & VRS_F_SEAL) != 0;
	return o;
}

/* Object `name` of `kind` that is not alive now (a second creation is one). */
static uint32_t new_obj(struct vrs_checker *c, const char *name, enum vrs_obj_kind kind)
{
	uint32_t id = obj_id(c, name, kind);

	if (id != VRS_NONE && c->so[id].alive) {
		FAIL(c, "duplicate name '%s' (created at line %u and not destroyed)", name,
		     c->so[id].created);
		return VRS_NONE;
	}
	return id;
}

static void owns(struct vrs_checker *c, uint32_t id, size_t size, size_t align)
{
	struct vrs_object *ob = &c->sc->objs[id];

	if (!ob->owns_region && size) {
		ob->owns_region = true;
		ob->size = size;
		ob->min_align = align;
	}
}

static void do_pipeline(struct vrs_checker *c, const struct vrs_stmt *s)
{
	uint32_t id = new_obj(c, s->name, VRS_OBJ_PIPELINE);
	struct vrs_event e;
	struct sobj *o;

	if (id == VRS_NONE)
		return;
	owns(c, id, s->size, 0);
	e = ev(VRS_EV_PIPELINE, id);
	e.size = s->size;
	e.flags = (uint16_t)s->flags;
	if (emit(c, &e))
		return;
	o = instance(c, id, s);
	o->state = PS_INIT;
	if (o->alive && s->size)
		o->region = new_region(c, id);
}

/* A bare region or a page run: what a trace records. */
static void do_region(struct vrs_checker *c, const struct vrs_stmt *s)
{
	bool pages = s->kw == KW_PAGES;
	uint32_t id = new_obj(c, s->name, pages ? VRS_OBJ_PAGES : VRS_OBJ_REGION);
	struct vrs_event e;
	struct sobj *o;

	if (id == VRS_NONE)
		return;
	if (pages && !c->sc->objs[id].size)
		c->sc->objs[id].size = s->size;
	if (!pages)
		owns(c, id, s->size, s->align);
	e = ev(pages ? VRS_EV_PAGES : VRS_EV_REGION, id);
	e.size = s->size;
	e.align = s->align;
	e.flags = (uint16_t)s->flags;
	carry(&e, s);
	if (emit(c, &e))
		return;
	o = instance(c, id, s);
	o->refs = 1;
	if (o->alive && !pages)
		o->region = new_region(c, id);
}

static void do_module(struct vrs_checker *c, const struct vrs_stmt *s)
{
	char pname[VRS_NAME_MAX];
	const char *dot = strchr(s->name, '.');
	uint32_t p, id;
	struct vrs_event e;
	struct sobj *o;

	if (!dot || strchr(dot + 1, '.') || strstr(s->name, "->")) {
		FAIL(c, "module name '%s' must be PIPELINE.MODULE (e.g. P1.vol)", s->name);
		return;
	}
	snprintf(pname, sizeof(pname), "%.*s", (int)(dot - s->name), s->name);
	p = live_obj(c, pname, M(VRS_OBJ_PIPELINE));
	if (p == VRS_NONE)
		return;
	id = new_obj(c, s->name, s->modkind);
	if (id == VRS_NONE)
		return;
	c->sc->objs[id].pipeline = p;
	if (s->modkind == VRS_OBJ_DP)
		owns(c, id, s->size, 0);
	e = ev(VRS_EV_MODULE, id);
	e.size = s->modkind == VRS_OBJ_DP ? s->size : 0;
	e.flags = (uint16_t)s->flags;
	e.a = p;
	if (emit(c, &e))
		return;
	o = instance(c, id, s);
	if (!o->alive)
		return;
	o->region = s->modkind == VRS_OBJ_DP ? new_region(c, id) : c->so[p].region;
	link_module(c, p, id);
}

/* Why an owner has no region to allocate from. */
static void no_region(struct vrs_checker *c, uint32_t owner, const char *oname)
{
	const struct vrs_object *ob = &c->sc->objs[owner];

	if (ob->kind == VRS_OBJ_BUFFER && c->so[owner].heap)
		FAIL(c, "buffer '%s' has no region to allocate from (bound with 'heap': the system "
			"heap is not modeled)", oname);
	else if (ob->kind == VRS_OBJ_BUFFER)
		FAIL(c, "buffer '%s' has no region to allocate from (neither end is a dp module nor "
			"in a pipeline with size=)", oname);
	else if (ob->kind == VRS_OBJ_PAGES)
		FAIL(c, "'%s' is a page run: nothing is allocated in it (use a region)", oname);
	else
		FAIL(c, "'%s' has no region to allocate from (pipeline '%s' was created without "
			"size=)", oname, ob->kind == VRS_OBJ_PIPELINE ? oname
								    : c->sc->objs[ob->pipeline].name);
}

/* The id of allocation name s->name of `owner`, made on first use. */
static uint32_t alloc_id(struct vrs_checker *c, const struct vrs_stmt *s, uint32_t owner)
{
	struct vrs_scenario *sc = c->sc;
	uint32_t id = hfind(c, &c->ha, false, s->name);

	if (id != VRS_NONE)
		return id;
	if (hfind(c, &c->ho, true, s->name) != VRS_NONE) {
		FAIL(c, "'%s' is already the name of a pipeline, module or buffer", s->name);
		return VRS_NONE;
	}
	sc->allocs = grow(sc->allocs, &c->cap_allocs, sc->nallocs + 1, sizeof(*sc->allocs));
	c->sa = sc->allocs ? grow(c->sa, &c->cap_sa, sc->nallocs + 1, sizeof(*c->sa)) : NULL;
	if (!sc->allocs || !c->sa) {
		c->err = -2;
		return VRS_NONE;
	}
	id = sc->nallocs++;
	snprintf(sc->allocs[id].name, sizeof(sc->allocs[id].name), "%s", s->name);
	sc->allocs[id].owner = owner;
	if (hput(c, &c->ha, false, id, sc->nallocs)) {
		c->err = -2;
		return VRS_NONE;
	}
	return id;
}

static void do_alloc(struct vrs_checker *c, const struct vrs_stmt *s)
{
	const char *dot = strrchr(s->name, '.');
	char oname[VRS_NAME_MAX];
	uint32_t owner, id;
	struct vrs_event e;
	struct salloc *a;

	if (!dot || strstr(dot, "->")) {
		FAIL(c, "allocation name '%s' must be OWNER.NAME (e.g. P1.vol.cfg)", s->name);
		return;
	}
	snprintf(oname, sizeof(oname), "%.*s", (int)(dot - s->name), s->name);
	owner = live_obj(c, oname, M(VRS_OBJ_PIPELINE) | M_MODULE | M(VRS_OBJ_BUFFER) |
			 M(VRS_OBJ_REGION) | M(VRS_OBJ_PAGES));
	if (owner == VRS_NONE)
		return;
	if (c->so[owner].region == VRS_NONE) {
		no_region(c, owner, oname);
		return;
	}
	id = alloc_id(c, s, owner);
	if (id == VRS_NONE)
		return;
	a = &c->sa[id];
	if (a->live) {
		FAIL(c, "duplicate allocation '%s' (allocated at line %u and not freed)", s->name,
		     a->line);
		return;
	}
	e = ev(VRS_EV_ALLOC, owner);
	e.alloc = id;
	e.size = s->size;
	e.align = s->align;
	e.flags = (uint16_t)s->flags;
	carry(&e, s);
	if (emit(c, &e))
		return;
	a->region = c->so[owner].region;
	a->interim = c->sr[a->region].phase != VR_REGION_LIFETIME;
	a->line = c->line;
	a->gone = GONE_EXPECTED_FAIL;
	if (s->flags & VRS_F_EXPECT_FAIL)
		return;
	a->live = true;
	link_alloc(c, id, owner);
}

static void do_free(struct vrs_checker *c, const struct vrs_stmt *s)
{
	static const char *const why[] = {
		[GONE_NEVER] = "never allocated",
		[GONE_FREED] = "already freed at line %u",
		[GONE_DROPPED] = "dropped by the interim reset at line %u",
		[GONE_OWNER] = "freed with its owner at line %u",
		[GONE_EXPECTED_FAIL] = "its allocation at line %u expects to fail",
		[GONE_RELEASED] = "gone with its region, released at line %u",
	};
	uint32_t id = hfind(c, &c->ha, false, s->name), o;
	struct vrs_event e;
	char buf[96];

	if (id == VRS_NONE) {
		o = hfind(c, &c->ho, true, s->name);
		if (o != VRS_NONE)
			FAIL(c, "'%s' is %s, not an allocation (use %s)", s->name,
			     vrs_kind_a(c->sc->objs[o].kind),
			     c->sc->objs[o].kind == VRS_OBJ_BUFFER ? "unbind" :
			     c->sc->objs[o].kind == VRS_OBJ_REGION ? "put" : "destroy");
		else
			FAIL(c, "free of unknown allocation '%s' (never allocated before)", s->name);
		return;
	}
	if (!c->sa[id].live) {
		snprintf(buf, sizeof(buf), why[c->sa[id].gone], c->sa[id].line);
		FAIL(c, "free of '%s', which is not allocated (%s)", s->name, buf);
		return;
	}
	e = ev(VRS_EV_FREE, c->sc->allocs[id].owner);
	e.alloc = id;
	if (!emit(c, &e))
		drop(c, id, GONE_FREED);
}

/* set_interim of the region of `owner`; the recorded result when it is the
 * object the statement names. */
static void complete_region(struct vrs_checker *c, uint32_t owner, const struct vrs_stmt *s)
{
	struct vrs_event e = ev(VRS_EV_SET_INTERIM, owner);
	struct sreg *r = &c->sr[c->so[owner].region];

	e.flags = (uint16_t)(s->flags & VRS_F_EXPECT_FAIL);
	if (!strcmp(c->sc->objs[owner].name, s->name))
		carry(&e, s);
	if (emit(c, &e))
		return;
	r->phase = (s->flags & VRS_F_EXPECT_FAIL) ? VR_REGION_INVALID : VR_REGION_INTERIM;
	r->completed = c->line;
}

/* The live dp modules of pipeline p whose region is in `phase`, in id order. */
static void each_dp(struct vrs_checker *c, uint32_t p, enum vr_region_phase phase,
		    void (*cb)(struct vrs_checker *, uint32_t, const struct vrs_stmt *),
		    const struct vrs_stmt *s)
{
	uint32_t i;

	for (i = c->so[p].mods; i != VRS_NONE && !c->err; i = c->so[i].mod_next)
		if (c->sc->objs[i].kind == VRS_OBJ_DP && c->sr[c->so[i].region].phase == phase)
			cb(c, i, s);
}

static bool has_dp(struct vrs_checker *c, uint32_t p)
{
	uint32_t i;

	for (i = c->so[p].mods; i != VRS_NONE; i = c->so[i].mod_next)
		if (c->sc->objs[i].kind == VRS_OBJ_DP)
			return true;
	return false;
}

static void do_complete(struct vrs_checker *c, const struct vrs_stmt *s)
{
	uint32_t id = live_obj(c, s->name, M(VRS_OBJ_PIPELINE) | M(VRS_OBJ_DP) | M(VRS_OBJ_REGION));
	struct vrs_event e;
	struct sobj *o;

	if (id == VRS_NONE)
		return;
	o = &c->so[id];
	if (c->sc->objs[id].kind != VRS_OBJ_PIPELINE && c->sr[o->region].phase != VR_REGION_LIFETIME) {
		FAIL(c, "'%s' is already complete (line %u)", s->name, c->sr[o->region].completed);
		return;
	}
	if (c->sc->objs[id].kind == VRS_OBJ_PIPELINE && o->completed) {
		FAIL(c, "pipeline '%s' is already complete (line %u)", s->name, o->completed);
		return;
	}
	if ((s->flags & VRS_F_EXPECT_FAIL) && o->region == VRS_NONE && !has_dp(c, id)) {
		FAIL(c, "'complete %s expect=fail': '%s' has no region that could fail", s->name,
		     s->name);
		return;
	}
	if (c->sc->objs[id].kind != VRS_OBJ_PIPELINE) {
		complete_region(c, id, s);
	} else {
		o->completed = c->line;
		o->state = PS_PAUSED;
		if (o->region != VRS_NONE)
			complete_region(c, id, s);
		each_dp(c, id, VR_REGION_LIFETIME, complete_region, s);
	}
	/* the marker follows its set-interim events (the player says what they
	 * gave); expect=fail is counted on SET_INTERIM */
	e = ev(VRS_EV_COMPLETE, id);
	if (!c->err)
		emit(c, &e);
}

static void interim_reset_region(struct vrs_checker *c, uint32_t owner, const struct vrs_stmt *s)
{
	struct vrs_event e = ev(VRS_EV_INTERIM_RESET, owner);
	struct sreg *r = &c->sr[c->so[owner].region];

	(void)s;
	if (emit(c, &e))
		return;
	while (r->interim != VRS_NONE)
		drop(c, r->interim, GONE_DROPPED);
}

/* `reset R interim-reset` of a bare region. */
static void reset_region(struct vrs_checker *c, const struct vrs_stmt *s, uint32_t id)
{
	if (!(s->flags & VRS_F_INTERIM_RESET)) {
		FAIL(c, "a region's reset is its interim reset: reset %s interim-reset", s->name);
		return;
	}
	if (c->sr[c->so[id].region].phase != VR_REGION_INTERIM) {
		FAIL(c, "region '%s' is not in the interim phase (complete it first)", s->name);
		return;
	}
	interim_reset_region(c, id, s);
}

static void do_reset(struct vrs_checker *c, const struct vrs_stmt *s, uint32_t id)
{
	struct sobj *o = &c->so[id];
	struct vrs_event e;

	if (o->state == PS_RUNNING) {
		FAIL(c, "pipeline '%s' is running (started at line %u): stop it before reset",
		     s->name, o->started);
		return;
	}
	e = ev(VRS_EV_RESET, id);
	e.flags = (uint16_t)s->flags;
	if (emit(c, &e))
		return;
	o->state = PS_RESET;
	if (!(s->flags & VRS_F_INTERIM_RESET))
		return;
	if (o->region != VRS_NONE && c->sr[o->region].phase == VR_REGION_INTERIM)
		interim_reset_region(c, id, s);
	each_dp(c, id, VR_REGION_INTERIM, interim_reset_region, s);
}

static void do_state(struct vrs_checker *c, const struct vrs_stmt *s)
{
	uint32_t mask = M(VRS_OBJ_PIPELINE) | (s->kw == KW_RESET ? M(VRS_OBJ_REGION) : 0);
	uint32_t id = live_obj(c, s->name, mask);
	struct vrs_event e;
	struct sobj *o;

	if (id == VRS_NONE)
		return;
	if (c->sc->objs[id].kind == VRS_OBJ_REGION) {
		reset_region(c, s, id);
		return;
	}
	o = &c->so[id];
	if (!o->completed) {
		FAIL(c, "'%s %s' before 'complete %s' (the lifetime phase ends at complete)",
		     s->kw == KW_START ? "start" : s->kw == KW_STOP ? "stop" : "reset", s->name,
		     s->name);
		return;
	}
	if (s->kw == KW_RESET) {
		do_reset(c, s, id);
	} else if (s->kw == KW_START && o->state == PS_RUNNING) {
		FAIL(c, "pipeline '%s' is already running (started at line %u)", s->name, o->started);
	} else if (s->kw == KW_STOP && o->state != PS_RUNNING) {
		FAIL(c, "pipeline '%s' is not running (start it first)", s->name);
	} else {
		e = ev(s->kw == KW_START ? VRS_EV_START : VRS_EV_STOP, id);
		if (emit(c, &e))
			return;
		o->state = s->kw == KW_START ? PS_RUNNING : PS_PAUSED;
		if (s->kw == KW_START)
			o->started = c->line;
	}
}

/* Where a buffer between a and b lives: the dp side's region, else the
 * source's pipeline's, else the sink's; none with `heap`. */
static uint32_t buffer_region_owner(struct vrs_checker *c, const struct vrs_stmt *s, uint32_t a,
				    uint32_t b)
{
	const struct vrs_object *oa = &c->sc->objs[a], *ob = &c->sc->objs[b];

	if (s->flags & VRS_F_HEAP)
		return VRS_NONE;
	if (ob->kind == VRS_OBJ_DP)
		return b;
	if (oa->kind == VRS_OBJ_DP)
		return a;
	if (c->so[oa->pipeline].region != VRS_NONE)
		return oa->pipeline;
	if (c->so[ob->pipeline].region != VRS_NONE)
		return ob->pipeline;
	return VRS_NONE;
}

static void do_bind(struct vrs_checker *c, const struct vrs_stmt *s)
{
	char bname[VRS_NAME_MAX];
	uint32_t a, b, id, owner;
	struct vrs_event e;
	struct sobj *o;

	if ((a = live_obj(c, s->name, M_MODULE)) == VRS_NONE ||
	    (b = live_obj(c, s->name2, M_MODULE)) == VRS_NONE)
		return;
	if (a == b) {
		FAIL(c, "cannot bind '%s' to itself", s->name);
		return;
	}
	if (s->as[0]) {
		snprintf(bname, sizeof(bname), "%s", s->as);
	} else if ((size_t)snprintf(bname, sizeof(bname), "%s->%s", s->name, s->name2) >=
		   sizeof(bname)) {
		FAIL(c, "buffer name '%s->%s' too long: name it with 'as NAME'", s->name, s->name2);
		return;
	}
	id = obj_id(c, bname, VRS_OBJ_BUFFER);
	if (id == VRS_NONE)
		return;
	if (c->so[id].alive) {
		FAIL(c, "'%s' is already bound (buffer '%s' from line %u)", s->as[0] ? s->as : s->name,
		     bname, c->so[id].created);
		return;
	}
	owner = buffer_region_owner(c, s, a, b);
	c->sc->objs[id].pipeline = c->sc->objs[a].pipeline;
	e = ev(VRS_EV_BIND, id);
	e.a = a;
	e.b = b;
	e.region_owner = owner;
	e.flags = (uint16_t)(s->flags & VRS_F_HEAP);
	if (emit(c, &e))
		return;
	o = instance(c, id, s);
	o->heap = (s->flags & VRS_F_HEAP) != 0;
	o->a = a;
	o->b = b;
	o->region = owner == VRS_NONE ? VRS_NONE : c->so[owner].region;
	o->buf_next = c->so[a].bufs;
	if (o->buf_next != VRS_NONE)
		c->so[o->buf_next].buf_prev = id;
	c->so[a].bufs = id;
}

/* Emit the event that ends object `id` (unbind, destroy, last put), then drop
 * what it owned and mark it gone. */
static void retire(struct vrs_checker *c, enum vrs_ev_kind kind, uint32_t id,
		   const struct vrs_stmt *s)
{
	struct vrs_event e = ev(kind, id);
	struct sobj *o = &c->so[id];

	carry(&e, s);
	if (emit(c, &e))
		return;
	drop_owned(c, id, kind == VRS_EV_PUT ? GONE_RELEASED : GONE_OWNER);
	o->alive = false;
	o->destroyed = c->line;
	if (c->sc->objs[id].kind == VRS_OBJ_BUFFER) {
		if (o->buf_prev != VRS_NONE)
			c->so[o->buf_prev].buf_next = o->buf_next;
		else
			c->so[o->a].bufs = o->buf_next;
		if (o->buf_next != VRS_NONE)
			c->so[o->buf_next].buf_prev = o->buf_prev;
	} else if (c->sc->objs[id].kind == VRS_OBJ_LL || c->sc->objs[id].kind == VRS_OBJ_DP) {
		unlink_module(c, c->sc->objs[id].pipeline, id);
	}
}

static void do_unbind(struct vrs_checker *c, const struct vrs_stmt *s)
{
	uint32_t id = VRS_NONE, a, b, i;
	unsigned n = 0;

	if (!s->name2[0]) {
		id = live_obj(c, s->name, M(VRS_OBJ_BUFFER));
		if (id != VRS_NONE)
			retire(c, VRS_EV_UNBIND, id, s);
		return;
	}
	a = hfind(c, &c->ho, true, s->name);
	b = hfind(c, &c->ho, true, s->name2);
	if (a != VRS_NONE && b != VRS_NONE && (M(c->sc->objs[a].kind) & M_MODULE)) {
		for (i = c->so[a].bufs; i != VRS_NONE; i = c->so[i].buf_next) {
			if (c->so[i].b == b) {
				id = i;
				n++;
			}
		}
	}
	if (!n)
		FAIL(c, "'%s' and '%s' are not bound", s->name, s->name2);
	else if (n > 1)
		FAIL(c, "'%s' and '%s' are bound %u times: unbind one buffer by its name", s->name,
		     s->name2, n);
	else
		retire(c, VRS_EV_UNBIND, id, s);
}

static void do_destroy(struct vrs_checker *c, const struct vrs_stmt *s)
{
	uint32_t id = hfind(c, &c->ho, true, s->name), p;
	struct vrs_scenario *sc = c->sc;

	if (id != VRS_NONE && sc->objs[id].kind == VRS_OBJ_BUFFER) {
		FAIL(c, "'%s' is a buffer: use 'unbind %s'", s->name, s->name);
		return;
	}
	if (id != VRS_NONE && sc->objs[id].kind == VRS_OBJ_REGION) {
		FAIL(c, "'%s' is a region: its last 'put %s' releases it", s->name, s->name);
		return;
	}
	id = live_obj(c, s->name, M(VRS_OBJ_PIPELINE) | M_MODULE | M(VRS_OBJ_PAGES));
	if (id == VRS_NONE)
		return;
	p = sc->objs[id].kind == VRS_OBJ_PIPELINE ? id : sc->objs[id].pipeline;
	if (sc->objs[id].kind == VRS_OBJ_PIPELINE && c->so[id].mods != VRS_NONE) {
		FAIL(c, "destroy the modules of '%s' first ('%s' exists, line %u)", s->name,
		     sc->objs[c->so[id].mods].name, c->so[c->so[id].mods].created);
	} else if (p != VRS_NONE && c->so[p].state == PS_RUNNING && p == id) {
		FAIL(c, "pipeline '%s' is running (started at line %u): stop it first", s->name,
		     c->so[id].started);
	} else if (p != VRS_NONE && c->so[p].state == PS_RUNNING) {
		FAIL(c, "pipeline '%s' is running (started at line %u): stop it before destroying "
			"its module '%s'", sc->objs[p].name, c->so[p].started, s->name);
	} else {
		retire(c, VRS_EV_DESTROY, id, s);
	}
}

static void do_ref(struct vrs_checker *c, const struct vrs_stmt *s)
{
	uint32_t id = live_obj(c, s->name, M(VRS_OBJ_REGION));
	struct vrs_event e;

	if (id == VRS_NONE)
		return;
	if (s->kw == KW_PUT && c->so[id].refs == 1) {
		retire(c, VRS_EV_PUT, id, s);
		return;
	}
	e = ev(s->kw == KW_GET ? VRS_EV_GET : VRS_EV_PUT, id);
	carry(&e, s);
	if (emit(c, &e))
		return;
	c->so[id].refs += s->kw == KW_GET ? 1 : (size_t)-1;
}

int vrs_check_stmt(struct vrs_checker *c, const struct vrs_stmt *s)
{
	if (c->err)
		return c->err;
	c->line = s->line;
	switch (s->kw) {
	case KW_PIPELINE: do_pipeline(c, s); break;
	case KW_MODULE: do_module(c, s); break;
	case KW_REGION:
	case KW_PAGES: do_region(c, s); break;
	case KW_ALLOC: do_alloc(c, s); break;
	case KW_FREE: do_free(c, s); break;
	case KW_COMPLETE: do_complete(c, s); break;
	case KW_START:
	case KW_STOP:
	case KW_RESET: do_state(c, s); break;
	case KW_BIND: do_bind(c, s); break;
	case KW_UNBIND: do_unbind(c, s); break;
	case KW_DESTROY: do_destroy(c, s); break;
	case KW_GET:
	case KW_PUT: do_ref(c, s); break;
	case KW_REPEAT:
	case KW_END:
	case KW_PLATFORM:
	case KW_TITLE:
		break;
	}
	return c->err;
}

/* Walk statements [first, last), repeat blocks unrolled. */
static void walk(struct vrs_checker *c, size_t first, size_t last)
{
	size_t i;
	unsigned long k;

	for (i = first; i < last && !c->err; i++) {
		const struct vrs_stmt *s = &c->st->s[i];

		if (s->kw != KW_REPEAT) {
			vrs_check_stmt(c, s);
			continue;
		}
		for (k = 0; k < s->count && !c->err; k++)
			walk(c, i + 1, s->end);
		i = s->end;
	}
}

struct vrs_checker *vrs_check_begin(struct vrs_scenario *sc, struct vrs_diags *dg)
{
	struct vrs_checker *c = calloc(1, sizeof(*c));

	if (c) {
		c->sc = sc;
		c->dg = dg;
	}
	return c;
}

int vrs_check_end(struct vrs_checker *c)
{
	int err = c->err;

	if (!err && !c->sc->nevs) {
		vrs_diag(c->dg, 0, "empty scenario: nothing to play");
		err = -1;
	}
	vrs_check_abort(c);
	return err;
}

void vrs_check_abort(struct vrs_checker *c)
{
	free(c->ho.slot);
	free(c->ha.slot);
	free(c->so);
	free(c->sa);
	free(c->sr);
	free(c);
}

int vrs_check(const struct vrs_stmts *st, struct vrs_scenario *sc, struct vrs_diags *dg)
{
	struct vrs_checker *c = vrs_check_begin(sc, dg);

	if (!c)
		return -2;
	c->st = st;
	walk(c, 0, st->n);
	return vrs_check_end(c);
}
