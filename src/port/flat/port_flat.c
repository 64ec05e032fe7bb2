/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * port_flat.c - the flat port (see vregion/port_flat.h): identity mapping over
 * a caller buffer, permissions recorded not enforced, metadata from a second
 * caller buffer through a granule bitmap. Freestanding: string.h only.
 */
#include <errno.h>
#include <string.h>

#include "vregion/port_flat.h"

#define FLAT_MAGIC 0x466c6174u		/* "Flat" */
#define FLAT_MAPPED 0x80u		/* state byte: page is mapped */
#define GRAN VR_FLAT_META_GRANULE

static inline bool flat_ok(const struct vr_flat_port *fp)
{
	return fp && fp->magic == FLAT_MAGIC;
}

/* ---- pages ---- */

/* Page index of vaddr for a range of npages, or SIZE_MAX if not a valid range. */
static size_t flat_range(const struct vr_flat_port *fp, const void *vaddr, size_t npages)
{
	uintptr_t a = (uintptr_t)vaddr, base = fp->port.window_base;
	size_t idx;

	if (npages == 0 || a < base || (a & (fp->port.page_size - 1)))
		return SIZE_MAX;
	idx = (size_t)((a - base) / fp->port.page_size);
	if (idx >= fp->port.window_pages || npages > fp->port.window_pages - idx)
		return SIZE_MAX;
	return idx;
}

/* True iff every page of [idx, idx + n) is (mapped ? mapped : unmapped). */
static bool flat_all(const struct vr_flat_port *fp, size_t idx, size_t n, bool mapped)
{
	for (size_t i = idx; i < idx + n; i++)
		if (!!(fp->state[i] & FLAT_MAPPED) != mapped)
			return false;
	return true;
}

static int flat_map(void *ctx, void *vaddr, size_t npages, unsigned perms)
{
	struct vr_flat_port *fp = ctx;
	size_t idx = flat_range(fp, vaddr, npages);

	if (idx == SIZE_MAX || (perms & ~VR_PERM_MASK) || !flat_all(fp, idx, npages, false)) {
		VR_LOG(&fp->port, VR_LOG_ERR, "bad range or page already mapped",
			 (uintptr_t)vaddr, npages);
		return -EINVAL;
	}
	memset(vaddr, 0, npages * fp->port.page_size);
	for (size_t i = idx; i < idx + npages; i++)
		fp->state[i] = (uint8_t)(FLAT_MAPPED | perms);
	return 0;
}

static int flat_unmap(void *ctx, void *vaddr, size_t npages)
{
	struct vr_flat_port *fp = ctx;
	size_t idx = flat_range(fp, vaddr, npages);

	if (idx == SIZE_MAX || !flat_all(fp, idx, npages, true)) {
		VR_LOG(&fp->port, VR_LOG_ERR, "bad range or page not mapped",
			 (uintptr_t)vaddr, npages);
		return -EINVAL;
	}
	memset(fp->state + idx, 0, npages);
	return 0;
}

static int flat_protect(void *ctx, void *vaddr, size_t npages, unsigned perms)
{
	struct vr_flat_port *fp = ctx;
	size_t idx = flat_range(fp, vaddr, npages);

	if (idx == SIZE_MAX || (perms & ~VR_PERM_MASK) || !flat_all(fp, idx, npages, true)) {
		VR_LOG(&fp->port, VR_LOG_ERR, "bad range, perms or page not mapped",
			 (uintptr_t)vaddr, npages);
		return -EINVAL;
	}
	for (size_t i = idx; i < idx + npages; i++)
		fp->state[i] = (uint8_t)(FLAT_MAPPED | perms);
	return 0;
}

/* The core calls log(port->ctx, ...): forward to the caller's hook and context. */
static void flat_log_hook(void *ctx, enum vr_log_level lvl, const char *fn, const char *msg,
			  uintptr_t a, uintptr_t b)
{
	const struct vr_flat_port *fp = ctx;

	fp->cfg.log(fp->cfg.log_ctx, lvl, fn, msg, a, b);
}

/* ---- locks: the caller's callbacks, re-targeted at lock_ctx ---- */

static struct vr_port_lock *flat_lock_create(void *ctx)
{
	struct vr_flat_port *fp = ctx;

	return fp->cfg.lock_create(fp->cfg.lock_ctx);
}

static void flat_lock_destroy(void *ctx, struct vr_port_lock *lock)
{
	struct vr_flat_port *fp = ctx;

	fp->cfg.lock_destroy(fp->cfg.lock_ctx, lock);
}

static void flat_lock(void *ctx, struct vr_port_lock *lock)
{
	struct vr_flat_port *fp = ctx;

	fp->cfg.lock(fp->cfg.lock_ctx, lock);
}

static void flat_unlock(void *ctx, struct vr_port_lock *lock)
{
	struct vr_flat_port *fp = ctx;

	fp->cfg.unlock(fp->cfg.lock_ctx, lock);
}

static void meta_lock(struct vr_flat_port *fp)
{
	if (fp->meta_lock)
		fp->cfg.lock(fp->cfg.lock_ctx, fp->meta_lock);
}

static void meta_unlock(struct vr_flat_port *fp)
{
	if (fp->meta_lock)
		fp->cfg.unlock(fp->cfg.lock_ctx, fp->meta_lock);
}

/* ---- metadata: first fit over 16-byte granules ---- */

static inline size_t granules_for(size_t bytes)
{
	return bytes / GRAN + (bytes % GRAN != 0);
}

static void *flat_meta_alloc(void *ctx, size_t bytes)
{
	struct vr_flat_port *fp = ctx;
	size_t n, g;

	if (bytes == 0 || bytes > fp->meta_granules * GRAN)
		return NULL;
	n = granules_for(bytes);
	meta_lock(fp);
	g = vr_bitmap_find_clear_run(&fp->meta_used, 0, n);
	if (g != SIZE_MAX) {
		vr_bitmap_set(&fp->meta_used, g, n);
		vr_bitmap_set(&fp->meta_start, g, 1);
		fp->meta_live++;
	}
	meta_unlock(fp);
	if (g == SIZE_MAX) {
		VR_LOG(&fp->port, VR_LOG_WRN, "metadata buffer exhausted", bytes, 0);
		return NULL;
	}
	return fp->granules + g * GRAN;
}

/*
 * A block [g, g + n) is live iff g is a start, its n granules are used, none
 * after g is a start, and granule g + n is not a continuation of it.
 */
static bool meta_block_ok(const struct vr_flat_port *fp, size_t g, size_t n)
{
	size_t end = g + n;

	if (n == 0 || g >= fp->meta_granules || n > fp->meta_granules - g)
		return false;
	if (!vr_bitmap_test(&fp->meta_start, g) || !vr_bitmap_all_set(&fp->meta_used, g, n))
		return false;
	if (n > 1 && vr_bitmap_count(&fp->meta_start, g + 1, n - 1) != 0)
		return false;
	return end == fp->meta_granules || !vr_bitmap_test(&fp->meta_used, end) ||
	       vr_bitmap_test(&fp->meta_start, end);
}

static void flat_meta_free(void *ctx, void *p, size_t bytes)
{
	struct vr_flat_port *fp = ctx;
	uintptr_t a = (uintptr_t)p, lo = (uintptr_t)fp->granules;
	size_t g, n = granules_for(bytes);
	bool ok;

	if (!p)
		return;
	if (a < lo || (a - lo) % GRAN || (a - lo) / GRAN >= fp->meta_granules) {
		VR_LOG(&fp->port, VR_LOG_ERR, "pointer not from this port", a, bytes);
		return;
	}
	g = (size_t)((a - lo) / GRAN);
	meta_lock(fp);
	ok = meta_block_ok(fp, g, n);
	if (ok) {
		vr_bitmap_clear(&fp->meta_used, g, n);
		vr_bitmap_clear(&fp->meta_start, g, 1);
		fp->meta_live--;
	}
	meta_unlock(fp);
	if (!ok)
		VR_LOG(&fp->port, VR_LOG_ERR, "not a live block of this size (double free?)",
			 a, bytes);
}

/* ---- layout ---- */

static inline size_t round16(size_t x)
{
	return (x + (GRAN - 1)) & ~(size_t)(GRAN - 1);
}

/* Bytes for G granules: the granules plus two bitmaps, each a multiple of 16. */
static size_t granule_cost(size_t g)
{
	return g * GRAN + 2u * round16(VR_BITMAP_BYTES(g));
}

size_t vr_flat_port_meta_bytes(size_t window_pages, size_t serve_bytes)
{
	size_t g = serve_bytes / GRAN + (serve_bytes % GRAN != 0);

	if (window_pages > SIZE_MAX / 4 || g > SIZE_MAX / (4 * GRAN))
		return SIZE_MAX;
	return (GRAN - 1) + round16(window_pages) + granule_cost(g);
}

static int check_cfg(const struct vr_flat_config *cfg, size_t ps)
{
	unsigned nlock = !!cfg->lock_create + !!cfg->lock_destroy + !!cfg->lock + !!cfg->unlock;
	uintptr_t w = (uintptr_t)cfg->window;

	if (!cfg->window || !cfg->meta || !vr_is_pow2(ps) || ps < 64)
		return -EINVAL;
	if ((w & (ps - 1)) || cfg->window_bytes < ps)
		return -EINVAL;
	/* the end of the window must be representable, as vr_port_check wants */
	if (cfg->window_bytes / ps > (UINTPTR_MAX - w) / ps)
		return -EINVAL;
	if (cfg->cache_line && !vr_is_pow2(cfg->cache_line))
		return -EINVAL;
	if (nlock != 0 && nlock != 4)
		return -EINVAL;
	return 0;
}

int vr_flat_port_init(struct vr_flat_port *fp, const struct vr_flat_config *cfg)
{
	size_t ps, pages, avail, g, pad;
	uintptr_t m;
	uint8_t *p;
	int rc;

	if (!fp || !cfg)
		return -EINVAL;
	ps = cfg->page_size ? cfg->page_size : 4096u;
	memset(fp, 0, sizeof(*fp));
	rc = check_cfg(cfg, ps);
	if (rc)
		return rc;
	pages = cfg->window_bytes / ps;

	/* carve the metadata buffer: state bytes, two bitmaps, granules */
	m = (uintptr_t)cfg->meta;
	pad = (GRAN - (size_t)(m % GRAN)) % GRAN;
	if (cfg->meta_bytes < pad || cfg->meta_bytes - pad < round16(pages))
		return -ENOMEM;
	p = (uint8_t *)cfg->meta + pad;
	avail = cfg->meta_bytes - pad;
	fp->state = p;
	memset(fp->state, 0, pages);
	p += round16(pages);
	avail -= round16(pages);
	/* largest G with granule_cost(G) <= avail: cost is ~16.25 bytes per
	 * granule, so estimate avail * 4 / 65 and correct by a few steps */
	g = avail / 65u * 4u + avail % 65u * 4u / 65u;
	while (granule_cost(g + 1) <= avail)
		g++;
	while (g && granule_cost(g) > avail)
		g--;
	vr_bitmap_init(&fp->meta_used, (vr_bitmap_word_t *)(void *)p, g);
	p += round16(VR_BITMAP_BYTES(g));
	vr_bitmap_init(&fp->meta_start, (vr_bitmap_word_t *)(void *)p, g);
	p += round16(VR_BITMAP_BYTES(g));
	fp->granules = p;
	fp->meta_granules = g;

	fp->cfg = *cfg;
	fp->cfg.page_size = ps;
	fp->port = (struct vr_port){
		.ctx = fp,
		.page_size = ps,
		.window_base = (uintptr_t)cfg->window,
		.window_pages = pages,
		.phys_pages = pages,
		.cache_line = cfg->cache_line,
		.map = flat_map,
		.unmap = flat_unmap,
		.protect = flat_protect,
		.meta_alloc = flat_meta_alloc,
		.meta_free = flat_meta_free,
		.log = cfg->log ? flat_log_hook : NULL,
	};
	if (cfg->lock_create) {
		fp->port.lock_create = flat_lock_create;
		fp->port.lock_destroy = flat_lock_destroy;
		fp->port.lock = flat_lock;
		fp->port.unlock = flat_unlock;
		fp->meta_lock = cfg->lock_create(cfg->lock_ctx);
		if (!fp->meta_lock) {
			memset(fp, 0, sizeof(*fp));
			return -ENOMEM;
		}
	}
	fp->magic = FLAT_MAGIC;
	return 0;
}

int vr_flat_port_deinit(struct vr_flat_port *fp)
{
	if (!flat_ok(fp))
		return -EINVAL;
	if (vr_flat_port_mapped_pages(fp) || fp->meta_live) {
		VR_LOG(&fp->port, VR_LOG_ERR, "pages mapped or metadata live",
			 vr_flat_port_mapped_pages(fp), fp->meta_live);
		return -EBUSY;
	}
	if (fp->meta_lock)
		fp->cfg.lock_destroy(fp->cfg.lock_ctx, fp->meta_lock);
	memset(fp, 0, sizeof(*fp));
	return 0;
}

const struct vr_port *vr_flat_port_get(const struct vr_flat_port *fp)
{
	return flat_ok(fp) ? &fp->port : NULL;
}

int vr_flat_port_perms(const struct vr_flat_port *fp, const void *addr)
{
	uintptr_t a = (uintptr_t)addr;
	size_t idx;

	if (!flat_ok(fp) || a < fp->port.window_base)
		return -EINVAL;
	idx = (size_t)((a - fp->port.window_base) / fp->port.page_size);
	if (idx >= fp->port.window_pages)
		return -EINVAL;
	if (!(fp->state[idx] & FLAT_MAPPED))
		return -ENOENT;
	return fp->state[idx] & VR_PERM_MASK;
}

size_t vr_flat_port_mapped_pages(const struct vr_flat_port *fp)
{
	size_t n = 0;

	if (!flat_ok(fp))
		return 0;
	for (size_t i = 0; i < fp->port.window_pages; i++)
		n += !!(fp->state[i] & FLAT_MAPPED);
	return n;
}

size_t vr_flat_port_meta_used(const struct vr_flat_port *fp)
{
	return flat_ok(fp) ? vr_bitmap_count(&fp->meta_used, 0, fp->meta_granules) * GRAN : 0;
}

size_t vr_flat_port_meta_live(const struct vr_flat_port *fp)
{
	return flat_ok(fp) ? fp->meta_live : 0;
}

size_t vr_flat_port_meta_capacity(const struct vr_flat_port *fp)
{
	return flat_ok(fp) ? fp->meta_granules * GRAN : 0;
}

int vr_flat_port_validate(const struct vr_flat_port *fp)
{
	/* logs through a port built from the configuration: fp->port may be
	 * what is corrupted */
	const struct vr_port lp = { .ctx = (void *)(uintptr_t)fp,
				    .log = fp && fp->cfg.log ? flat_log_hook : NULL };
	size_t g, starts;

	if (!flat_ok(fp))
		return -EINVAL;
	/* the port's own fields first (the walks below rely on them) */
	g = fp->meta_granules;
	{
		size_t ps = fp->cfg.page_size, pages = fp->port.window_pages;
		size_t bmb = round16(VR_BITMAP_BYTES(g));
		uint8_t *st = (uint8_t *)vr_align_up((uintptr_t)fp->cfg.meta, GRAN);

		if (fp->port.ctx != fp || fp->port.page_size != ps || !ps ||
		    fp->port.window_base != (uintptr_t)fp->cfg.window ||
		    pages != fp->cfg.window_bytes / ps || fp->port.phys_pages != pages ||
		    fp->meta_used.nbits != g || fp->meta_start.nbits != g || fp->state != st ||
		    (uint8_t *)fp->meta_used.words != st + round16(pages) ||
		    (uint8_t *)fp->meta_start.words != st + round16(pages) + bmb ||
		    fp->granules != st + round16(pages) + 2 * bmb) {
			VR_LOG(&lp, VR_LOG_ERR, "port fields corrupted",
				 pages, g);
			return -EFAULT;
		}
	}
	for (size_t i = 0; i < fp->port.window_pages; i++) {
		uint8_t s = fp->state[i];

		if ((s & ~(FLAT_MAPPED | VR_PERM_MASK)) || (!(s & FLAT_MAPPED) && s)) {
			VR_LOG(&lp, VR_LOG_ERR, "bad page state byte", i, s);
			return -EFAULT;
		}
	}
	starts = vr_bitmap_count(&fp->meta_start, 0, g);
	if (starts != fp->meta_live) {
		VR_LOG(&lp, VR_LOG_ERR, "live count != start bits",
			 fp->meta_live, starts);
		return -EFAULT;
	}
	for (size_t i = vr_bitmap_next_set(&fp->meta_used, 0); i < g;
	     i = vr_bitmap_next_set(&fp->meta_used, i + 1)) {
		/* a used granule starts a block or continues the previous one */
		if (!vr_bitmap_test(&fp->meta_start, i) &&
		    (i == 0 || !vr_bitmap_test(&fp->meta_used, i - 1))) {
			VR_LOG(&lp, VR_LOG_ERR, "orphan used granule", i, 0);
			return -EFAULT;
		}
	}
	for (size_t i = vr_bitmap_next_set(&fp->meta_start, 0); i < g;
	     i = vr_bitmap_next_set(&fp->meta_start, i + 1)) {
		if (!vr_bitmap_test(&fp->meta_used, i)) {
			VR_LOG(&lp, VR_LOG_ERR, "start granule not used", i, 0);
			return -EFAULT;
		}
	}
	/* bits above nbits must stay clear (the bitmap's own invariant) */
	if (!vr_bitmap_tail_clear(&fp->meta_used) || !vr_bitmap_tail_clear(&fp->meta_start)) {
		VR_LOG(&lp, VR_LOG_ERR, "bitmap tail bits set", g, 0);
		return -EFAULT;
	}
	return 0;
}
