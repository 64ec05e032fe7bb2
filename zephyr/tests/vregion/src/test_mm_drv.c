/* SPDX-License-Identifier: BSD-3-Clause */
/* test_mm_drv.c - the test-only memory-management driver (test_mm_drv.h). */
#include <errno.h>
#include <string.h>

#include <zephyr/kernel.h>
#include <zephyr/init.h>
#include <zephyr/drivers/mm/system_mm.h>
#ifdef CONFIG_MMU
#include <zephyr/kernel/mm.h>	/* K_MEM_PERM_RW, K_MEM_CACHE_WB */

/* The architecture's page-table calls (qemu_x86: arch/x86/core/x86_mmu.c).
 * Zephyr declares them in kernel/include/kernel_arch_interface.h, which is
 * private to the kernel's own build, so a driver outside it declares them. */
void arch_mem_map(void *virt, uintptr_t phys, size_t size, uint32_t flags);
void arch_mem_unmap(void *addr, size_t size);
int arch_page_phys_get(void *virt, uintptr_t *phys);
#endif

#include "test_mm_drv.h"

static _Alignas(TD_PG) uint8_t td_buf[TD_PAGES * TD_PG];
static bool td_mapped[TD_PAGES];
static struct td_stats td_st = { .frames_free = TD_FRAMES };
static struct k_spinlock td_lock;
static struct sys_mm_drv_region td_regions[3];
static uintptr_t td_phys[TD_PAGES];	/* each page's home frame */

uint8_t *td_page(size_t i)
{
	return td_buf + i * TD_PG;
}

uintptr_t td_frame(size_t i)
{
	return td_phys[i];
}

static long td_index(const void *virt)
{
	uintptr_t a = (uintptr_t)virt, b = (uintptr_t)td_buf;

	if (a < b || (a - b) % TD_PG || (a - b) / TD_PG >= TD_PAGES)
		return -1;
	return (long)((a - b) / TD_PG);
}

int sys_mm_drv_map_page(void *virt, uintptr_t phys, uint32_t flags)
{
	long i = td_index(virt);
	k_spinlock_key_t key;
	int rc = 0;

	ARG_UNUSED(flags);
	/* phys 0: "any frame" (Intel's convention), here the page's home frame;
	 * a given frame must be that one (no frame allocator) */
	if (i < 0 || (phys && phys != td_phys[i]))
		return -EINVAL;
	key = k_spin_lock(&td_lock);
	if (!td_st.frames_free) {
		td_st.asserts++;
		rc = -ENOMEM;
	} else {
		if (td_mapped[i])
			td_st.leaked++;
		td_st.frames_free--;
		td_mapped[i] = true;
#ifdef CONFIG_MMU
		arch_mem_map(virt, td_phys[i], TD_PG, K_MEM_PERM_RW | K_MEM_CACHE_WB);
#endif
	}
	k_spin_unlock(&td_lock, key);
	return rc;
}

int sys_mm_drv_unmap_page(void *virt)
{
	long i = td_index(virt);
	k_spinlock_key_t key;

	if (i < 0)
		return -EINVAL;
	key = k_spin_lock(&td_lock);
	if (td_mapped[i]) {
		td_mapped[i] = false;
		td_st.frames_free++;
#ifdef CONFIG_MMU
		arch_mem_unmap(virt, TD_PG);
#endif
	} else {
		td_st.double_frees++;
	}
	k_spin_unlock(&td_lock, key);
	return 0;
}

int sys_mm_drv_page_phys_get(void *virt, uintptr_t *phys)
{
	long i = td_index(virt);

	if (i < 0)
		return -EINVAL;
	if (!td_mapped[i])
		return -EFAULT;
	if (phys)
		*phys = td_phys[i];
	return 0;
}

int sys_mm_drv_update_page_flags(void *virt, uint32_t flags)
{
	long i = td_index(virt);

	ARG_UNUSED(flags);
	if (i < 0)
		return -EINVAL;
	return td_mapped[i] ? 0 : -EFAULT;	/* no permission bits: changes nothing */
}

const struct sys_mm_drv_region *sys_mm_drv_query_memory_regions(void)
{
	return td_regions;
}

void sys_mm_drv_query_memory_regions_free(const struct sys_mm_drv_region *regions)
{
	ARG_UNUSED(regions);
}

void td_get_stats(struct td_stats *st)
{
	k_spinlock_key_t key = k_spin_lock(&td_lock);

	*st = td_st;
	k_spin_unlock(&td_lock, key);
}

/* Before vregion's SOF set-up (POST_KERNEL 1): the regions, every page
 * unmapped. */
static int td_init(void)
{
	td_regions[0].addr = td_buf;
	td_regions[0].size = TD_SOF_PAGES * TD_PG;
	td_regions[0].attr = 3;
	td_regions[1].addr = td_buf + TD_SOF_PAGES * TD_PG;
	td_regions[1].size = (TD_PAGES - TD_SOF_PAGES) * TD_PG;
	td_regions[1].attr = TD_PORT_ATTR;
	for (size_t i = 0; i < TD_PAGES; i++) {
#ifdef CONFIG_MMU
		if (arch_page_phys_get(td_page(i), &td_phys[i]))
			return -EFAULT;
		arch_mem_unmap(td_page(i), TD_PG);
#else
		td_phys[i] = (uintptr_t)td_page(i);	/* no MMU: identity */
#endif
	}
	return 0;
}

SYS_INIT(td_init, POST_KERNEL, 0);
