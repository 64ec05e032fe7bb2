/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * compat/sof_zephyr.c - SOF mode on Zephyr (CONFIG_VREGION_SOF): the glue
 * that makes vregion define what SOF's zephyr/lib/vpage.c and
 * zephyr/lib/vregion.c define, compiled against SOF's own sof/lib/vpage.h
 * and sof/lib/vregion.h:
 *   - the default port: the Zephyr port over the driver region with
 *     CONFIG_VREGION_WINDOW_ATTR (SOF's VIRTUAL_REGION_VPAGES_ATTR, 3),
 *     optionally registered first on Intel ADSP as SOF's vpage_init did
 *     (CONFIG_VREGION_SOF_ADSP_REGION); metadata from SOF's coherent kernel
 *     heap (CONFIG_VREGION_SOF_META_RZALLOC) or the uncached alias of the
 *     Zephyr heap, so cross-core DP sees one copy (SOF #11071);
 *   - the pool's set-up at SYS_INIT(POST_KERNEL), logged, with its error;
 *   - the glue lock (a k_mutex: set-up and teardown only);
 *   - vpage_get_region()'s copy of the region (SOF #11037; upstream kept a
 *     pointer into the freed query list, SYSTEM.md 4.5);
 *   - vregion_ctx_free for SOF's sof_ctx_free (4.13, docs/zephyr.md);
 *   - the EXPORT_SYMBOLs SOF has, under CONFIG_LLEXT.
 * The calls themselves are sof_vpage.c and sof_vregion.c; the userspace
 * verifiers sof_syscall.c.
 */
#include <errno.h>
#include <string.h>

#include "sof_internal.h"	/* first: its CONFIG_SOF_VREGIONS check */

#include <zephyr/kernel.h>
#include <zephyr/init.h>
#include <zephyr/cache.h>
#include <zephyr/logging/log.h>
#include <zephyr/drivers/mm/system_mm.h>
#ifdef CONFIG_LLEXT
#include <zephyr/llext/symbol.h>
#endif
#ifdef CONFIG_VREGION_SOF_ADSP_REGION
#include <adsp_memory.h>
#include <adsp_memory_regions.h>
#include <zephyr/drivers/mm/mm_drv_intel_adsp_mtl_tlb.h>
#endif
#ifdef CONFIG_VREGION_SOF_META_RZALLOC
#include <rtos/alloc.h>	/* SOF's rzalloc / rfree */
#endif

#include "sof_default.h"
#include "vregion/port_zephyr.h"

#include <sof/lib/vpage.h>
#include <sof/lib/vregion.h>

#ifndef CONFIG_VREGION_LOG_LEVEL	/* CONFIG_LOG=n */
#define CONFIG_VREGION_LOG_LEVEL 0
#endif
LOG_MODULE_DECLARE(vregion, CONFIG_VREGION_LOG_LEVEL);

#ifndef CONFIG_VREGION_SOF_INIT_PRIORITY
#define CONFIG_VREGION_SOF_INIT_PRIORITY 1
#endif

static K_MUTEX_DEFINE(glue_mutex);
static struct vr_zephyr_port sof_port;
static struct sys_mm_drv_region sof_window;

void vr_sof_glue_lock(void)
{
	(void)k_mutex_lock(&glue_mutex, K_FOREVER);
}

void vr_sof_glue_unlock(void)
{
	(void)k_mutex_unlock(&glue_mutex);
}

/* ---- metadata: coherent kernel memory ------------------------------------------ */

#ifdef CONFIG_VREGION_SOF_META_RZALLOC
static void *sof_meta_alloc(void *ctx, size_t bytes)
{
	ARG_UNUSED(ctx);
	return rzalloc(SOF_MEM_FLAG_KERNEL | SOF_MEM_FLAG_COHERENT, bytes);
}

static void sof_meta_free(void *ctx, void *p, size_t bytes)
{
	ARG_UNUSED(ctx);
	ARG_UNUSED(bytes);
	rfree(p);
}
#else
/* Whole cache lines of the Zephyr heap, written back and dropped from the
 * cache, used through their uncached alias (identity without
 * CONFIG_CACHE_DOUBLEMAP). */
static void *sof_meta_alloc(void *ctx, size_t bytes)
{
	size_t line = VR_ZEPHYR_CACHE_LINE, n = vr_round_up(bytes, line);
	void *p;

	ARG_UNUSED(ctx);
	p = n >= bytes ? k_aligned_alloc(line, n) : NULL;
	if (!p)
		return NULL;
	memset(p, 0, n);
	(void)sys_cache_data_flush_and_invd_range(p, n);
	return sys_cache_uncached_ptr_get((void __sparse_cache *)p);
}

static void sof_meta_free(void *ctx, void *p, size_t bytes)
{
	ARG_UNUSED(ctx);
	ARG_UNUSED(bytes);
	k_free((void *)sys_cache_cached_ptr_get(p));
}
#endif

/* ---- the default port ------------------------------------------------------------ */

/* The application's say (port_zephyr.h): nothing by default. */
__attribute__((weak)) void vr_sof_zephyr_port_config(struct vr_zephyr_port_config *cfg)
{
	ARG_UNUSED(cfg);
}

int vr_sof_glue_port_create(const struct vr_port **port)
{
	struct vr_zephyr_port_config cfg;
	int rc;

	vr_zephyr_port_config_default(&cfg);
	cfg.meta_alloc = sof_meta_alloc;
	cfg.meta_free = sof_meta_free;
	vr_sof_zephyr_port_config(&cfg);
	rc = vr_zephyr_port_init(&sof_port, &cfg);
	if (rc) {
		LOG_ERR("SOF pool: no port (%d): window attr %u, base %#lx, budget %u pages", rc,
			(unsigned)cfg.window_attr, (unsigned long)cfg.window_base,
			(unsigned)cfg.phys_pages);
		return rc;
	}
	sof_window.addr = (void *)sof_port.port.window_base;
	sof_window.size = sof_port.port.window_pages * sof_port.port.page_size;
	sof_window.attr = cfg.window_attr;
	*port = vr_zephyr_port_get(&sof_port);
	return 0;
}

void vr_sof_glue_port_destroy(void)
{
	(void)vr_zephyr_port_deinit(&sof_port);
	memset(&sof_window, 0, sizeof(sof_window));
}

const struct sys_mm_drv_region *vr_sof_glue_region(void)
{
	return sof_window.size ? &sof_window : NULL;
}

/* ---- boot ------------------------------------------------------------------------ */

#ifdef CONFIG_VREGION_SOF_ADSP_REGION
#ifndef CONFIG_SOF_ZEPHYR_VIRTUAL_HEAP_REGION_SIZE
#define CONFIG_SOF_ZEPHYR_VIRTUAL_HEAP_REGION_SIZE 0
#endif
/* What SOF's vpage_init did first: register the L2 space after the image
 * and SOF's virtual heap as the vpage region. */
static int sof_adsp_region(void)
{
	uintptr_t start = adsp_mm_get_unused_l2_start_aligned() +
			  CONFIG_SOF_ZEPHYR_VIRTUAL_HEAP_REGION_SIZE;
	uintptr_t end = L2_SRAM_BASE + L2_SRAM_SIZE;

	if (end <= start)
		return -ENOMEM;
	return adsp_add_virtual_memory_region(start, (uint32_t)(end - start),
					      CONFIG_VREGION_WINDOW_ATTR);
}
#endif

#ifdef CONFIG_VREGION_SOF_BOOT
static int vr_sof_boot(void)
{
	const struct vr_port *port;
	int rc = 0;

#ifdef CONFIG_VREGION_SOF_ADSP_REGION
	rc = sof_adsp_region();
	if (rc) {
		LOG_ERR("SOF pool: adsp_add_virtual_memory_region failed: %d", rc);
		return rc;
	}
#endif
	rc = vr_sof_init(NULL);
	if (rc) {
		LOG_ERR("SOF pool set-up failed: %d: vpage_alloc and vregion_create will fail", rc);
		return rc;
	}
	port = vr_vpage_port(vr_sof_pool());
	LOG_INF("SOF pool: window %p, %u pages, budget %u pages, guard %u, line %u",
		(void *)port->window_base, (unsigned)port->window_pages,
		(unsigned)port->phys_pages, (unsigned)VR_SOF_GUARD_PAGES,
		(unsigned)port->cache_line);
	ARG_UNUSED(port);
	return 0;
}
#endif /* CONFIG_VREGION_SOF_BOOT */

/* A failed set-up is logged; SYS_INIT's result is only traced, and the
 * first SOF call tries again. */
#ifdef CONFIG_VREGION_SOF_BOOT
SYS_INIT(vr_sof_boot, POST_KERNEL, CONFIG_VREGION_SOF_INIT_PRIORITY);
#endif

/* ---- sof_ctx_free with a region (SYSTEM.md 4.13) ------------------------------- */

/* A pointer outside the region is SOF's heap block (mod_balloc_align's):
 * it goes to SOF's sof_heap_free, as it would with a heap context. SOF's
 * heap is a weak reference: where nothing defines it (SOF mode without SOF,
 * e.g. an application that carries SOF's headers only), and with
 * CONFIG_VREGION_SOF_OWN_HEADERS, the region refuses the pointer (logged),
 * as SOF's own sof_ctx_free would. SOF's header has no prototype for this
 * call (docs/zephyr.md: the one-line change), hence the one here. */
struct k_heap;
void vregion_ctx_free(struct vregion *vr, struct k_heap *heap, void *ptr);
#ifdef CONFIG_SOF_USERSPACE_INTERFACE_ALLOC	/* SOF's heap calls are syscalls */
__attribute__((weak)) void z_impl_sof_heap_free(struct k_heap *heap, void *addr);
#define VRI_SOF_HEAP_FREE z_impl_sof_heap_free
#else
__attribute__((weak)) void sof_heap_free(struct k_heap *heap, void *addr);
#define VRI_SOF_HEAP_FREE sof_heap_free
#endif

void vregion_ctx_free(struct vregion *vr, struct k_heap *heap, void *ptr)
{
	if (!ptr)
		return;
	if (!IS_ENABLED(CONFIG_VREGION_SOF_OWN_HEADERS) && VRI_SOF_HEAP_FREE && vr &&
	    !vr_region_contains(vr_sof_region(vr), ptr)) {
		LOG_WRN("sof_ctx_free: %p is not in region %p: given to sof_heap_free", ptr,
			(void *)vr);
		VRI_SOF_HEAP_FREE(heap, ptr);
		return;
	}
	vregion_free(vr, ptr);
}

/* ---- LLEXT: the symbols SOF exports ---------------------------------------------- */

#ifdef CONFIG_LLEXT
/* With the syscalls (SOF #11108) an extension calls the generated inline
 * vregion_*() wrappers, which reference z_impl_vregion_*: Zephyr exports the
 * z_impl_ function of every __syscall itself (the generated
 * syscall_exports_llext.c, included by subsys/llext/llext_export.c), and
 * Zephyr since 3.7 has no EXPORT_SYSCALL() macro (3.6 had one). */
#if !VR_SOF_SYSCALLS
EXPORT_SYMBOL(vregion_alloc);
EXPORT_SYMBOL(vregion_alloc_align);
EXPORT_SYMBOL(vregion_free);
#endif
EXPORT_SYMBOL(vregion_info);
EXPORT_SYMBOL(vregion_for_each);
EXPORT_SYMBOL(vregion_ctx_free);
#endif
