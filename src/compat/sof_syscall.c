/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * compat/sof_syscall.c - the userspace verifiers of SOF mode
 * (CONFIG_VREGION_SOF_SYSCALLS, SOF #11108): SOF's sof/lib/vregion.h then
 * declares vregion_set_interim/get/put/alloc/alloc_coherent/alloc_align/
 * alloc_coherent_align/free as __syscall, sof_vregion.c defines their
 * z_impl_vregion_* and this file their z_vrfy_vregion_* verifiers.
 *
 * Unlike the pull request's verifier (which called vregion_mem_info on the
 * caller's pointer, letting a user thread make the kernel read any
 * address), a verifier first finds the handle in the list of live regions,
 * comparing pointers only, and pins it (takes a reference) under the list's
 * lock; only then is the region read. A handle that is not a live region
 * kills the calling thread (K_OOPS), so does a region the thread cannot
 * write (K_SYSCALL_MEMORY_WRITE over the whole region, as the PR). The pin
 * is dropped after the call, so another thread's last put cannot free the
 * region under a running call. NULL is passed on: the calls accept it (no-op
 * / NULL), as SOF's.
 */
#include "sof_internal.h"	/* first: its CONFIG_SOF_VREGIONS check */

#include <zephyr/kernel.h>
#include <zephyr/internal/syscall_handler.h>

#include <sof/lib/vregion.h>

/* Pin vr or kill the caller. Returns only with a reference taken. */
static void vrfy_pin(struct vregion *vr)
{
	uintptr_t start = 0;
	size_t size = 0;

	K_OOPS(!vri_sof_region_pin(vr, &size, &start));
	if (K_SYSCALL_MEMORY_WRITE((void *)start, size)) {
		(void)vri_sof_region_unpin(vr);
		K_OOPS(1);
	}
}

static inline void z_vrfy_vregion_set_interim(struct vregion *vr)
{
	if (!vr)
		return;
	vrfy_pin(vr);
	z_impl_vregion_set_interim(vr);
	(void)vri_sof_region_unpin(vr);
}
#include <zephyr/syscalls/vregion_set_interim_mrsh.c>

static inline struct vregion *z_vrfy_vregion_get(struct vregion *vr)
{
	struct vregion *r;

	if (!vr)
		return NULL;
	vrfy_pin(vr);
	r = z_impl_vregion_get(vr);
	(void)vri_sof_region_unpin(vr);
	return r;
}
#include <zephyr/syscalls/vregion_get_mrsh.c>

/* The caller's reference goes with the call; the pin's with the unpin, which
 * releases the region if that was the last: NULL then, as vregion_put. */
static inline struct vregion *z_vrfy_vregion_put(struct vregion *vr)
{
	if (!vr)
		return NULL;
	vrfy_pin(vr);
	(void)z_impl_vregion_put(vr);
	return vri_sof_region_unpin(vr);
}
#include <zephyr/syscalls/vregion_put_mrsh.c>

static inline void *z_vrfy_vregion_alloc(struct vregion *vr, size_t size)
{
	void *p;

	if (!vr)
		return NULL;
	vrfy_pin(vr);
	p = z_impl_vregion_alloc(vr, size);
	(void)vri_sof_region_unpin(vr);
	return p;
}
#include <zephyr/syscalls/vregion_alloc_mrsh.c>

static inline void *z_vrfy_vregion_alloc_coherent(struct vregion *vr, size_t size)
{
	void *p;

	if (!vr)
		return NULL;
	vrfy_pin(vr);
	p = z_impl_vregion_alloc_coherent(vr, size);
	(void)vri_sof_region_unpin(vr);
	return p;
}
#include <zephyr/syscalls/vregion_alloc_coherent_mrsh.c>

static inline void *z_vrfy_vregion_alloc_align(struct vregion *vr, size_t size, size_t alignment)
{
	void *p;

	if (!vr)
		return NULL;
	vrfy_pin(vr);
	p = z_impl_vregion_alloc_align(vr, size, alignment);
	(void)vri_sof_region_unpin(vr);
	return p;
}
#include <zephyr/syscalls/vregion_alloc_align_mrsh.c>

static inline void *z_vrfy_vregion_alloc_coherent_align(struct vregion *vr, size_t size,
							size_t alignment)
{
	void *p;

	if (!vr)
		return NULL;
	vrfy_pin(vr);
	p = z_impl_vregion_alloc_coherent_align(vr, size, alignment);
	(void)vri_sof_region_unpin(vr);
	return p;
}
#include <zephyr/syscalls/vregion_alloc_coherent_align_mrsh.c>

static inline void z_vrfy_vregion_free(struct vregion *vr, void *ptr)
{
	if (!vr)
		return;
	vrfy_pin(vr);
	z_impl_vregion_free(vr, ptr);
	(void)vri_sof_region_unpin(vr);
}
#include <zephyr/syscalls/vregion_free_mrsh.c>
