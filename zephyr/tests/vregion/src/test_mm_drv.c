/* SPDX-License-Identifier: BSD-3-Clause */
/* test_mm_drv.c - the test-only memory-management driver (test_mm_drv.h). */
#include <errno.h>
#include <string.h>

#include <zephyr/kernel.h>
#include <zephyr/init.h>
#include <zephyr/drivers/mm/system_mm.h>
#ifdef CONFIG_MMU
#include <zephyr/kernel/mm.h>
#endif

#include "test_mm_drv.h"

static _Alignas(TD_PG) uint8_t td_buf[TD_PAGES * TD_PG];
static bool td_mapped[TD_PAGES];
static struct td_stats td_st = { .frames_free = TD_FRAMES };
static struct k_spinlock td_lock;
static struct sys_mm_drv_region td_regions[3];
#ifdef CONFIG_MMU
static uintptr_t td_phys[TD_PAGES];
#endif

uint8_t *td_page(size_t i)
{
	return td_buf + i * TD_PG;
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
	if (i < 0 || phys)
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
		*phys = (uintptr_t)virt;
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
#ifdef CONFIG_MMU
	for (size_t i = 0; i < TD_PAGES; i++) {
		(void)arch_page_phys_get(td_page(i), &td_phys[i]);
		arch_mem_unmap(td_page(i), TD_PG);
	}
#endif
	return 0;
}

SYS_INIT(td_init, POST_KERNEL, 0);
