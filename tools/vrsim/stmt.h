/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tools/vrsim/stmt.h - the statements of the scenario language: what the
 * syntax pass (parse.c) makes of a .vrs file, and the trace reader
 * (trace_read.c) of a trace, before the model check (check.c) unrolls
 * repeat blocks and resolves names into events (scenario.h).
 */
#ifndef VRSIM_STMT_H
#define VRSIM_STMT_H

#include "scenario.h"

enum vrs_kw {
	KW_PLATFORM, KW_TITLE, KW_PIPELINE, KW_MODULE, KW_ALLOC, KW_FREE,
	KW_COMPLETE, KW_START, KW_STOP, KW_RESET, KW_BIND, KW_UNBIND,
	KW_DESTROY, KW_REPEAT, KW_END, KW_REGION, KW_GET, KW_PUT, KW_PAGES,
};

struct vrs_stmt {
	enum vrs_kw kw;
	unsigned flags;			/* VRS_F_* */
	unsigned line;
	char name[VRS_NAME_MAX];	/* first name argument */
	char name2[VRS_NAME_MAX];	/* bind/unbind second endpoint */
	char as[VRS_NAME_MAX];		/* bind ... as NAME ("" if absent) */
	enum vrs_obj_kind modkind;	/* module: ll or dp */
	size_t size;			/* alloc bytes, region size= (0: absent), pages */
	size_t align;			/* alloc align=, region align= (0: absent) */
	unsigned long count;		/* repeat count */
	size_t end;			/* repeat: index of the matching end */
	size_t rec;			/* VRS_F_REC: the recorded result (vrs_event.rec) */
};

struct vrs_stmts {
	struct vrs_stmt *s;
	size_t n, cap;
};

/*
 * The syntax pass: `len` bytes of `text` into statements (*st, free st->s),
 * the platform and title into *sc (which the caller set up with
 * vrs_scenario_init), sc->lines and sc->statements. Returns 0, -1 with
 * diagnostics in *dg (st keeps what parsed), -2 on out of memory.
 */
int vrs_parse(const char *text, size_t len, size_t host_page, struct vrs_scenario *sc,
	      struct vrs_stmts *st, struct vrs_diags *dg);

/*
 * The model check: unroll `st` into events, resolve names, check every
 * event against the object model. Fills sc->objs/allocs/evs. Returns 0, -1
 * with diagnostics, -2 on out of memory. The same, one statement at a time
 * (no repeat blocks: a trace), is vrs_check_begin/_stmt/_end.
 */
int vrs_check(const struct vrs_stmts *st, struct vrs_scenario *sc, struct vrs_diags *dg);

struct vrs_checker;
/* NULL on out of memory. */
struct vrs_checker *vrs_check_begin(struct vrs_scenario *sc, struct vrs_diags *dg);
/* Check statement s (its line is s->line). Returns 0, -1 (diagnosed: the
 * check stops at its first error), -2 (out of memory). */
int vrs_check_stmt(struct vrs_checker *ck, const struct vrs_stmt *s);
/* Finish (an empty scenario is an error) and free ck. Returns as vrs_check. */
int vrs_check_end(struct vrs_checker *ck);
/* Free ck without finishing (the caller found an error of its own). */
void vrs_check_abort(struct vrs_checker *ck);

#endif /* VRSIM_STMT_H */
