/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Stand-in for the part of SOF's zephyr/include/rtos/alloc.h that vregion's
 * SOF mode uses: rzalloc / rfree for coherent kernel metadata
 * (CONFIG_VREGION_SOF_META_RZALLOC) and sof_heap_free (vregion_ctx_free).
 * Implemented by the test (counted).
 */
#ifndef VR_STUB_SOF_RTOS_ALLOC_H
#define VR_STUB_SOF_RTOS_ALLOC_H

#include <stddef.h>
#include <stdint.h>

#define SOF_MEM_FLAG_COHERENT	(1u << 4)
#define SOF_MEM_FLAG_KERNEL	(1u << 7)

struct k_heap;

void *rzalloc(uint32_t flags, size_t bytes);
void rfree(void *ptr);
void sof_heap_free(struct k_heap *heap, void *addr);

/* SOF's header uses sof_heap_free in its own inline sof_ctx_free, so a file
 * that includes it has "used" the function before any declaration of its
 * own (a later weak redeclaration is then a warning) */
static inline void vr_stub_sof_ctx_free(struct k_heap *heap, void *ptr)
{
	if (ptr)
		sof_heap_free(heap, ptr);
}

#endif
