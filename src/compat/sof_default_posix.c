/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * compat/sof_default_posix.c - the default pool's glue on a host
 * (VREGION_PORT_POSIX): a posix port with the defaults of
 * vregion/sof_compat.h (pages of 4096, cache line 64, 512 virtual and 384
 * physical pages), a pthread mutex around setup, libc as the platform heap
 * (with a set of its live blocks, so bad frees are refused).
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "vregion/port_posix.h"
#include "vregion/sof_compat.h"
#include "sof_default.h"

static pthread_mutex_t glue_mutex = PTHREAD_MUTEX_INITIALIZER;
#if VR_SOF_DEFAULT_POOL
static struct vr_port glue_port;
#endif

void vr_sof_glue_lock(void)
{
	pthread_mutex_lock(&glue_mutex);
}

void vr_sof_glue_unlock(void)
{
	pthread_mutex_unlock(&glue_mutex);
}

/* The default port and heap; compiled out with VR_SOF_DEFAULT_POOL=0
 * (sof_default.h then has stubs that refuse). */
#if VR_SOF_DEFAULT_POOL
int vr_sof_glue_port_create(const struct vr_port **port)
{
	struct vr_posix_port_config cfg;
	int rc;

	memset(&cfg, 0, sizeof(cfg));
	cfg.page_size = VR_SOF_PAGE_SIZE;
	cfg.phys_pages = VR_SOF_PHYS_PAGES;
	cfg.window_pages = VR_SOF_VIRT_PAGES;
	cfg.cache_line = VR_SOF_CACHE_LINE;
	rc = vr_posix_port_create(&glue_port, &cfg);
	if (rc == -EINVAL) {
		/* a host whose pages are larger than 4096: use its page size */
		cfg.page_size = 0;
		rc = vr_posix_port_create(&glue_port, &cfg);
	}
	if (rc == 0)
		*port = &glue_port;
	return rc;
}

void vr_sof_glue_port_destroy(void)
{
	(void)vr_posix_port_destroy(&glue_port);
}

const struct sys_mm_drv_region *vr_sof_glue_region(void)
{
	return NULL;	/* no memory-management driver on a host */
}

/*
 * The platform heap is libc, plus a set of the live blocks (open addressing,
 * linear probing, backward-shift deletion) so that foreign and double frees
 * are refused instead of reaching free() (undefined behaviour), and so that
 * sof_ctx_free can tell a heap block from a region's (upstream 4.13). It
 * has its own mutex: the SOF layer calls the heap outside the glue lock.
 */
static pthread_mutex_t heap_mutex = PTHREAD_MUTEX_INITIALIZER;
static uintptr_t *heap_set;		/* 0 = empty slot */
static size_t heap_cap, heap_n;		/* cap: a power of two, or 0 */

static size_t slot_of(uintptr_t p, size_t cap)
{
	uint64_t h = (uint64_t)p * 0x9e3779b97f4a7c15ull;

	return (size_t)(h >> 32) & (cap - 1);
}

/* index of p, or heap_cap if absent; heap_mutex held */
static size_t set_find(uintptr_t p)
{
	size_t i;

	if (!heap_cap)
		return 0;
	for (i = slot_of(p, heap_cap); heap_set[i]; i = (i + 1) & (heap_cap - 1))
		if (heap_set[i] == p)
			return i;
	return heap_cap;
}

static void set_put(uintptr_t *tab, size_t cap, uintptr_t p)
{
	size_t i = slot_of(p, cap);

	while (tab[i])
		i = (i + 1) & (cap - 1);
	tab[i] = p;
}

/* heap_mutex held; 0 or -ENOMEM */
static int set_add(uintptr_t p)
{
	if (2 * (heap_n + 1) > heap_cap) {
		size_t cap = heap_cap ? 2 * heap_cap : 64, i;
		uintptr_t *tab = calloc(cap, sizeof(*tab));

		if (!tab)
			return -ENOMEM;
		for (i = 0; i < heap_cap; i++)
			if (heap_set[i])
				set_put(tab, cap, heap_set[i]);
		free(heap_set);
		heap_set = tab;
		heap_cap = cap;
	}
	set_put(heap_set, heap_cap, p);
	heap_n++;
	return 0;
}

/* heap_mutex held; i = set_find(p) < heap_cap */
static void set_del(size_t i)
{
	size_t j = i, k;

	heap_set[i] = 0;
	for (;;) {
		j = (j + 1) & (heap_cap - 1);
		if (!heap_set[j])
			break;
		k = slot_of(heap_set[j], heap_cap);
		/* move j back into the hole at i unless its home lies in (i, j] */
		if ((i <= j) ? (i < k && k <= j) : (i < k || k <= j))
			continue;
		heap_set[i] = heap_set[j];
		heap_set[j] = 0;
		i = j;
	}
	if (--heap_n == 0) {	/* nothing live: give the table back */
		free(heap_set);
		heap_set = NULL;
		heap_cap = 0;
	}
}

void *vr_sof_glue_heap_alloc(size_t bytes, size_t align)
{
	void *p = NULL;

	if (align <= sizeof(void *))
		p = malloc(bytes);
	else if (posix_memalign(&p, align, bytes) != 0)
		p = NULL;
	if (!p)
		return NULL;
	pthread_mutex_lock(&heap_mutex);
	if (set_add((uintptr_t)p) != 0) {
		free(p);
		p = NULL;
	}
	pthread_mutex_unlock(&heap_mutex);
	return p;
}

int vr_sof_glue_heap_free(void *ptr)
{
	bool mine;
	size_t i;

	pthread_mutex_lock(&heap_mutex);
	i = set_find((uintptr_t)ptr);
	mine = ptr && i < heap_cap;
	if (mine)
		set_del(i);
	pthread_mutex_unlock(&heap_mutex);
	if (!mine)
		return -EINVAL;
	free(ptr);
	return 0;
}

bool vr_sof_glue_heap_owns(const void *ptr)
{
	bool mine;

	pthread_mutex_lock(&heap_mutex);
	mine = ptr && set_find((uintptr_t)ptr) < heap_cap;
	pthread_mutex_unlock(&heap_mutex);
	return mine;
}

#endif /* VR_SOF_DEFAULT_POOL */
