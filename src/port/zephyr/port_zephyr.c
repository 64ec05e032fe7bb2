/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * port/zephyr/port_zephyr.c - vr_port over Zephyr's memory-management driver
 * (contract: vregion/port_zephyr.h). Map and unmap are page by page with
 * their own rollback, budget, zeroing, live-entry and range checks; the
 * budget is a Zephyr atomic, so a page call takes no lock here (the pool's
 * is the only one).
 */
#include <errno.h>
#include <string.h>

#include <zephyr/kernel.h>
#include <zephyr/cache.h>
#include <zephyr/sys/atomic.h>
#include <zephyr/drivers/mm/system_mm.h>
#include <zephyr/logging/log.h>

#include "vregion/port_zephyr.h"
#include "../../util.h"
#include "port_zephyr_internal.h"

#ifndef CONFIG_VREGION_LOG_LEVEL	/* CONFIG_LOG=n */
#define CONFIG_VREGION_LOG_LEVEL 0
#endif
LOG_MODULE_REGISTER(vregion, CONFIG_VREGION_LOG_LEVEL);

#define PG ((size_t)VR_ZEPHYR_PAGE_SIZE)
#define ZP_MAGIC 0x5a50524fu	/* "ZPRO" */

/* Cache maintenance and the alias pair exist only with Zephyr's cache API
 * (<zephyr/cache.h>: without CONFIG_CACHE_MANAGEMENT the calls do nothing
 * and the aliases are the same pointer). */
#if defined(CONFIG_CACHE_MANAGEMENT) && defined(CONFIG_DCACHE)
#define ZP_DCACHE 1
#endif
#if defined(CONFIG_CACHE_MANAGEMENT) && defined(CONFIG_CACHE_DOUBLEMAP)
#define ZP_DOUBLEMAP 1
#endif

/* Optional in a driver (Intel's and Zephyr's mm_drv_common.c define them; a
 * small application driver may not): weak references, NULL when nothing
 * defines them, so the window then comes from the config only. */
extern const struct sys_mm_drv_region *sys_mm_drv_query_memory_regions(void)
	__attribute__((weak));
extern void sys_mm_drv_query_memory_regions_free(const struct sys_mm_drv_region *regions)
	__attribute__((weak));

_Static_assert(sizeof(atomic_t) == sizeof(long), "struct vr_zephyr_port keeps atomic_t as long");
_Static_assert((VR_ZEPHYR_PAGE_SIZE & (VR_ZEPHYR_PAGE_SIZE - 1)) == 0, "page size: a power of two");

static atomic_t *at(long *p)
{
	return (atomic_t *)p;
}

/* [p, p + n pages) inside the window, page-aligned, n >= 1. The end check
 * is inclusive of the window's last page. */
static bool zp_range_ok(const struct vr_zephyr_port *zp, const void *p, size_t n)
{
	uintptr_t a = (uintptr_t)p;

	return n && !(a & (PG - 1)) && a >= zp->port.window_base && a < zp->window_end &&
	       n <= (zp->window_end - a) / PG;
}

#ifdef CONFIG_VREGION_PROTECT
static size_t zp_page(const struct vr_zephyr_port *zp, const void *p)
{
	return ((uintptr_t)p - zp->port.window_base) / PG;
}
#endif

/* Take n pages of the budget, or false (nothing taken). Lock-free. */
static bool zp_take(struct vr_zephyr_port *zp, size_t n)
{
	atomic_val_t old;

	do {
		old = atomic_get(at(&zp->phys_free));
		if ((size_t)old < n)
			return false;
	} while (!atomic_cas(at(&zp->phys_free), old, old - (atomic_val_t)n));
	return true;
}

static void zp_give(struct vr_zephyr_port *zp, size_t n)
{
	if (n)
		(void)atomic_add(at(&zp->phys_free), (atomic_val_t)n);
}

/* Zephyr flags for VR_PERM_* (read is implied; write-back cache). */
static uint32_t zp_flags(unsigned perms)
{
	return SYS_MM_MEM_CACHE_WB | ((perms & VR_PERM_W) ? SYS_MM_MEM_PERM_RW : 0) |
	       ((perms & VR_PERM_X) ? SYS_MM_MEM_PERM_EXEC : 0);
}

/* Undo the first `done` pages of a map: unmap them in reverse. A page whose
 * unmap fails stays mapped and out of the budget (stuck). Returns the pages
 * given back. */
static size_t zp_rollback(struct vr_zephyr_port *zp, uint8_t *va, size_t done)
{
	size_t back = 0;

	while (done--) {
		if (sys_mm_drv_unmap_page(va + done * PG) == 0) {
			back++;
		} else {
			(void)atomic_inc(at(&zp->stuck));
			LOG_ERR("rollback: unmap of %p failed: page stays mapped, out of the budget",
				(void *)(va + done * PG));
		}
	}
	return back;
}

/* Q2: clear a new page through its cached alias (the driver only
 * invalidates: frames keep old data), then write it back so the uncached
 * alias reads zeros and no dirty line of them is left. Not inlined: one
 * place to see (and measure) what zeroing costs. */
static __attribute__((noinline)) void zp_zero_page(const struct vr_zephyr_port *zp, void *p)
{
	memset(p, 0, PG);
#ifdef ZP_DCACHE
	if (zp->port.cache_flush)
		(void)sys_cache_data_flush_range(p, PG);
#else
	ARG_UNUSED(zp);
#endif
}

/* The frame to map at p: 0 lets the driver pick a free one (Intel's);
 * with linear frames, window page k is backed by phys_base + k pages. */
static uintptr_t zp_frame(const struct vr_zephyr_port *zp, const void *p)
{
	return zp->linear ? zp->phys_base + ((uintptr_t)p - zp->port.window_base) : 0;
}

/* Map, zero and flush pages [0, n) read-write; *done = pages mapped. */
static int zp_map_pages(struct vr_zephyr_port *zp, uint8_t *va, size_t n, unsigned perms,
			size_t *done)
{
	uint32_t flags = zp_flags(zp->port.protect ? VR_PERM_RW : perms);
	size_t i;
	int rc;

	for (i = 0; i < n; i++) {
		uint8_t *p = va + i * PG;

		rc = sys_mm_drv_page_phys_get(p, NULL);
		if (rc != -EFAULT) {	/* -EFAULT is "not mapped" */
			if (rc == 0) {
				(void)atomic_inc(at(&zp->refused_live));
				LOG_ERR("map: %p already has a driver entry (not mapped over)",
					(void *)p);
				rc = -EFAULT;
			} else {
				LOG_ERR("map: sys_mm_drv_page_phys_get(%p) failed: %d", (void *)p, rc);
				rc = rc < 0 ? rc : -EIO;
			}
			break;
		}
		rc = sys_mm_drv_map_page(p, zp_frame(zp, p), flags);
		if (rc) {
			(void)atomic_inc(at(&zp->map_errors));
			LOG_WRN("map: sys_mm_drv_map_page(%p) failed: %d (rolled back)", (void *)p, rc);
			rc = rc < 0 ? rc : -EIO;
			break;
		}
		zp_zero_page(zp, p);
	}
	*done = i;
	return i == n ? 0 : rc;
}

#ifdef CONFIG_VREGION_PROTECT
/* Set [0, n) to perms; on failure restore the pages changed. */
static int zp_set_perms(struct vr_zephyr_port *zp, uint8_t *va, size_t n, unsigned perms)
{
	size_t first = zp_page(zp, va), i;
	int rc = 0;

	for (i = 0; i < n && !rc; i++)
		rc = sys_mm_drv_update_page_flags(va + i * PG, zp_flags(perms));
	if (!rc) {
		memset(zp->perms + first, (int)perms, n);
		return 0;
	}
	LOG_WRN("protect: sys_mm_drv_update_page_flags(%p) failed: %d", (void *)(va + (i - 1) * PG),
		rc);
	for (i--; i--;) {
		if (sys_mm_drv_update_page_flags(va + i * PG, zp_flags(zp->perms[first + i])))
			LOG_ERR("protect: restoring %p failed: it keeps the new permissions",
				(void *)(va + i * PG));
	}
	return rc < 0 ? rc : -EIO;
}

#endif /* CONFIG_VREGION_PROTECT */

static int zp_map(void *ctx, void *vaddr, size_t n, unsigned perms)
{
	struct vr_zephyr_port *zp = ctx;
	size_t done = 0;
	int rc;

	if (!zp_range_ok(zp, vaddr, n) || !perms || (perms & ~VR_PERM_MASK)) {
		LOG_ERR("map: bad range or permissions (%p, %zu pages, perms %u)", vaddr, n, perms);
		return -EINVAL;
	}
	if (!zp->port.protect && (perms & VR_PERM_RW) != VR_PERM_RW) {
		LOG_ERR("map: permissions %u need protect (this driver maps read-write)", perms);
		return -ENOTSUP;
	}
	if (!zp_take(zp, n))
		return -ENOMEM;	/* before the driver can run dry (or assert) */
	rc = zp_map_pages(zp, vaddr, n, perms, &done);
#ifdef CONFIG_VREGION_PROTECT
	if (!rc && zp->port.protect) {
		memset(zp->perms + zp_page(zp, vaddr), VR_PERM_RW, n);
		if (perms != VR_PERM_RW)
			rc = zp_set_perms(zp, vaddr, n, perms);
	}
#endif
	if (rc)
		zp_give(zp, n - done + zp_rollback(zp, vaddr, done));
	return rc;
}

static int zp_unmap(void *ctx, void *vaddr, size_t n)
{
	struct vr_zephyr_port *zp = ctx;
	uint8_t *va = vaddr;
	size_t i, back = 0;
	int rc = 0;

	if (!zp_range_ok(zp, vaddr, n)) {
		LOG_ERR("unmap: bad range (%p, %zu pages)", vaddr, n);
		return -EINVAL;
	}
	for (i = 0; i < n; i++) {
		/* skip pages without an entry (-EFAULT): Intel's unmap would free
		 * the frame a stale entry names (a retry after a failure) */
		rc = sys_mm_drv_page_phys_get(va + i * PG, NULL);
		if (rc == -EFAULT) {
			rc = 0;
			continue;
		}
		if (rc == 0)
			rc = sys_mm_drv_unmap_page(va + i * PG);
		if (rc) {
			LOG_ERR("unmap: driver call for %p failed: %d", (void *)(va + i * PG), rc);
			rc = rc < 0 ? rc : -EIO;
			break;
		}
		back++;
	}
	zp_give(zp, back);
	return rc;
}

#ifdef CONFIG_VREGION_PROTECT
static int zp_protect(void *ctx, void *vaddr, size_t n, unsigned perms)
{
	struct vr_zephyr_port *zp = ctx;

	if (!zp_range_ok(zp, vaddr, n) || (perms & ~VR_PERM_MASK)) {
		LOG_ERR("protect: bad range or permissions (%p, %zu pages, perms %u)", vaddr, n, perms);
		return -EINVAL;
	}
	if (!(perms & VR_PERM_R))
		return -ENOTSUP;	/* Zephyr's flags cannot say "no access" */
	return zp_set_perms(zp, vaddr, n, perms);
}
#endif /* CONFIG_VREGION_PROTECT */

/* ---- aliases and cache: O(1), any context ------------------------------- */

#ifdef ZP_DOUBLEMAP
static bool zp_in_window(const struct vr_zephyr_port *zp, const void *p)
{
	return (uintptr_t)p >= zp->port.window_base && (uintptr_t)p < zp->window_end;
}

static void *zp_to_uncached(void *ctx, void *p)
{
	return zp_in_window(ctx, p) ? sys_cache_uncached_ptr_get((void __sparse_cache *)p) : p;
}

static bool zp_is_uncached(void *ctx, const void *p)
{
	return sys_cache_is_ptr_uncached((void *)p) &&
	       zp_in_window(ctx, (const void *)sys_cache_cached_ptr_get((void *)p));
}

static void *zp_to_cached(void *ctx, void *p)
{
	return zp_is_uncached(ctx, p) ? (void *)sys_cache_cached_ptr_get(p) : p;
}
#endif

#ifdef ZP_DCACHE
static void zp_flush(void *ctx, void *p, size_t bytes)
{
	ARG_UNUSED(ctx);
	(void)sys_cache_data_flush_range(p, bytes);
}

static void zp_invalidate(void *ctx, void *p, size_t bytes)
{
	ARG_UNUSED(ctx);
	(void)sys_cache_data_invd_range(p, bytes);
}
#endif

/* ---- metadata and locks -------------------------------------------------- */

static void *zp_meta_alloc(void *ctx, size_t bytes)
{
	struct vr_zephyr_port *zp = ctx;
	void *p;

	if (!bytes)
		return NULL;
	p = zp->meta_alloc ? zp->meta_alloc(zp->meta_ctx, bytes) : k_aligned_alloc(16, bytes);
	if (p)
		memset(p, 0, bytes);
	return p;
}

static void zp_meta_free(void *ctx, void *p, size_t bytes)
{
	struct vr_zephyr_port *zp = ctx;

	if (!p)
		return;
	if (zp->meta_free)
		zp->meta_free(zp->meta_ctx, p, bytes);
	else
		k_free(p);
}

/* k_mutex is recursive; the core never relocks (the posix port's
 * error-checking mutexes catch that in the host tests). */
struct vr_port_lock {
	struct k_mutex m;
};

static struct vr_port_lock *zp_lock_create(void *ctx)
{
	struct vr_port_lock *l = zp_meta_alloc(ctx, sizeof(*l));

	if (l)
		(void)k_mutex_init(&l->m);
	return l;
}

static void zp_lock_destroy(void *ctx, struct vr_port_lock *l)
{
	zp_meta_free(ctx, l, sizeof(*l));
}

static void zp_lock(void *ctx, struct vr_port_lock *l)
{
	ARG_UNUSED(ctx);
	(void)k_mutex_lock(&l->m, K_FOREVER);
}

static void zp_unlock(void *ctx, struct vr_port_lock *l)
{
	ARG_UNUSED(ctx);
	(void)k_mutex_unlock(&l->m);
}

/* Short locks (port.h): k_spin_lock, for the bounded sections of a region
 * (lifetime bumps that need one, interim heap calls): what upstream's k_heap
 * takes inside its region mutex, here instead of the mutex. A distinct
 * object from the k_mutex lock above, handed to the core through the same
 * opaque type. */
struct zp_spin {
	struct k_spinlock s;
	/* On one CPU without CONFIG_SPIN_VALIDATE (CONFIG_ASSERT=n) or
	 * CONFIG_NONZERO_SPINLOCK_SIZE, struct k_spinlock has no members and
	 * sizeof 0 in C (include/zephyr/spinlock.h); zp_meta_alloc(0) is NULL,
	 * which would refuse every region. */
	char nonempty;
};

static struct vr_port_lock *zp_spin_create(void *ctx)
{
	struct zp_spin *l = zp_meta_alloc(ctx, sizeof(*l));

	if (l)
		memset(l, 0, sizeof(*l));
	return (struct vr_port_lock *)(void *)l;
}

static void zp_spin_destroy(void *ctx, struct vr_port_lock *l)
{
	zp_meta_free(ctx, l, sizeof(struct zp_spin));
}

static uintptr_t zp_spin_lock(void *ctx, struct vr_port_lock *l)
{
	k_spinlock_key_t key;

	ARG_UNUSED(ctx);
	key = k_spin_lock(&((struct zp_spin *)(void *)l)->s);
	return (uintptr_t)(unsigned int)key.key;
}

static void zp_spin_unlock(void *ctx, struct vr_port_lock *l, uintptr_t key)
{
	k_spinlock_key_t k = { .key = (int)(unsigned int)key };

	ARG_UNUSED(ctx);
	k_spin_unlock(&((struct zp_spin *)(void *)l)->s, k);
}

/* func and msg are constant strings (safe for deferred logging). */
static void zp_log(void *ctx, enum vr_log_level lv, const char *func, const char *msg,
		   uintptr_t a, uintptr_t b)
{
	ARG_UNUSED(ctx);
	switch (lv) {
	case VR_LOG_ERR:
		LOG_ERR("%s: %s (a=%#lx, b=%#lx)", func, msg, (unsigned long)a, (unsigned long)b);
		break;
	case VR_LOG_WRN:
		LOG_WRN("%s: %s (a=%#lx, b=%#lx)", func, msg, (unsigned long)a, (unsigned long)b);
		break;
	case VR_LOG_INF:
		LOG_INF("%s: %s (a=%#lx, b=%#lx)", func, msg, (unsigned long)a, (unsigned long)b);
		break;
	default:
		LOG_DBG("%s: %s (a=%#lx, b=%#lx)", func, msg, (unsigned long)a, (unsigned long)b);
		break;
	}
}

/* ---- set-up ---------------------------------------------------------------- */

#ifndef CONFIG_VREGION_WINDOW_BASE
#define CONFIG_VREGION_WINDOW_BASE 0
#endif
#ifndef CONFIG_VREGION_WINDOW_SIZE
#define CONFIG_VREGION_WINDOW_SIZE 0
#endif
#ifndef CONFIG_VREGION_WINDOW_ATTR
#define CONFIG_VREGION_WINDOW_ATTR 3
#endif
#ifndef CONFIG_VREGION_PHYS_PAGES
#define CONFIG_VREGION_PHYS_PAGES 0
#endif

void vr_zephyr_port_config_default(struct vr_zephyr_port_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->window_base = (uintptr_t)CONFIG_VREGION_WINDOW_BASE;
	cfg->window_bytes = (size_t)CONFIG_VREGION_WINDOW_SIZE;
	cfg->window_attr = (uint32_t)CONFIG_VREGION_WINDOW_ATTR;
	cfg->phys_pages = (size_t)CONFIG_VREGION_PHYS_PAGES;
	cfg->protect = IS_ENABLED(CONFIG_VREGION_PROTECT);
	cfg->trace_log = IS_ENABLED(CONFIG_VREGION_TRACE_LOG);
}

int vr_zephyr_find_window(uint32_t attr, uintptr_t *base, size_t *bytes)
{
	const struct sys_mm_drv_region *list, *r;
	uintptr_t start = 0, end = 0;
	bool found = false;

	if (!base || !bytes)
		return -EINVAL;
	if (!sys_mm_drv_query_memory_regions)
		return -ENOENT;	/* the driver has no region list */
	list = sys_mm_drv_query_memory_regions();
	if (list) {
		SYS_MM_DRV_MEMORY_REGION_FOREACH(list, r) {
			if (r->attr == attr) {
				/* copy now: the list may be gone after _free() */
				start = (uintptr_t)r->addr;
				end = start + r->size;
				found = true;
				break;
			}
		}
		if (sys_mm_drv_query_memory_regions_free)
			sys_mm_drv_query_memory_regions_free(list);
	}
	if (!found || end < start)
		return -ENOENT;
	start = vr_align_up(start, PG);
	end = vr_align_down(end, PG);
	if (start == 0 || end <= start)
		return -ENOENT;
	*base = start;
	*bytes = end - start;
	return 0;
}

static int zp_check_config(const struct vr_zephyr_port_config *cfg, uintptr_t *base,
			   size_t *bytes)
{
	int rc;

	if (!cfg->meta_alloc != !cfg->meta_free)
		return -EINVAL;
	if (cfg->cache_line && !vr_is_pow2(cfg->cache_line))
		return -EINVAL;
	if ((cfg->trace_log && !IS_ENABLED(CONFIG_VREGION_TRACE_LOG)) ||
	    (cfg->protect && !IS_ENABLED(CONFIG_VREGION_PROTECT)))
		return -EINVAL;
	if (cfg->window_base) {
		*base = cfg->window_base;
		*bytes = cfg->window_bytes;
	} else {
		rc = vr_zephyr_find_window(cfg->window_attr, base, bytes);
		if (rc) {
			LOG_ERR("no memory region with attr %u (sys_mm_drv_query_memory_regions)",
				(unsigned)cfg->window_attr);
			return rc;
		}
	}
	if ((*base & (PG - 1)) || !*bytes || (*bytes & (PG - 1)) || *base + *bytes < *base)
		return -EINVAL;
	if (cfg->phys_pages > *bytes / PG)
		return -EINVAL;
	if (cfg->linear_frames && ((cfg->phys_base & (PG - 1)) ||
				   cfg->phys_base + *bytes - 1 < cfg->phys_base))
		return -EINVAL;
	return 0;
}

/* The data cache line when the config gives none: measured at run time where
 * Zephyr detects it (CONFIG_DCACHE_LINE_SIZE_DETECT: CONFIG_DCACHE_LINE_SIZE
 * is then absent or 0), else the build's VR_ZEPHYR_CACHE_LINE. A detected 0
 * (no d-cache) or a size that is not a power of two keeps the fallback. */
static size_t zp_cache_line(void)
{
#ifdef CONFIG_DCACHE_LINE_SIZE_DETECT
	size_t line = sys_cache_data_line_size_get();

	if (vr_is_pow2(line))
		return line;
#endif
	return VR_ZEPHYR_CACHE_LINE;
}

static void zp_fill_port(struct vr_zephyr_port *zp, const struct vr_zephyr_port_config *cfg,
			 uintptr_t base, size_t bytes)
{
	struct vr_port *p = &zp->port;

	p->ctx = zp;
	p->page_size = PG;
	p->window_base = base;
	p->window_pages = bytes / PG;
	p->phys_pages = cfg->phys_pages ? cfg->phys_pages : bytes / PG;
	p->cache_line = cfg->cache_line ? cfg->cache_line : zp_cache_line();
	p->map = zp_map;
	p->unmap = zp_unmap;
#ifdef CONFIG_VREGION_PROTECT
	p->protect = cfg->protect ? zp_protect : NULL;
#endif
#ifdef ZP_DOUBLEMAP
	p->to_uncached = zp_to_uncached;
	p->to_cached = zp_to_cached;
	p->is_uncached = zp_is_uncached;
#endif
#ifdef ZP_DCACHE
	p->cache_flush = zp_flush;
	p->cache_invalidate = zp_invalidate;
#endif
	p->lock_create = zp_lock_create;
	p->lock_destroy = zp_lock_destroy;
	p->lock = zp_lock;
	p->unlock = zp_unlock;
	p->spin_create = zp_spin_create;
	p->spin_destroy = zp_spin_destroy;
	p->spin_lock = zp_spin_lock;
	p->spin_unlock = zp_spin_unlock;
	p->meta_alloc = zp_meta_alloc;
	p->meta_free = zp_meta_free;
	p->log = vr_log_enabled(VR_LOG_ERR) ? zp_log : NULL;	/* no call when compiled out */
	p->trace = cfg->trace_log ? vri_zephyr_trace_hook() : NULL;
	zp->window_end = base + bytes;
}

int vr_zephyr_port_init(struct vr_zephyr_port *zp, const struct vr_zephyr_port_config *cfg)
{
	uintptr_t base = 0;
	size_t bytes = 0;
	int rc;

	if (!zp || !cfg)
		return -EINVAL;
	rc = zp_check_config(cfg, &base, &bytes);
	if (rc)
		return rc;
	memset(zp, 0, sizeof(*zp));
	zp->meta_alloc = cfg->meta_alloc;
	zp->meta_free = cfg->meta_free;
	zp->meta_ctx = cfg->meta_ctx;
	zp->linear = cfg->linear_frames;
	zp->phys_base = cfg->phys_base;
	zp_fill_port(zp, cfg, base, bytes);
	rc = vr_port_check(&zp->port);
	if (rc)
		return rc;
	if (cfg->protect) {
		zp->perms = zp_meta_alloc(zp, zp->port.window_pages);
		if (!zp->perms)
			return -ENOMEM;
	}
	atomic_set(at(&zp->phys_free), (atomic_val_t)zp->port.phys_pages);
	zp->magic = ZP_MAGIC;
	if (cfg->trace_log)
		vri_zephyr_trace_start();
	LOG_DBG("window %p, %zu pages, budget %zu, line %zu%s", (void *)base,
		zp->port.window_pages, zp->port.phys_pages, zp->port.cache_line,
		cfg->protect ? ", protect" : "");
	return 0;
}

static size_t zp_mapped(struct vr_zephyr_port *zp)
{
	return zp->port.phys_pages - (size_t)atomic_get(at(&zp->phys_free)) -
	       (size_t)atomic_get(at(&zp->stuck));
}

int vr_zephyr_port_deinit(struct vr_zephyr_port *zp)
{
	if (!zp || zp->magic != ZP_MAGIC)
		return -EINVAL;
	if (zp_mapped(zp))
		return -EBUSY;
	if (zp->perms)
		zp_meta_free(zp, zp->perms, zp->port.window_pages);
	memset(zp, 0, sizeof(*zp));
	return 0;
}

const struct vr_port *vr_zephyr_port_get(struct vr_zephyr_port *zp)
{
	return zp && zp->magic == ZP_MAGIC ? &zp->port : NULL;
}

int vr_zephyr_port_get_stats(struct vr_zephyr_port *zp, struct vr_zephyr_port_stats *st)
{
	if (!zp || zp->magic != ZP_MAGIC || !st)
		return -EINVAL;
	st->window_pages = zp->port.window_pages;
	st->phys_pages = zp->port.phys_pages;
	st->mapped_pages = zp_mapped(zp);
	st->stuck_pages = (size_t)atomic_get(at(&zp->stuck));
	st->refused_live = (size_t)atomic_get(at(&zp->refused_live));
	st->map_errors = (size_t)atomic_get(at(&zp->map_errors));
	return 0;
}
