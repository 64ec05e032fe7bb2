/* SPDX-License-Identifier: BSD-3-Clause */
/* Stand-in for Intel ADSP's <adsp_memory.h>: the L2 SRAM of the simulated
 * driver (its physical frames seen at their cached virtual addresses). */
#ifndef VR_STUB_ADSP_MEMORY_H
#define VR_STUB_ADSP_MEMORY_H

#include <stdint.h>

uintptr_t sim_mm_l2_base(void);
size_t sim_mm_l2_size(void);
#define L2_SRAM_BASE (sim_mm_l2_base())
#define L2_SRAM_SIZE (sim_mm_l2_size())

#endif
