/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tools/vrsim/report.h - the three outputs of vrsim: a text summary, the
 * same as JSON (schema in docs/vrsim.md) and an SVG drawing.
 */
#ifndef VRSIM_REPORT_H
#define VRSIM_REPORT_H

#include <stdio.h>

#include "size.h"
#include "tracefile.h"

struct vrs_report {
	const struct vrs_scenario *sc;
	const struct vrs_result *r;	/* the play as written (VRS_PLAY_RECORD) */
	const struct vrs_sizing *sz;	/* NULL when sizing was skipped */
	const char *label;		/* scenario name to print */
	const struct vrs_trace_info *trace; /* a trace was played (else NULL) */
	int exit_status;		/* what vrsim will return */
};

void vrs_report_text(FILE *f, const struct vrs_report *rp);
void vrs_report_json(FILE *f, const struct vrs_report *rp);
/* Returns 0 or -1 if writing failed. */
int vrs_report_svg(FILE *f, const struct vrs_report *rp);

/* Shared helpers (report_common.c). */
/* "line 39: alloc C.src.delay 14336 B: interim phase, largest free block
 * 8700 B" style description of a failure into buf. */
void vrs_fail_describe(const struct vrs_scenario *sc, const struct vrs_fail *f, char *buf,
		       size_t n);
/* The same, short, for the picture: "C.src.delay 14336 B at line 39: largest
 * free block 8700 B". */
void vrs_fail_short(const struct vrs_scenario *sc, const struct vrs_fail *f, char *buf, size_t n);
/* Port metadata, in bytes, of one instance of region k at `bytes`: what
 * vr_region_create asks meta_alloc for (vr_region_meta_bytes at the
 * platform's page size and the alignment the player creates it with). 0 for
 * a page run, for bytes 0, or for an alignment the library refuses. */
size_t vrs_region_meta(const struct vrs_scenario *sc, uint32_t k, size_t bytes);
/* The same at region k's recommended size; 0 when it has none (not sized,
 * no size fits, --no-size). */
size_t vrs_recommended_meta(const struct vrs_report *rp, uint32_t k);
/* Port metadata of the platform's page pool (vr_vpage_meta_bytes_for the
 * window; 0 if the library refuses the window). */
size_t vrs_pool_meta(const struct vrs_scenario *sc);

#endif /* VRSIM_REPORT_H */
