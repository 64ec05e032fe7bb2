/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tools/vrsim/load.c - a scenario from its text: the syntax pass (parse.c),
 * then the model check (check.c). The one caller of both, so that neither
 * stage calls the other.
 */
#include <stdlib.h>
#include <string.h>

#include "stmt.h"

int vrs_load(const char *file, const char *text, size_t len, size_t host_page,
	     struct vrs_scenario *sc, struct vrs_diags *dg)
{
	struct vrs_stmts st = { 0 };
	int rc;

	vrs_scenario_init(sc, file);
	memset(dg, 0, sizeof(*dg));
	rc = vrs_parse(text, len, host_page, sc, &st, dg);
	if (rc == 0)
		rc = vrs_check(&st, sc, dg);
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
