/* SPDX-License-Identifier: BSD-3-Clause */
/* Stand-in for <zephyr/kernel/mm.h>: the K_MEM_* flags of the arch MMU calls
 * the ztest suite's test driver makes on qemu_x86 (CONFIG_MMU), with Zephyr
 * 4.x's values. The calls themselves (arch_mem_map, arch_mem_unmap,
 * arch_page_phys_get) are declared in Zephyr's kernel-private
 * kernel_arch_interface.h, so the driver declares them itself, as it must on
 * Zephyr. Compile-only here (tests/zephyr/CMakeLists.txt,
 * vr_zephyr_mmu_compile). */
#ifndef VR_STUB_ZEPHYR_KERNEL_MM_H
#define VR_STUB_ZEPHYR_KERNEL_MM_H

#include <zephyr/sys/util.h>

#define K_MEM_CACHE_NONE 2
#define K_MEM_CACHE_WT 1
#define K_MEM_CACHE_WB 0
#define K_MEM_CACHE_MASK (BIT(3) - 1)
#define K_MEM_PERM_RW BIT(3)
#define K_MEM_PERM_EXEC BIT(4)
#define K_MEM_PERM_USER BIT(5)

#endif
