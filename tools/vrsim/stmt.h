/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tools/vrsim/stmt.h - private to the parser: the statements of a .vrs file
 * after the syntax pass (parse.c), before the model check (check.c) unrolls
 * repeat blocks and resolves names.
 */
#ifndef VRSIM_STMT_H
#define VRSIM_STMT_H

#include <stdarg.h>

#include "scenario.h"

enum vrs_kw {
	KW_PLATFORM, KW_TITLE, KW_PIPELINE, KW_MODULE, KW_ALLOC, KW_FREE,
	KW_COMPLETE, KW_START, KW_STOP, KW_RESET, KW_BIND, KW_UNBIND,
	KW_DESTROY, KW_REPEAT, KW_END,
};

struct vrs_stmt {
	enum vrs_kw kw;
	unsigned flags;			/* VRS_F_* */
	unsigned line;
	char name[VRS_NAME_MAX];	/* first name argument */
	char name2[VRS_NAME_MAX];	/* bind/unbind second endpoint */
	char as[VRS_NAME_MAX];		/* bind ... as NAME ("" if absent) */
	enum vrs_obj_kind modkind;	/* module: ll or dp */
	size_t size;			/* alloc bytes, region size= (0: absent) */
	size_t align;			/* alloc align= (0: absent) */
	unsigned long count;		/* repeat count */
	size_t end;			/* repeat: index of the matching end */
};

struct vrs_stmts {
	struct vrs_stmt *s;
	size_t n, cap;
};

/* Record a diagnostic at `line` (printf-style). */
void vrs_diag(struct vrs_diags *dg, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * The model check: unroll `st` into events, resolve names, check every
 * event against the object model. Fills sc->objs/allocs/evs. Returns 0, -1
 * with diagnostics, -2 on out of memory.
 */
int vrs_check(const struct vrs_stmts *st, struct vrs_scenario *sc, struct vrs_diags *dg);

#endif /* VRSIM_STMT_H */
