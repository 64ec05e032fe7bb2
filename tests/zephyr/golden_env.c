/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * golden_env.c - the environment of test_zephyr_sof_golden: SOF's golden
 * vectors (tests/test_sof_golden.c, unchanged) through SOF mode. Before
 * main, a simulated driver with a region of attribute 3 of VR_SOF_VIRT_PAGES
 * pages, as SOF's boot would have registered; the default pool then sets
 * itself up on the first SOF call (and again after each test's
 * vr_sof_deinit) from CONFIG_VREGION_* (a budget of VR_SOF_PHYS_PAGES),
 * with metadata from the uncached alias of the kernel heap.
 */
#include <stdlib.h>

#include "vregion/config.h"
#include "sim_mm.h"

__attribute__((constructor)) static void golden_env(void)
{
	struct sim_mm_config c = { .vpages = VR_SOF_VIRT_PAGES + 4, .frames = VR_SOF_PHYS_PAGES + 8,
				   .doublemap = true };

	if (sim_mm_init(&c) || sim_mm_add_region(sim_mm_vbase() + 2 * SIM_PG,
						 VR_SOF_VIRT_PAGES * SIM_PG, 3))
		abort();
}

/* SOF's sof_heap_free (vregion_ctx_free hands heap blocks to it): the
 * golden vectors never free a heap block through a region. */
struct k_heap;
void sof_heap_free(struct k_heap *heap, void *addr);
void sof_heap_free(struct k_heap *heap, void *addr)
{
	(void)heap;
	(void)addr;
	abort();
}
