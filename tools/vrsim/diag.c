/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tools/vrsim/diag.c - diagnostics of bad input ("FILE:LINE: what is wrong"),
 * shared by the scenario parser, the model check and the trace reader.
 */
#include <stdarg.h>
#include <stdio.h>

#include "scenario.h"

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
		fprintf(f, "%s: %u more error%s not shown\n", file, dg->total - dg->n,
			dg->total - dg->n == 1 ? "" : "s");
}
