/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ff_heap.h - a trivial reference allocator for the utilisation benchmark:
 * address-ordered first fit over an implicit block list, boundary tags
 * (4-byte header and 4-byte footer on every block), immediate coalescing,
 * 8-byte alignment, control block inside the buffer. O(n) alloc; it is only
 * a yardstick for fragmentation, not a candidate.
 */
#ifndef FF_HEAP_H
#define FF_HEAP_H

#include <stddef.h>

struct ff_heap;

struct ff_heap *ff_create_in(void *mem, size_t bytes);
void *ff_alloc(struct ff_heap *h, size_t size);
void ff_free(struct ff_heap *h, void *p);

/*
 * The ceiling reference: exhaustive best fit over the same block format as
 * vr_heap (4-byte header, 8-byte granules, payload 8-aligned, 16-byte
 * minimum) and no control block at all; O(n) alloc and free. It shows how
 * much of the buffer any non-moving allocator with vr_heap's per-block cost
 * could use on a workload.
 */
struct bf_heap;

struct bf_heap *bf_create_in(void *mem, size_t bytes);
void *bf_alloc(struct bf_heap *h, size_t size);
void bf_free(struct bf_heap *h, void *p);

/*
 * The ideal reference: exhaustive best fit with NO per-block metadata in the
 * buffer at all (block sizes in a side table outside it), 8-byte granules,
 * any power-of-two alignment (the gap before an aligned block stays free).
 * O(n) alloc and free. It bounds what any non-moving allocator can reach on
 * a workload, whatever its metadata: the utilisation ceiling of a row.
 */
struct ideal_heap;

struct ideal_heap *ideal_create(void *mem, size_t bytes);
void *ideal_alloc(struct ideal_heap *h, size_t size, size_t align);
void ideal_free(struct ideal_heap *h, void *p);

#endif
