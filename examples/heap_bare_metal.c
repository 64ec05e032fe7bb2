/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * heap_bare_metal.c - the interim heap alone, over a static buffer, as on a
 * bare-metal target: no port, no pages, no libc allocation. The heap's
 * control block lives outside the buffer it manages, so a stray write into
 * the buffer cannot reach it; the only bookkeeping inside are the 4-byte
 * block headers, checked before they are trusted.
 * Nothing here needs an operating system: the same calls build for a
 * Cortex-M or Xtensa core (the heap is freestanding); printf only reports.
 * Build alone: cc heap_bare_metal.c $(pkg-config --cflags --libs vregion)
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <vregion/heap.h>
#include <vregion/names.h>

/* What a firmware would place in a RAM section of its own. */
static _Alignas(64) uint8_t arena[16 * 1024];
static struct vr_heap heap;	/* control block: outside `arena` */

int main(void)
{
	int rc = vr_heap_init(&heap, arena, sizeof(arena));
	if (rc != 0) {
		fprintf(stderr, "heap_bare_metal: vr_heap_init: %s\n", vr_strerror(rc));
		return 1;
	}

	/* Sizing: the largest block a fresh heap over this buffer grants. */
	printf("largest first request: %zu bytes\n", vr_heap_fresh_max(arena, sizeof(arena), 0));

	/* Two blocks, one of them aligned for DMA (note the argument order:
	 * align first, as Zephyr's sys_heap_aligned_alloc). */
	char *msg = vr_heap_alloc(&heap, 100);
	void *dma = vr_heap_aligned_alloc(&heap, 64, 512);
	if (!msg || !dma) {
		fprintf(stderr, "heap_bare_metal: allocation failed\n");
		return 1;
	}
	if ((uintptr_t)dma % 64 != 0) {
		fprintf(stderr, "heap_bare_metal: misaligned block\n");
		return 1;
	}
	strcpy(msg, "hello from the interim heap");

	/* Out of memory is a NULL and a counted failure, never a crash. */
	if (vr_heap_alloc(&heap, sizeof(arena)) != NULL) {
		fprintf(stderr, "heap_bare_metal: an impossible request succeeded\n");
		return 1;
	}

	/* Bad frees are refused with an errno and change nothing. */
	printf("interior pointer: %s\n", vr_strerror(vr_heap_free(&heap, msg + 8)));

	struct vr_heap_stats st;
	if (vr_heap_get_stats(&heap, &st) != 0)
		return 1;
	printf("live %zu, used %zu of %zu bytes, %zu failure(s), %zu error(s)\n",
	       st.live, st.used, st.total, st.failures, st.errors);

	if (vr_heap_free(&heap, msg) != 0 || vr_heap_free(&heap, dma) != 0) {
		fprintf(stderr, "heap_bare_metal: free failed\n");
		return 1;
	}
	/* The full O(n) check, as the tests run after every operation. */
	rc = vr_heap_validate(&heap);
	if (rc != 0) {
		fprintf(stderr, "heap_bare_metal: vr_heap_validate: %s\n", vr_strerror(rc));
		return 1;
	}
	/* Nothing to tear down: the buffer is static. vr_heap_reset() would drop
	 * every block at once (an interim phase's end). */
	if (vr_heap_get_stats(&heap, &st) != 0 || st.live != 0) {
		fprintf(stderr, "heap_bare_metal: blocks left\n");
		return 1;
	}
	printf("heap_bare_metal: ok\n");
	return 0;
}
