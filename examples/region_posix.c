/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * region_posix.c - a page pool on the posix port and one region through both
 * phases; every return code checked, teardown in reverse order of set-up
 * (also on the error paths).
 * Build alone: cc region_posix.c $(pkg-config --cflags --libs vregion)
 */
#include <stdio.h>
#include <string.h>

#include <vregion/names.h>
#include <vregion/port_posix.h>
#include <vregion/vpage.h>
#include <vregion/vregion.h>

/* Print a failed call's error; true iff it failed. */
static int failed(int rc, const char *call)
{
	if (rc != 0)
		fprintf(stderr, "region_posix: %s: %s\n", call, vr_strerror(rc));
	return rc != 0;
}

int main(void)
{
	int status = 1;

	/* 1. The platform: 384 physical pages (a memfd) behind a 512-page
	 *    virtual window. The port logs errors only (VREGION_LOG=0..3). */
	struct vr_port port;
	struct vr_posix_port_config port_cfg = { .phys_pages = 384, .window_pages = 512 };
	if (failed(vr_posix_port_create(&port, &port_cfg), "vr_posix_port_create"))
		return 1;

	/* 2. The page pool: an unmapped guard page after every run. */
	struct vr_vpage_pool pool;
	struct vr_vpage_config pool_cfg = { .guard_pages = 1 };
	if (failed(vr_vpage_pool_init(&pool, &port, &pool_cfg), "vr_vpage_pool_init"))
		goto out_port;

	/* 3. One region of 24 KiB for a pipeline; its memory reads as zeros. */
	struct vr_region_config region_cfg = { .size = 24 * 1024, .name = "pipeline" };
	struct vr_region *vr = vr_region_create(&pool, &region_cfg);
	if (!vr) {
		fprintf(stderr, "region_posix: vr_region_create failed\n");
		goto out_pool;
	}

	/* 4. Lifetime phase: what lives as long as the pipeline is bumped from
	 *    the start, cache-line aligned, with no header per object. */
	char *module = vr_region_alloc(vr, 480);
	if (!module) {
		fprintf(stderr, "region_posix: lifetime allocation failed\n");
		goto out_region;
	}
	memset(module, 0x5a, 480);

	/* 5. The pipeline is complete: the rest of the region becomes a heap. */
	if (failed(vr_region_set_interim(vr), "vr_region_set_interim"))
		goto out_region;
	printf("phase: %s\n", vr_region_phase_name(vr_region_phase(vr)));

	/* 6. Interim phase: short-lived blocks, freed one by one. A second free
	 *    of the same block is refused (the port logs why on stderr) and
	 *    changes nothing. */
	void *params = vr_region_alloc(vr, 300);
	if (!params) {
		fprintf(stderr, "region_posix: interim allocation failed\n");
		goto out_region;
	}
	if (failed(vr_region_free(vr, params), "vr_region_free"))
		goto out_region;
	printf("second free: %s\n", vr_strerror(vr_region_free(vr, params)));

	/* A lifetime free only counts (the space is not reused); without it the
	 * last put would warn that one allocation is still live. */
	if (failed(vr_region_free(vr, module), "vr_region_free (lifetime)"))
		goto out_region;
	status = 0;

	/* 7. Teardown: the last put gives the region's pages back, then the
	 *    pool and the port go. */
out_region:
	if (vr_region_put(vr) != NULL) {
		fprintf(stderr, "region_posix: references left after the last put\n");
		status = 1;
	}
out_pool:
	if (failed(vr_vpage_pool_deinit(&pool), "vr_vpage_pool_deinit"))
		status = 1;
out_port:
	if (failed(vr_posix_port_destroy(&port), "vr_posix_port_destroy"))
		status = 1;
	if (status == 0)
		printf("region_posix: ok\n");
	return status;
}
