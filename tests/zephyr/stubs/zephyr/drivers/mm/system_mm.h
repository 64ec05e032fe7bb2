/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Stand-in for <zephyr/drivers/mm/system_mm.h>: the memory-management
 * driver API as Zephyr declares it (one driver per system), implemented on
 * the host by the simulated Intel ACE driver tests/zephyr/sim_mm.c.
 */
#ifndef VR_STUB_ZEPHYR_SYSTEM_MM_H
#define VR_STUB_ZEPHYR_SYSTEM_MM_H

#include <zephyr/kernel.h>

#define SYS_MM_MEM_CACHE_NONE	2
#define SYS_MM_MEM_CACHE_WT	1
#define SYS_MM_MEM_CACHE_WB	0
#define SYS_MM_MEM_CACHE_MASK	(BIT(3) - 1)
#define SYS_MM_MEM_PERM_RW	BIT(3)
#define SYS_MM_MEM_PERM_EXEC	BIT(4)
#define SYS_MM_MEM_PERM_USER	BIT(5)

struct sys_mm_drv_region {
	void *addr;
	size_t size;
	uint32_t attr;
};

#define SYS_MM_DRV_MEMORY_REGION_FOREACH(regions, iter) \
	for ((iter) = (regions); (iter)->size; (iter)++)

int sys_mm_drv_map_page(void *virt, uintptr_t phys, uint32_t flags);
int sys_mm_drv_map_region(void *virt, uintptr_t phys, size_t size, uint32_t flags);
int sys_mm_drv_map_region_safe(const struct sys_mm_drv_region *virtual_region, void *virt,
			       uintptr_t phys, size_t size, uint32_t flags);
int sys_mm_drv_unmap_page(void *virt);
int sys_mm_drv_unmap_region(void *virt, size_t size);
int sys_mm_drv_page_phys_get(void *virt, uintptr_t *phys);
int sys_mm_drv_update_page_flags(void *virt, uint32_t flags);
const struct sys_mm_drv_region *sys_mm_drv_query_memory_regions(void);
void sys_mm_drv_query_memory_regions_free(const struct sys_mm_drv_region *regions);

#endif
