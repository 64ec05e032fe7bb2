/* SPDX-License-Identifier: BSD-3-Clause */
/* Stand-in for <zephyr/kernel/mm.h> and the arch MMU calls the ztest
 * suite's test driver uses on qemu_x86 (CONFIG_MMU): compile-only here
 * (tests/zephyr/CMakeLists.txt, vr_zephyr_mmu_compile). */
#ifndef VR_STUB_ZEPHYR_KERNEL_MM_H
#define VR_STUB_ZEPHYR_KERNEL_MM_H

#include <stddef.h>
#include <stdint.h>

#define K_MEM_CACHE_WB 2
#define K_MEM_PERM_RW (1u << 3)

void arch_mem_map(void *virt, uintptr_t phys, size_t size, uint32_t flags);
void arch_mem_unmap(void *addr, size_t size);
int arch_page_phys_get(void *virt, uintptr_t *phys);

#endif
