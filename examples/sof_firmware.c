/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sof_firmware.c - firmware-style code on SOF's API, unchanged from what a
 * SOF module would write: a pipeline's virtual region, the module's
 * lifetime objects, the switch to the interim phase, per-stream allocations
 * through a module allocation context, a page run for a DMA buffer, then
 * the pipeline's teardown.
 *
 * The SOF calls run over the library's default pool (on a host: the posix
 * port; on bare metal: a flat port over static buffers), set up by the first
 * call. A firmware may set it up explicitly with vr_sof_init()
 * (<vregion/sof_compat.h>, used here only to tear it down at the end). SOF's
 * calls return no error codes (void, or NULL for a failed allocation): the
 * library logs why through the port's log hook.
 * Build alone: cc sof_firmware.c $(pkg-config --cflags --libs vregion)
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <rtos/alloc.h>		/* struct mod_alloc_ctx, sof_ctx_alloc, SOF_MEM_FLAG_* */
#include <sof/lib/vpage.h>	/* vpage_alloc, vpage_free */
#include <sof/lib/vregion.h>	/* vregion_create, _alloc, _set_interim, _put, ... */
#include <vregion/names.h>
#include <vregion/sof_compat.h>	/* vr_sof_deinit */

/* A module's private state: allocated once, for the pipeline's lifetime. */
struct eq_module {
	int32_t coef[64];
	uint32_t channels;
};

static int pipeline_run(void)
{
	/* Pipeline creation: one region for everything the pipeline owns. */
	struct vregion *vr = vregion_create(32 * 1024);
	if (!vr)
		return -1;

	/* Module init (lifetime phase): bumped, never freed one by one. */
	struct eq_module *eq = vregion_alloc(vr, sizeof(*eq));
	uint32_t *dsp_state = vregion_alloc_coherent(vr, 1024);	/* uncached alias */
	if (!eq || !dsp_state)
		goto fail;
	eq->channels = 2;

	/* The pipeline is complete: the rest becomes the interim heap. */
	vregion_set_interim(vr);

	/* Stream start (interim phase): the module allocates through its
	 * context, as SOF's module adapter does; blocks are freed one by one. */
	struct mod_alloc_ctx ctx = { .heap = NULL, .vreg = vr };
	void *params = sof_ctx_zalloc(&ctx, 0, 256, 0);
	void *blob = sof_ctx_alloc(&ctx, SOF_MEM_FLAG_COHERENT, 2048, 64);
	if (!params || !blob)
		goto fail;
	memset(blob, 0, 2048);
	sof_ctx_free(&ctx, blob);
	sof_ctx_free(&ctx, params);

	size_t size;
	uintptr_t start;
	vregion_mem_info(vr, &size, &start);
	printf("region of %zu bytes at %#lx, phase %s\n", size, (unsigned long)start,
	       vr_region_phase_name(vr_region_phase(vr_sof_region(vr))));

	/* Pipeline destruction: the last put releases every page at once. */
	if (vregion_put(vr) != NULL)
		return -1;
	return 0;
fail:
	vregion_put(vr);
	return -1;
}

int main(void)
{
	if (pipeline_run() != 0) {
		fprintf(stderr, "sof_firmware: the pipeline failed\n");
		return 1;
	}

	/* A DMA buffer: a run of whole pages (zeroed), outside any region. */
	uint8_t *dma = vpage_alloc(4);
	if (!dma) {
		fprintf(stderr, "sof_firmware: vpage_alloc failed\n");
		return 1;
	}
	dma[0] = 1;
	vpage_free(dma);

	/* Firmware shutdown (or a test): every page must be back. */
	int rc = vr_sof_deinit();
	if (rc != 0) {
		fprintf(stderr, "sof_firmware: vr_sof_deinit: %s\n", vr_strerror(rc));
		return 1;
	}
	printf("sof_firmware: ok\n");
	return 0;
}
