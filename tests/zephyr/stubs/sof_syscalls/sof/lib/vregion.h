/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Stand-in for SOF's sof/lib/vregion.h after SOF #11108: the calls below are
 * __syscall, so the header's "generated" part defines vregion_*() as inline
 * wrappers that, in kernel mode, call z_impl_vregion_*() (which vregion's
 * SOF mode defines with VR_SOF_SYSCALLS). Built from vregion's own copy of
 * the declarations (include_next), renamed.
 */
#ifndef VR_STUB_SOF_VREGION_SYSCALLS_H
#define VR_STUB_SOF_VREGION_SYSCALLS_H

#define vregion_set_interim z_impl_vregion_set_interim
#define vregion_get z_impl_vregion_get
#define vregion_put z_impl_vregion_put
#define vregion_alloc z_impl_vregion_alloc
#define vregion_alloc_coherent z_impl_vregion_alloc_coherent
#define vregion_alloc_align z_impl_vregion_alloc_align
#define vregion_alloc_coherent_align z_impl_vregion_alloc_coherent_align
#define vregion_free z_impl_vregion_free
#include_next <sof/lib/vregion.h>
#undef vregion_set_interim
#undef vregion_get
#undef vregion_put
#undef vregion_alloc
#undef vregion_alloc_coherent
#undef vregion_alloc_align
#undef vregion_alloc_coherent_align
#undef vregion_free

/* <zephyr/syscalls/vregion.h>, kernel-mode side */
static inline void vregion_set_interim(struct vregion *vr)
{
	z_impl_vregion_set_interim(vr);
}

static inline struct vregion *vregion_get(struct vregion *vr)
{
	return z_impl_vregion_get(vr);
}

static inline struct vregion *vregion_put(struct vregion *vr)
{
	return z_impl_vregion_put(vr);
}

static inline void *vregion_alloc(struct vregion *vr, size_t size)
{
	return z_impl_vregion_alloc(vr, size);
}

static inline void *vregion_alloc_coherent(struct vregion *vr, size_t size)
{
	return z_impl_vregion_alloc_coherent(vr, size);
}

static inline void *vregion_alloc_align(struct vregion *vr, size_t size, size_t alignment)
{
	return z_impl_vregion_alloc_align(vr, size, alignment);
}

static inline void *vregion_alloc_coherent_align(struct vregion *vr, size_t size,
						 size_t alignment)
{
	return z_impl_vregion_alloc_coherent_align(vr, size, alignment);
}

static inline void vregion_free(struct vregion *vr, void *ptr)
{
	z_impl_vregion_free(vr, ptr);
}

#endif
