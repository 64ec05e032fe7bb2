/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The SHAPE of SOF's src/include/sof/lib/vregion.h at HEAD, for a compile
 * check of vregion's SOF mode against it (tests/zephyr/CMakeLists.txt,
 * vr_zephyr_sof_shape): the same types, and the real prototypes only
 * #if CONFIG_SOF_VREGIONS, else a `struct vregion` of its own and static
 * inline stubs of every call. Unlike vregion's copy
 * (include/vregion/compat), no vregion_ctx_free. Written for this test from
 * SOF's declarations; the prototypes must stay exactly SOF's.
 */
#ifndef __SOF_LIB_VREGION_H__
#define __SOF_LIB_VREGION_H__

#include <stddef.h>
#include <stdint.h>

struct vregion;

struct vregion_snapshot {
	uintptr_t base;
	size_t size;
	unsigned int pages;
	size_t lifetime_used;
	int lifetime_free_count;
	unsigned int use_count;
};

enum vregion_mem_type {
	VREGION_MEM_TYPE_INTERIM,
	VREGION_MEM_TYPE_LIFETIME,
	VREGION_MEM_TYPE_INVALID,
};

#if CONFIG_SOF_VREGIONS

struct vregion *vregion_create(size_t memsize);
void vregion_set_interim(struct vregion *vr);
struct vregion *vregion_get(struct vregion *vr);
struct vregion *vregion_put(struct vregion *vr);
void *vregion_alloc(struct vregion *vr, size_t size);
void *vregion_alloc_coherent(struct vregion *vr, size_t size);
void *vregion_alloc_align(struct vregion *vr, size_t size, size_t alignment);
void *vregion_alloc_coherent_align(struct vregion *vr, size_t size, size_t alignment);
void vregion_free(struct vregion *vr, void *ptr);
void vregion_info(struct vregion *vr);
void vregion_mem_info(struct vregion *vr, size_t *size, uintptr_t *start);
void vregion_for_each(void (*cb)(int idx, const struct vregion_snapshot *s, void *ctx),
		      void *ctx);

#else /* the stubs a build without virtual regions gets */

struct vregion {
	unsigned int use_count;
};

static inline struct vregion *vregion_create(size_t memsize)
{
	(void)memsize;
	return NULL;
}

static inline void vregion_set_interim(struct vregion *vr)
{
	(void)vr;
}

static inline struct vregion *vregion_get(struct vregion *vr)
{
	return vr;
}

static inline struct vregion *vregion_put(struct vregion *vr)
{
	return vr;
}

static inline void *vregion_alloc(struct vregion *vr, size_t size)
{
	(void)vr;
	(void)size;
	return NULL;
}

static inline void *vregion_alloc_coherent(struct vregion *vr, size_t size)
{
	(void)vr;
	(void)size;
	return NULL;
}

static inline void *vregion_alloc_align(struct vregion *vr, size_t size, size_t alignment)
{
	(void)vr;
	(void)size;
	(void)alignment;
	return NULL;
}

static inline void *vregion_alloc_coherent_align(struct vregion *vr, size_t size,
						 size_t alignment)
{
	(void)vr;
	(void)size;
	(void)alignment;
	return NULL;
}

static inline void vregion_free(struct vregion *vr, void *ptr)
{
	(void)vr;
	(void)ptr;
}

static inline void vregion_info(struct vregion *vr)
{
	(void)vr;
}

static inline void vregion_mem_info(struct vregion *vr, size_t *size, uintptr_t *start)
{
	(void)vr;
	(void)start;
	if (size)
		*size = 0;
}

static inline void vregion_for_each(void (*cb)(int idx, const struct vregion_snapshot *s,
					       void *ctx),
				    void *ctx)
{
	(void)cb;
	(void)ctx;
}

#endif /* CONFIG_SOF_VREGIONS */

#endif /* __SOF_LIB_VREGION_H__ */
