/* SPDX-License-Identifier: BSD-3-Clause */
/* ff_heap.c - address-ordered first fit (see ff_heap.h). */
#include "ff_heap.h"

#include <stdint.h>
#include <string.h>

struct ff_heap {
	uint8_t *start, *end;	/* blocks tile [start, end) */
	uint8_t *rover;		/* unused: pure first fit from start */
};

/* Block: [hdr u32: size | used][payload ...][ftr u32: size | used]; size
 * includes both tags, multiple of 8, >= 16. Payload 8-aligned: headers sit
 * at 4 mod 8. */
#define USED 1u

static uint32_t *hdr(uint8_t *b) { return (uint32_t *)(void *)b; }
static uint32_t *ftr(uint8_t *b, uint32_t sz) { return (uint32_t *)(void *)(b + sz - 4); }

static void mark(uint8_t *b, uint32_t sz, uint32_t used)
{
	*hdr(b) = sz | used;
	*ftr(b, sz) = sz | used;
}

struct ff_heap *ff_create_in(void *mem, size_t bytes)
{
	uintptr_t a = ((uintptr_t)mem + 7u) & ~(uintptr_t)7u;
	struct ff_heap *h = (struct ff_heap *)a;
	uintptr_t s = a + sizeof(*h);
	uintptr_t e = (uintptr_t)mem + bytes;

	s = ((s + 3u) & ~(uintptr_t)7u) + 4u;		/* header at 4 mod 8 */
	e = ((e - 4u) & ~(uintptr_t)7u) + 4u;
	h->start = (uint8_t *)s;
	h->end = (uint8_t *)e;
	h->rover = h->start;
	mark(h->start, (uint32_t)(e - s), 0);
	return h;
}

void *ff_alloc(struct ff_heap *h, size_t size)
{
	uint32_t need;
	uint8_t *b;

	if (size == 0 || size > (size_t)(h->end - h->start))
		return NULL;
	need = (uint32_t)((size + 8u + 7u) & ~(size_t)7u);
	if (need < 16u)
		need = 16u;
	for (b = h->start; b < h->end; b += *hdr(b) & ~USED) {
		uint32_t sz = *hdr(b);

		if (sz & USED || sz < need)
			continue;
		if (sz - need >= 16u) {
			mark(b + need, sz - need, 0);
			sz = need;
		}
		mark(b, sz, USED);
		return b + 4;
	}
	return NULL;
}

void ff_free(struct ff_heap *h, void *p)
{
	uint8_t *b = (uint8_t *)p - 4;
	uint32_t sz = *hdr(b) & ~USED;

	if (b + sz < h->end && !(*hdr(b + sz) & USED))
		sz += *hdr(b + sz);
	if (b > h->start && !(*(uint32_t *)(void *)(b - 4) & USED)) {
		uint32_t psz = *(uint32_t *)(void *)(b - 4);

		b -= psz;
		sz += psz;
	}
	mark(b, sz, 0);
}

/* ---- exhaustive best fit, vr_heap's block format, no control block ---- */

/* The "control block" is only the two boundaries, kept in a static (it is
 * not counted against the buffer: this is the ceiling). */
struct bf_heap {
	uint8_t *start, *end;
};

static struct bf_heap g_bf;

struct bf_heap *bf_create_in(void *mem, size_t bytes)
{
	uintptr_t s = (((uintptr_t)mem + 3u) & ~(uintptr_t)7u) + 4u;
	uintptr_t e = (((uintptr_t)mem + bytes - 4u) & ~(uintptr_t)7u) + 4u;

	g_bf.start = (uint8_t *)s;
	g_bf.end = (uint8_t *)e;
	*hdr(g_bf.start) = (uint32_t)(e - s);
	return &g_bf;
}

void *bf_alloc(struct bf_heap *h, size_t size)
{
	uint32_t need, sz;
	uint8_t *b, *best = NULL;

	if (size == 0 || size > (size_t)(h->end - h->start))
		return NULL;
	need = (uint32_t)((size + 4u + 7u) & ~(size_t)7u);
	if (need < 16u)
		need = 16u;
	for (b = h->start; b < h->end; b += *hdr(b) & ~USED) {
		sz = *hdr(b);
		if (!(sz & USED) && sz >= need && (best == NULL || sz < *hdr(best)))
			best = b;
	}
	if (best == NULL)
		return NULL;
	sz = *hdr(best);
	if (sz - need >= 16u) {
		*hdr(best + need) = sz - need;
		sz = need;
	}
	*hdr(best) = sz | USED;
	return best + 4;
}

void bf_free(struct bf_heap *h, void *p)
{
	uint8_t *b;

	*hdr((uint8_t *)p - 4) &= ~USED;
	for (b = h->start; b < h->end; b += *hdr(b) & ~USED) {
		while (!(*hdr(b) & USED) && b + *hdr(b) < h->end && !(*hdr(b + *hdr(b)) & USED))
			*hdr(b) += *hdr(b + *hdr(b));
	}
}

/* ---- ideal: exhaustive best fit, no metadata in the buffer ---- */

#define IDEAL_MAX (1u << 16)	/* granules (512 KiB) */

struct ideal_heap {
	uintptr_t base;		/* granule 0, 8-aligned */
	uint32_t n;		/* granules */
	uint32_t size[IDEAL_MAX];	/* block size at a block start, else 0 */
	uint8_t used[IDEAL_MAX];
};

static struct ideal_heap g_ideal;

struct ideal_heap *ideal_create(void *mem, size_t bytes)
{
	uintptr_t b = ((uintptr_t)mem + 7u) & ~(uintptr_t)7u;
	size_t n = ((uintptr_t)mem + bytes - b) / 8u;

	g_ideal.base = b;
	g_ideal.n = (uint32_t)(n > IDEAL_MAX ? IDEAL_MAX : n);
	memset(g_ideal.size, 0, sizeof(g_ideal.size));
	memset(g_ideal.used, 0, sizeof(g_ideal.used));
	g_ideal.size[0] = g_ideal.n;
	return &g_ideal;
}

void *ideal_alloc(struct ideal_heap *h, size_t size, size_t align)
{
	uint32_t need, a, g, best = UINT32_MAX, best_pos = 0, pos;

	if (size == 0 || size > (size_t)h->n * 8u)
		return NULL;
	need = (uint32_t)((size + 7u) / 8u);
	a = align > 8u ? (uint32_t)(align / 8u) : 1u;
	for (g = 0; g < h->n; g += h->size[g]) {
		if (h->used[g])
			continue;
		pos = g + ((uint32_t)(0u - (uint32_t)(h->base / 8u) - g) & (a - 1u));
		if (pos + need <= g + h->size[g] && (best == UINT32_MAX || h->size[g] < h->size[best])) {
			best = g;
			best_pos = pos;
		}
	}
	if (best == UINT32_MAX)
		return NULL;
	g = best;
	pos = best_pos;
	if (pos > g) {			/* the gap stays free */
		h->size[pos] = h->size[g] - (pos - g);
		h->size[g] = pos - g;
		g = pos;
	}
	if (h->size[g] > need) {
		h->size[g + need] = h->size[g] - need;
		h->used[g + need] = 0;
		h->size[g] = need;
	}
	h->used[g] = 1;
	return (void *)(h->base + (uintptr_t)g * 8u);
}

void ideal_free(struct ideal_heap *h, void *p)
{
	uint32_t g = (uint32_t)(((uintptr_t)p - h->base) / 8u), q, prev = UINT32_MAX;

	h->used[g] = 0;
	for (q = 0; q < g; q += h->size[q])
		prev = q;
	if (g + h->size[g] < h->n && !h->used[g + h->size[g]]) {
		uint32_t nx = g + h->size[g];

		h->size[g] += h->size[nx];
		h->size[nx] = 0;
	}
	if (prev != UINT32_MAX && !h->used[prev]) {
		h->size[prev] += h->size[g];
		h->size[g] = 0;
	}
}
