/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tools/vrsim/check.c - the model check of a scenario: unroll repeat blocks,
 * resolve every name to an id and walk the object model (which pipelines,
 * modules, buffers and allocations exist, which phase each region is in,
 * which pipeline is running) exactly as the player will, so that every
 * mistake a scenario can make statically is reported before anything plays.
 *
 * What cannot be known statically is what the library will say (an
 * allocation that fails for lack of space): the player tolerates those and
 * reports them as failures.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stmt.h"

enum { PS_INIT, PS_PAUSED, PS_RUNNING, PS_RESET };
enum { GONE_NEVER, GONE_FREED, GONE_DROPPED, GONE_OWNER, GONE_EXPECTED_FAIL };
enum { PH_LIFETIME, PH_INTERIM, PH_INVALID };

struct sobj {
	bool alive;
	unsigned created, destroyed;	/* lines */
	uint32_t region;		/* region instance used, VRS_NONE if none */
	int state;			/* pipelines: PS_* */
	unsigned completed;		/* line of complete (pipelines), 0 if not */
	unsigned started;		/* line of the last start */
	uint32_t a, b;			/* buffers: endpoints */
	bool heap;			/* buffers: bound with `heap` */
};

struct sreg {
	uint32_t owner;
	int phase;
	unsigned completed;		/* line */
};

struct salloc {
	bool live;
	bool interim;
	uint32_t region;
	unsigned line;			/* alloc line while live, else where it went */
	int gone;
};

/* name -> id, open addressing over a power-of-two table */
struct htab {
	uint32_t *slot;			/* id + 1, 0 = empty */
	uint32_t cap;
};

struct cctx {
	const struct vrs_stmts *st;
	struct vrs_scenario *sc;
	struct vrs_diags *dg;
	struct htab ho, ha;
	uint32_t cap_objs, cap_allocs;
	size_t cap_evs;
	struct sobj *so;
	struct salloc *sa;
	struct sreg *sr;
	size_t nsr, cap_sr;
	unsigned line;
	int err;			/* 0, -1 (diagnosed), -2 (oom) */
};

#define FAIL(c, ...) do { vrs_diag((c)->dg, (c)->line, __VA_ARGS__); (c)->err = -1; } while (0)

static uint32_t hash(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

static const char *obj_name(struct cctx *c, uint32_t id)
{
	return c->sc->objs[id].name;
}

static const char *alloc_name(struct cctx *c, uint32_t id)
{
	return c->sc->allocs[id].name;
}

static uint32_t hfind(struct cctx *c, const struct htab *h, bool objs, const char *name)
{
	uint32_t i;

	if (!h->cap)
		return VRS_NONE;
	for (i = hash(name) & (h->cap - 1); h->slot[i]; i = (i + 1) & (h->cap - 1)) {
		uint32_t id = h->slot[i] - 1;

		if (!strcmp(objs ? obj_name(c, id) : alloc_name(c, id), name))
			return id;
	}
	return VRS_NONE;
}

static int hput(struct cctx *c, struct htab *h, bool objs, uint32_t id, uint32_t count)
{
	uint32_t i;

	if ((count + 1) * 2 > h->cap) {
		struct htab n;
		uint32_t k;

		n.cap = h->cap ? h->cap * 2 : 64;
		n.slot = calloc(n.cap, sizeof(*n.slot));
		if (!n.slot)
			return -2;
		for (k = 0; k < h->cap; k++) {
			if (!h->slot[k])
				continue;
			{
				uint32_t e = h->slot[k] - 1;
				const char *nm = objs ? obj_name(c, e) : alloc_name(c, e);

				for (i = hash(nm) & (n.cap - 1); n.slot[i]; i = (i + 1) & (n.cap - 1))
					;
				n.slot[i] = e + 1;
			}
		}
		free(h->slot);
		*h = n;
	}
	for (i = hash(objs ? obj_name(c, id) : alloc_name(c, id)) & (h->cap - 1); h->slot[i];
	     i = (i + 1) & (h->cap - 1))
		;
	h->slot[i] = id + 1;
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

/* Object id for `name` of `kind`, created on first use. VRS_NONE on error. */
static uint32_t obj_id(struct cctx *c, const char *name, enum vrs_obj_kind kind)
{
	struct vrs_scenario *sc = c->sc;
	uint32_t id = hfind(c, &c->ho, true, name);
	size_t cap;

	if (id != VRS_NONE) {
		if (sc->objs[id].kind != kind) {
			FAIL(c, "'%s' was a %s (line %u): a name keeps its kind", name,
			     vrs_kind_name(sc->objs[id].kind), sc->objs[id].line);
			return VRS_NONE;
		}
		return id;
	}
	if (hfind(c, &c->ha, false, name) != VRS_NONE) {
		FAIL(c, "'%s' is already the name of an allocation", name);
		return VRS_NONE;
	}
	cap = c->cap_objs;
	sc->objs = grow(sc->objs, &cap, sc->nobjs + 1, sizeof(*sc->objs));
	c->so = sc->objs ? grow(c->so, &(size_t){ c->cap_objs }, sc->nobjs + 1, sizeof(*c->so)) : NULL;
	if (!sc->objs || !c->so) {
		c->err = -2;
		return VRS_NONE;
	}
	c->cap_objs = (uint32_t)cap;
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

/* An existing, alive object of one of the kinds in `mask` (1 << kind). */
static uint32_t live_obj(struct cctx *c, const char *name, unsigned mask, const char *what)
{
	uint32_t id = hfind(c, &c->ho, true, name);

	if (id == VRS_NONE) {
		if (hfind(c, &c->ha, false, name) != VRS_NONE)
			FAIL(c, "'%s' is an allocation, not %s", name, what);
		else
			FAIL(c, "unknown name '%s' (no %s of that name was created before)", name, what);
		return VRS_NONE;
	}
	if (!(mask & (1u << c->sc->objs[id].kind))) {
		FAIL(c, "'%s' is a %s, not %s", name, vrs_kind_name(c->sc->objs[id].kind), what);
		return VRS_NONE;
	}
	if (!c->so[id].alive) {
		if (c->so[id].destroyed)
			FAIL(c, "'%s' no longer exists (%s at line %u)", name,
			     c->sc->objs[id].kind == VRS_OBJ_BUFFER ? "unbound" : "destroyed",
			     c->so[id].destroyed);
		else
			FAIL(c, "'%s' does not exist (its creation at line %u expects to fail)", name,
			     c->so[id].created);
		return VRS_NONE;
	}
	return id;
}

static int emit(struct cctx *c, const struct vrs_event *e)
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

static struct vrs_event ev(int kind, uint32_t obj)
{
	struct vrs_event e;

	memset(&e, 0, sizeof(e));
	e.kind = (uint8_t)kind;
	e.obj = obj;
	e.alloc = e.a = e.b = e.region_owner = VRS_NONE;
	return e;
}

static uint32_t new_region(struct cctx *c, uint32_t owner)
{
	c->sr = grow(c->sr, &c->cap_sr, c->nsr + 1, sizeof(*c->sr));
	if (!c->sr) {
		c->err = -2;
		return VRS_NONE;
	}
	c->sr[c->nsr].owner = owner;
	c->sr[c->nsr].phase = PH_LIFETIME;
	return (uint32_t)c->nsr++;
}

/* The live allocations of `owner` (or in region `reg` and interim) go away. */
static void drop_allocs(struct cctx *c, uint32_t owner, uint32_t reg, int why)
{
	uint32_t i;

	for (i = 0; i < c->sc->nallocs; i++) {
		struct salloc *a = &c->sa[i];

		if (!a->live)
			continue;
		if (owner != VRS_NONE ? c->sc->allocs[i].owner != owner
				      : !(a->region == reg && a->interim))
			continue;
		a->live = false;
		a->gone = why;
		a->line = c->line;
	}
}

static void do_pipeline(struct cctx *c, const struct vrs_stmt *s)
{
	uint32_t id = obj_id(c, s->name, VRS_OBJ_PIPELINE);
	struct vrs_event e;
	struct sobj *o;

	if (id == VRS_NONE)
		return;
	o = &c->so[id];
	if (o->alive) {
		FAIL(c, "duplicate name '%s' (created at line %u and not destroyed)", s->name,
		     o->created);
		return;
	}
	c->sc->objs[id].instances++;
	c->sc->objs[id].seal |= (s->flags & VRS_F_SEAL) != 0;
	if (!c->sc->objs[id].owns_region && s->size) {
		c->sc->objs[id].owns_region = true;
		c->sc->objs[id].size = s->size;
	}
	e = ev(VRS_EV_PIPELINE, id);
	e.size = s->size;
	e.flags = (uint8_t)s->flags;
	if (emit(c, &e))
		return;
	memset(o, 0, sizeof(*o));
	o->region = VRS_NONE;
	o->created = c->line;
	if (s->flags & VRS_F_EXPECT_FAIL)
		return;
	o->alive = true;
	o->state = PS_INIT;
	if (s->size)
		o->region = new_region(c, id);
}

static void do_module(struct cctx *c, const struct vrs_stmt *s)
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
	memcpy(pname, s->name, (size_t)(dot - s->name));
	pname[dot - s->name] = 0;
	p = live_obj(c, pname, 1u << VRS_OBJ_PIPELINE, "a pipeline");
	if (p == VRS_NONE)
		return;
	id = obj_id(c, s->name, s->modkind);
	if (id == VRS_NONE)
		return;
	o = &c->so[id];
	if (o->alive) {
		FAIL(c, "duplicate name '%s' (created at line %u and not destroyed)", s->name,
		     o->created);
		return;
	}
	c->sc->objs[id].pipeline = p;
	c->sc->objs[id].instances++;
	c->sc->objs[id].seal |= (s->flags & VRS_F_SEAL) != 0;
	if (s->modkind == VRS_OBJ_DP && !c->sc->objs[id].owns_region) {
		c->sc->objs[id].owns_region = true;
		c->sc->objs[id].size = s->size;
	}
	e = ev(VRS_EV_MODULE, id);
	e.size = s->modkind == VRS_OBJ_DP ? s->size : 0;
	e.flags = (uint8_t)s->flags;
	e.a = p;
	if (emit(c, &e))
		return;
	memset(o, 0, sizeof(*o));
	o->region = VRS_NONE;
	o->created = c->line;
	if (s->flags & VRS_F_EXPECT_FAIL)
		return;
	o->alive = true;
	o->region = s->modkind == VRS_OBJ_DP ? new_region(c, id) : c->so[p].region;
}

static void do_alloc(struct cctx *c, const struct vrs_stmt *s)
{
	const char *dot = strrchr(s->name, '.');
	char oname[VRS_NAME_MAX];
	struct vrs_scenario *sc = c->sc;
	uint32_t owner, id;
	struct vrs_event e;
	struct salloc *a;

	if (!dot || (dot[1] == '>' ) || strstr(dot, "->")) {
		FAIL(c, "allocation name '%s' must be OWNER.NAME (e.g. P1.vol.cfg)", s->name);
		return;
	}
	memcpy(oname, s->name, (size_t)(dot - s->name));
	oname[dot - s->name] = 0;
	owner = live_obj(c, oname, 0xf, "a pipeline, module or buffer");
	if (owner == VRS_NONE)
		return;
	if (c->so[owner].region == VRS_NONE) {
		const struct vrs_object *ob = &sc->objs[owner];

		if (ob->kind == VRS_OBJ_BUFFER && c->so[owner].heap)
			FAIL(c, "buffer '%s' has no region to allocate from (bound with 'heap': the "
				"system heap is not modeled)", oname);
		else if (ob->kind == VRS_OBJ_BUFFER)
			FAIL(c, "buffer '%s' has no region to allocate from (neither end is a dp "
				"module nor in a pipeline with size=)", oname);
		else
			FAIL(c, "'%s' has no region to allocate from (pipeline '%s' was created "
				"without size=)", oname,
			     ob->kind == VRS_OBJ_PIPELINE ? oname : sc->objs[ob->pipeline].name);
		return;
	}
	id = hfind(c, &c->ha, false, s->name);
	if (id == VRS_NONE) {
		size_t cap = c->cap_allocs;

		if (hfind(c, &c->ho, true, s->name) != VRS_NONE) {
			FAIL(c, "'%s' is already the name of a pipeline, module or buffer", s->name);
			return;
		}
		sc->allocs = grow(sc->allocs, &cap, sc->nallocs + 1, sizeof(*sc->allocs));
		c->sa = sc->allocs ? grow(c->sa, &(size_t){ c->cap_allocs }, sc->nallocs + 1,
					  sizeof(*c->sa)) : NULL;
		if (!sc->allocs || !c->sa) {
			c->err = -2;
			return;
		}
		c->cap_allocs = (uint32_t)cap;
		id = sc->nallocs++;
		snprintf(sc->allocs[id].name, sizeof(sc->allocs[id].name), "%s", s->name);
		sc->allocs[id].owner = owner;
		if (hput(c, &c->ha, false, id, sc->nallocs)) {
			c->err = -2;
			return;
		}
	}
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
	e.flags = (uint8_t)s->flags;
	if (emit(c, &e))
		return;
	a->region = c->so[owner].region;
	a->interim = c->sr[a->region].phase != PH_LIFETIME;
	a->line = c->line;
	if (s->flags & VRS_F_EXPECT_FAIL) {
		a->gone = GONE_EXPECTED_FAIL;
		return;
	}
	a->live = true;
}

static void do_free(struct cctx *c, const struct vrs_stmt *s)
{
	uint32_t id = hfind(c, &c->ha, false, s->name);
	struct vrs_event e;
	struct salloc *a;

	if (id == VRS_NONE) {
		if (hfind(c, &c->ho, true, s->name) != VRS_NONE)
			FAIL(c, "'%s' is a %s, not an allocation (use destroy or unbind)", s->name,
			     vrs_kind_name(c->sc->objs[hfind(c, &c->ho, true, s->name)].kind));
		else
			FAIL(c, "free of unknown allocation '%s' (never allocated before)", s->name);
		return;
	}
	a = &c->sa[id];
	if (!a->live) {
		static const char *const why[] = {
			[GONE_NEVER] = "never allocated",
			[GONE_FREED] = "already freed at line %u",
			[GONE_DROPPED] = "dropped by the interim reset at line %u",
			[GONE_OWNER] = "freed with its owner at line %u",
			[GONE_EXPECTED_FAIL] = "its allocation at line %u expects to fail",
		};
		char buf[96];

		snprintf(buf, sizeof(buf), why[a->gone], a->line);
		FAIL(c, "free of '%s', which is not allocated (%s)", s->name, buf);
		return;
	}
	e = ev(VRS_EV_FREE, c->sc->allocs[id].owner);
	e.alloc = id;
	if (emit(c, &e))
		return;
	a->live = false;
	a->gone = GONE_FREED;
	a->line = c->line;
}

static void complete_region(struct cctx *c, uint32_t owner, unsigned flags)
{
	struct vrs_event e = ev(VRS_EV_SET_INTERIM, owner);
	struct sreg *r = &c->sr[c->so[owner].region];

	e.flags = (uint8_t)(flags & VRS_F_EXPECT_FAIL);
	if (emit(c, &e))
		return;
	r->phase = (flags & VRS_F_EXPECT_FAIL) ? PH_INVALID : PH_INTERIM;
	r->completed = c->line;
}

/* dp modules alive in pipeline p, in id order; cb for each */
static void each_dp(struct cctx *c, uint32_t p, void (*cb)(struct cctx *, uint32_t, unsigned),
		    unsigned flags, int need_phase)
{
	uint32_t i;

	for (i = 0; i < c->sc->nobjs && !c->err; i++) {
		if (c->sc->objs[i].kind != VRS_OBJ_DP || c->sc->objs[i].pipeline != p ||
		    !c->so[i].alive)
			continue;
		if (c->sr[c->so[i].region].phase != need_phase)
			continue;
		cb(c, i, flags);
	}
}

static void do_complete(struct cctx *c, const struct vrs_stmt *s)
{
	uint32_t id = live_obj(c, s->name, (1u << VRS_OBJ_PIPELINE) | (1u << VRS_OBJ_DP),
			       "a pipeline or dp module");
	struct vrs_event e;
	struct sobj *o;

	if (id == VRS_NONE)
		return;
	o = &c->so[id];
	e = ev(VRS_EV_COMPLETE, id);
	e.flags = (uint8_t)s->flags;
	if (c->sc->objs[id].kind == VRS_OBJ_DP) {
		if (c->sr[o->region].phase != PH_LIFETIME) {
			FAIL(c, "'%s' is already complete (line %u)", s->name,
			     c->sr[o->region].completed);
			return;
		}
		e.flags &= (uint8_t)~VRS_F_EXPECT_FAIL;	/* counted on SET_INTERIM */
		if (emit(c, &e))
			return;
		complete_region(c, id, s->flags);
		return;
	}
	if (o->completed) {
		FAIL(c, "pipeline '%s' is already complete (line %u)", s->name, o->completed);
		return;
	}
	if ((s->flags & VRS_F_EXPECT_FAIL) && o->region == VRS_NONE) {
		bool dp = false;
		uint32_t i;

		for (i = 0; i < c->sc->nobjs; i++)
			dp |= c->sc->objs[i].kind == VRS_OBJ_DP && c->sc->objs[i].pipeline == id &&
			      c->so[i].alive;
		if (!dp) {
			FAIL(c, "'complete %s expect=fail': '%s' has no region that could fail", s->name,
			     s->name);
			return;
		}
	}
	e.flags &= (uint8_t)~VRS_F_EXPECT_FAIL;
	if (emit(c, &e))
		return;
	o->completed = c->line;
	o->state = PS_PAUSED;
	if (o->region != VRS_NONE)
		complete_region(c, id, s->flags);
	each_dp(c, id, complete_region, s->flags, PH_LIFETIME);
}

static void interim_reset_region(struct cctx *c, uint32_t owner, unsigned flags)
{
	struct vrs_event e = ev(VRS_EV_INTERIM_RESET, owner);

	(void)flags;
	if (emit(c, &e))
		return;
	drop_allocs(c, VRS_NONE, c->so[owner].region, GONE_DROPPED);
}

static void do_state(struct cctx *c, const struct vrs_stmt *s)
{
	uint32_t id = live_obj(c, s->name, 1u << VRS_OBJ_PIPELINE, "a pipeline");
	struct vrs_event e;
	struct sobj *o;

	if (id == VRS_NONE)
		return;
	o = &c->so[id];
	if (!o->completed) {
		FAIL(c, "'%s %s' before 'complete %s' (the lifetime phase ends at complete)",
		     s->kw == KW_START ? "start" : s->kw == KW_STOP ? "stop" : "reset", s->name,
		     s->name);
		return;
	}
	switch (s->kw) {
	case KW_START:
		if (o->state == PS_RUNNING) {
			FAIL(c, "pipeline '%s' is already running (started at line %u)", s->name,
			     o->started);
			return;
		}
		e = ev(VRS_EV_START, id);
		if (emit(c, &e))
			return;
		o->state = PS_RUNNING;
		o->started = c->line;
		break;
	case KW_STOP:
		if (o->state != PS_RUNNING) {
			FAIL(c, "pipeline '%s' is not running (start it first)", s->name);
			return;
		}
		e = ev(VRS_EV_STOP, id);
		if (emit(c, &e))
			return;
		o->state = PS_PAUSED;
		break;
	default:
		if (o->state == PS_RUNNING) {
			FAIL(c, "pipeline '%s' is running (started at line %u): stop it before reset",
			     s->name, o->started);
			return;
		}
		e = ev(VRS_EV_RESET, id);
		e.flags = (uint8_t)s->flags;
		if (emit(c, &e))
			return;
		o->state = PS_RESET;
		if (s->flags & VRS_F_INTERIM_RESET) {
			if (o->region != VRS_NONE && c->sr[o->region].phase == PH_INTERIM)
				interim_reset_region(c, id, 0);
			each_dp(c, id, interim_reset_region, 0, PH_INTERIM);
		}
		break;
	}
}

static void do_bind(struct cctx *c, const struct vrs_stmt *s)
{
	const unsigned mods = (1u << VRS_OBJ_LL) | (1u << VRS_OBJ_DP);
	char bname[VRS_NAME_MAX];
	uint32_t a, b, id, owner = VRS_NONE;
	struct vrs_scenario *sc = c->sc;
	struct vrs_event e;
	struct sobj *o;

	a = live_obj(c, s->name, mods, "a module");
	if (a == VRS_NONE)
		return;
	b = live_obj(c, s->name2, mods, "a module");
	if (b == VRS_NONE)
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
	o = &c->so[id];
	if (o->alive) {
		FAIL(c, "'%s' is already bound (buffer '%s' from line %u)", s->as[0] ? s->as : s->name,
		     bname, o->created);
		return;
	}
	/* the buffer lives in the dp side's region, else in the source's pipeline's;
	 * `heap`: in the system heap (no region, no reference) */
	if (s->flags & VRS_F_HEAP)
		owner = VRS_NONE;
	else if (sc->objs[b].kind == VRS_OBJ_DP)
		owner = b;
	else if (sc->objs[a].kind == VRS_OBJ_DP)
		owner = a;
	else if (c->so[sc->objs[a].pipeline].region != VRS_NONE)
		owner = sc->objs[a].pipeline;
	else if (c->so[sc->objs[b].pipeline].region != VRS_NONE)
		owner = sc->objs[b].pipeline;
	sc->objs[id].instances++;
	sc->objs[id].pipeline = sc->objs[a].pipeline;
	e = ev(VRS_EV_BIND, id);
	e.a = a;
	e.b = b;
	e.region_owner = owner;
	e.flags = (uint8_t)(s->flags & VRS_F_HEAP);
	if (emit(c, &e))
		return;
	memset(o, 0, sizeof(*o));
	o->alive = true;
	o->heap = (s->flags & VRS_F_HEAP) != 0;
	o->created = c->line;
	o->a = a;
	o->b = b;
	o->region = owner == VRS_NONE ? VRS_NONE : c->so[owner].region;
}


/* Emit the event that ends object `id` (unbind, destroy), then drop what it
 * owned and mark it gone. */
static void retire(struct cctx *c, enum vrs_ev_kind kind, uint32_t id)
{
	struct vrs_event e = ev(kind, id);

	if (emit(c, &e))
		return;
	drop_allocs(c, id, VRS_NONE, GONE_OWNER);
	c->so[id].alive = false;
	c->so[id].destroyed = c->line;
}

static void do_unbind(struct cctx *c, const struct vrs_stmt *s)
{
	uint32_t id = VRS_NONE, i;

	if (!s->name2[0]) {
		id = live_obj(c, s->name, 1u << VRS_OBJ_BUFFER, "a buffer");
		if (id == VRS_NONE)
			return;
	} else {
		uint32_t a = hfind(c, &c->ho, true, s->name), b = hfind(c, &c->ho, true, s->name2);
		unsigned n = 0;

		for (i = 0; a != VRS_NONE && b != VRS_NONE && i < c->sc->nobjs; i++) {
			if (c->sc->objs[i].kind == VRS_OBJ_BUFFER && c->so[i].alive &&
			    c->so[i].a == a && c->so[i].b == b) {
				id = i;
				n++;
			}
		}
		if (!n) {
			FAIL(c, "'%s' and '%s' are not bound", s->name, s->name2);
			return;
		}
		if (n > 1) {
			FAIL(c, "'%s' and '%s' are bound %u times: unbind one buffer by its name",
			     s->name, s->name2, n);
			return;
		}
	}
	retire(c, VRS_EV_UNBIND, id);
}

static void do_destroy(struct cctx *c, const struct vrs_stmt *s)
{
	uint32_t id = hfind(c, &c->ho, true, s->name), i;
	struct vrs_scenario *sc = c->sc;

	if (id != VRS_NONE && sc->objs[id].kind == VRS_OBJ_BUFFER) {
		FAIL(c, "'%s' is a buffer: use 'unbind %s'", s->name, s->name);
		return;
	}
	id = live_obj(c, s->name, 7u, "a pipeline or module");
	if (id == VRS_NONE)
		return;
	if (sc->objs[id].kind == VRS_OBJ_PIPELINE) {
		for (i = 0; i < sc->nobjs; i++) {
			if ((sc->objs[i].kind == VRS_OBJ_LL || sc->objs[i].kind == VRS_OBJ_DP) &&
			    sc->objs[i].pipeline == id && c->so[i].alive) {
				FAIL(c, "destroy the modules of '%s' first ('%s' exists, line %u)",
				     s->name, sc->objs[i].name, c->so[i].created);
				return;
			}
		}
		if (c->so[id].state == PS_RUNNING) {
			FAIL(c, "pipeline '%s' is running (started at line %u): stop it first",
			     s->name, c->so[id].started);
			return;
		}
	} else if (c->so[sc->objs[id].pipeline].state == PS_RUNNING) {
		FAIL(c, "pipeline '%s' is running (started at line %u): stop it before destroying "
			"its module '%s'", sc->objs[sc->objs[id].pipeline].name,
		     c->so[sc->objs[id].pipeline].started, s->name);
		return;
	}
	retire(c, VRS_EV_DESTROY, id);
}

/* Walk statements [first, last) `times` times. */
static void walk(struct cctx *c, size_t first, size_t last)
{
	size_t i;

	for (i = first; i < last && !c->err; i++) {
		const struct vrs_stmt *s = &c->st->s[i];

		c->line = s->line;
		switch (s->kw) {
		case KW_PIPELINE: do_pipeline(c, s); break;
		case KW_MODULE: do_module(c, s); break;
		case KW_ALLOC: do_alloc(c, s); break;
		case KW_FREE: do_free(c, s); break;
		case KW_COMPLETE: do_complete(c, s); break;
		case KW_START:
		case KW_STOP:
		case KW_RESET: do_state(c, s); break;
		case KW_BIND: do_bind(c, s); break;
		case KW_UNBIND: do_unbind(c, s); break;
		case KW_DESTROY: do_destroy(c, s); break;
		case KW_REPEAT: {
			unsigned long k;

			for (k = 0; k < s->count && !c->err; k++)
				walk(c, i + 1, s->end);
			i = s->end;
			break;
		}
		case KW_END:
		case KW_PLATFORM:
		case KW_TITLE:
			break;
		}
	}
}

int vrs_check(const struct vrs_stmts *st, struct vrs_scenario *sc, struct vrs_diags *dg)
{
	struct cctx c;

	memset(&c, 0, sizeof(c));
	c.st = st;
	c.sc = sc;
	c.dg = dg;
	walk(&c, 0, st->n);
	if (!c.err && !sc->nevs) {
		vrs_diag(dg, 0, "empty scenario: nothing to play");
		c.err = -1;
	}
	free(c.ho.slot);
	free(c.ha.slot);
	free(c.so);
	free(c.sa);
	free(c.sr);
	return c.err;
}
