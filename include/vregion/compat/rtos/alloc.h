/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rtos/alloc.h - SOF's allocation context API (zephyr/include/rtos/alloc.h):
 * struct mod_alloc_ctx, SOF_MEM_FLAG_*, sof_ctx_alloc / sof_ctx_zalloc /
 * sof_ctx_free, with SOF's exact prototypes and semantics (SYSTEM.md 1.3):
 *   - a context with a vregion allocates from it in the region's current
 *     phase: SOF_MEM_FLAG_COHERENT -> vregion_alloc_coherent_align, else
 *     vregion_alloc_align; every other flag is ignored, as upstream;
 *   - without a context or without a vregion: the platform heap
 *     (sof_heap_alloc(ctx ? ctx->heap : NULL, ...)), see vregion/sof_compat.h;
 *   - sof_ctx_zalloc clears the block through whichever alias was returned;
 *   - sof_ctx_free(ctx, NULL) is a no-op; a platform-heap block freed
 *     through a context with a vregion goes back to the heap (upstream
 *     refused it and leaked it: bug 4.13).
 * Only the subset of SOF's rtos/alloc.h that vregion users need is here
 * (no rmalloc/rballoc family).
 */
#ifndef __ZEPHYR_RTOS_ALLOC_H__
#define __ZEPHYR_RTOS_ALLOC_H__

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <sof/lib/vregion.h>
#include "vregion/sof_compat.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Allocation flags, SOF's values (BIT(0) and BIT(1) belong to SOF_BUF_*). */
#define SOF_MEM_FLAG_DMA		(1u << 2)	/* DMA-able memory */
#define SOF_MEM_FLAG_NO_COPY		(1u << 3)	/* realloc skips the copy */
#define SOF_MEM_FLAG_COHERENT		(1u << 4)	/* uncached alias */
#define SOF_MEM_FLAG_L3			(1u << 5)	/* L3 memory */
#define SOF_MEM_FLAG_LOW_POWER		(1u << 6)	/* low-power memory */
#define SOF_MEM_FLAG_KERNEL		(1u << 7)	/* kernel memory */
#define SOF_MEM_FLAG_USER		(1u << 8)	/* user memory */
#define SOF_MEM_FLAG_USER_SHARED_BUFFER	(1u << 9)	/* shared user buffer */
#define SOF_MEM_FLAG_LARGE_BUFFER	(1u << 10)	/* large-buffer method */

/* SOF's platform heap entry points (here: vr_sof_heap_alloc/free). */
static inline void *sof_heap_alloc(struct k_heap *heap, uint32_t flags, size_t bytes,
				   size_t alignment)
{
	return vr_sof_heap_alloc(heap, flags, bytes, alignment);
}

static inline void sof_heap_free(struct k_heap *heap, void *addr)
{
	vr_sof_heap_free(heap, addr);
}

struct mod_alloc_ctx {
	struct k_heap *heap;
	struct vregion *vreg;
};

/* Allocate from the context's vregion (current phase) or its heap. */
static inline void *sof_ctx_alloc(struct mod_alloc_ctx *ctx, uint32_t flags,
				  size_t size, size_t alignment)
{
	if (!ctx || !ctx->vreg)
		return sof_heap_alloc(ctx ? ctx->heap : NULL, flags, size, alignment);

	if (flags & SOF_MEM_FLAG_COHERENT)
		return vregion_alloc_coherent_align(ctx->vreg, size, alignment);

	return vregion_alloc_align(ctx->vreg, size, alignment);
}

/* As sof_ctx_alloc, then zero `size` bytes. */
static inline void *sof_ctx_zalloc(struct mod_alloc_ctx *ctx, uint32_t flags,
				   size_t size, size_t alignment)
{
	void *ptr = sof_ctx_alloc(ctx, flags, size, alignment);

	if (ptr)
		memset(ptr, 0, size);

	return ptr;
}

/* Free to the context's vregion or heap; NULL is a no-op. With a vregion, a
 * platform-heap block (mod_balloc_align's) goes back to the heap instead of
 * being refused and leaked (upstream 4.13; vregion_ctx_free). */
static inline void sof_ctx_free(struct mod_alloc_ctx *ctx, void *ptr)
{
	if (!ptr)
		return;

	if (ctx && ctx->vreg)
		vregion_ctx_free(ctx->vreg, ctx->heap, ptr);
	else
		sof_heap_free(ctx ? ctx->heap : NULL, ptr);
}

#ifdef __cplusplus
}
#endif

#endif /* __ZEPHYR_RTOS_ALLOC_H__ */
