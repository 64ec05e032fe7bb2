/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * port_flat.c - the flat port (see vregion/port_flat.h): identity mapping over
 * a caller buffer, permissions recorded not enforced, metadata from a second
 * caller buffer through a granule bitmap. Freestanding: string.h only.
 */
#include <errno.h>
#include <string.h>

#include "vregion/port_flat.h"
#include "../../util.h"

#define FLAT_MAGIC 0x466c6174u		/* "Flat" */
#define FLAT_MAPPED 0x80u		/* state byte: page is mapped */
#define GRAN VR_FLAT_META_GRANULE

static inline bool flat_ok(const struct vr_flat_port *fp)
{
	return fp && fp->magic == FLAT_MAGIC;
}

/* ---- pages ---- */

enum { FLAT_MAP, FLAT_UNMAP, FLAT_PROTECT };

/*
 * map / unmap / protect [vaddr, +npages): the range must be page-aligned,
 * non-empty and inside the window, perms valid, and every page unmapped (map)
 * or mapped (unmap, protect); else -EINVAL, nothing changed, logged. map
 * zeroes the pages (Q2). Only the pages' own state bytes are touched.
 */
static int flat_pages(struct vr_flat_port *fp, void *vaddr, size_t npages, unsigned perms,
		      int op, const char *fn)
{
	uintptr_t a = (uintptr_t)vaddr, base = fp->port.window_base;
	size_t ps = fp->port.page_size, w = fp->port.window_pages;
	size_t idx = (size_t)((a - base) >> fp->page_shift);

	if (npages == 0 || a < base || (a & (ps - 1)) || idx >= w || npages > w - idx ||
	    (perms & ~VR_PERM_MASK))
		goto bad;
	for (size_t i = idx; i < idx + npages; i++)
		if (!(fp->state[i] & FLAT_MAPPED) != (op == FLAT_MAP))
			goto bad;
	if (op == FLAT_MAP)
		memset(vaddr, 0, npages * ps);
	memset(fp->state + idx, op == FLAT_UNMAP ? 0 : (int)(FLAT_MAPPED | perms), npages);
	VR_ASSERT(!(fp->state[idx] & FLAT_MAPPED) == (op == FLAT_UNMAP) &&
		  !(fp->state[idx + npages - 1] & FLAT_MAPPED) == (op == FLAT_UNMAP));
	return 0;
bad:
	VR_LOGF(&fp->port, VR_LOG_ERR, fn, "bad range or perms, or a page in the wrong state (addr, pages)",
		a, npages);
	return -EINVAL;
}

static int flat_map(void *ctx, void *vaddr, size_t npages, unsigned perms)
{
	return flat_pages(ctx, vaddr, npages, perms, FLAT_MAP, __func__);
}

static int flat_unmap(void *ctx, void *vaddr, size_t npages)
{
	return flat_pages(ctx, vaddr, npages, 0, FLAT_UNMAP, __func__);
}

static int flat_protect(void *ctx, void *vaddr, size_t npages, unsigned perms)
{
	return flat_pages(ctx, vaddr, npages, perms, FLAT_PROTECT, __func__);
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

static struct vr_port_lock *flat_spin_create(void *ctx)
{
	struct vr_flat_port *fp = ctx;

	return fp->cfg.spin_create(fp->cfg.lock_ctx);
}

static void flat_spin_destroy(void *ctx, struct vr_port_lock *lock)
{
	struct vr_flat_port *fp = ctx;

	fp->cfg.spin_destroy(fp->cfg.lock_ctx, lock);
}

static uintptr_t flat_spin_lock(void *ctx, struct vr_port_lock *lock)
{
	struct vr_flat_port *fp = ctx;

	return fp->cfg.spin_lock(fp->cfg.lock_ctx, lock);
}

static void flat_spin_unlock(void *ctx, struct vr_port_lock *lock, uintptr_t key)
{
	struct vr_flat_port *fp = ctx;

	fp->cfg.spin_unlock(fp->cfg.lock_ctx, lock, key);
}

/* Forward each lock callback the caller gave (and only those): vr_port_check
 * then applies the "all four or none" rules, in its one place. */
static void flat_set_locks(struct vr_port *p, const struct vr_flat_config *cfg)
{
	p->lock_create = cfg->lock_create ? flat_lock_create : NULL;
	p->lock_destroy = cfg->lock_destroy ? flat_lock_destroy : NULL;
	p->lock = cfg->lock ? flat_lock : NULL;
	p->unlock = cfg->unlock ? flat_unlock : NULL;
	p->spin_create = cfg->spin_create ? flat_spin_create : NULL;
	p->spin_destroy = cfg->spin_destroy ? flat_spin_destroy : NULL;
	p->spin_lock = cfg->spin_lock ? flat_spin_lock : NULL;
	p->spin_unlock = cfg->spin_unlock ? flat_spin_unlock : NULL;
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
	return vr_round_up(bytes, GRAN) / GRAN;
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
		VR_ASSERT(g + n <= fp->meta_granules && vr_bitmap_all_clear(&fp->meta_start, g, n));
		vr_bitmap_set(&fp->meta_used, g, n);
		vr_bitmap_set(&fp->meta_start, g, 1);
		fp->meta_live++;
	}
	meta_unlock(fp);
	if (g == SIZE_MAX) {
		VR_LOG(&fp->port, VR_LOG_WRN, "metadata buffer exhausted (bytes)", bytes, 0);
		return NULL;
	}
	return fp->granules + g * GRAN;
}

/*
 * Free a block: p must be the start of a live block of exactly
 * granules_for(bytes) granules [g, g + n): g a start, all n used, no start
 * after g, and granule g + n not a continuation. Else nothing changes and an
 * ERR is logged (a foreign pointer, a wrong size, a double free).
 */
static void flat_meta_free(void *ctx, void *p, size_t bytes)
{
	struct vr_flat_port *fp = ctx;
	size_t off = (size_t)((uintptr_t)p - (uintptr_t)fp->granules), g = off / GRAN;
	size_t n = granules_for(bytes), end = g + n, G = fp->meta_granules;
	bool ok;

	if (!p)
		return;
	meta_lock(fp);
	ok = (uintptr_t)p >= (uintptr_t)fp->granules && off % GRAN == 0 && g < G && n &&
	     n <= G - g && vr_bitmap_test(&fp->meta_start, g) &&
	     vr_bitmap_all_set(&fp->meta_used, g, n) &&
	     vr_bitmap_all_clear(&fp->meta_start, g + 1, n - 1) &&
	     (end == G || !vr_bitmap_test(&fp->meta_used, end) ||
	      vr_bitmap_test(&fp->meta_start, end));
	if (ok) {
		VR_ASSERT(fp->meta_live > 0);
		vr_bitmap_clear(&fp->meta_used, g, n);
		vr_bitmap_clear(&fp->meta_start, g, 1);
		fp->meta_live--;
	}
	meta_unlock(fp);
	if (!ok)
		VR_LOG(&fp->port, VR_LOG_ERR, "not a live block of this size (addr, bytes)", p, bytes);
}

/* ---- layout ---- */

static inline size_t round16(size_t x)
{
	return vr_round_up(x, GRAN);
}

/* Bytes for G granules: the granules plus two bitmaps, each a multiple of 16. */
static size_t granule_cost(size_t g)
{
	return g * GRAN + 2u * round16(VR_BITMAP_BYTES(g));
}

size_t vr_flat_port_meta_bytes(size_t window_pages, size_t serve_bytes)
{
	size_t g = serve_bytes / GRAN + (serve_bytes % GRAN != 0);	/* no wrap near SIZE_MAX */

	if (window_pages > SIZE_MAX / 4 || g > SIZE_MAX / (4 * GRAN))
		return SIZE_MAX;
	return (GRAN - 1) + round16(window_pages) + granule_cost(g);
}

/*
 * Carve the metadata buffer of cfg for `pages` pages into fp's fields, as
 * init does (and validate re-checks): from the first 16-aligned byte, the
 * state bytes, the two granule bitmaps and the granules, with as many
 * granules as fit. Writes nothing into the buffer. False iff the buffer
 * cannot hold the state bytes.
 */
static bool flat_carve(struct vr_flat_port *fp, const struct vr_flat_config *cfg, size_t pages)
{
	uint8_t *p = (uint8_t *)vr_align_up((uintptr_t)cfg->meta, GRAN);
	size_t pad = (size_t)(p - (uint8_t *)cfg->meta), avail, g, bmb;

	if (cfg->meta_bytes < pad || cfg->meta_bytes - pad < round16(pages))
		return false;
	avail = cfg->meta_bytes - pad - round16(pages);
	/* largest G with granule_cost(G) <= avail: cost is ~16.25 bytes per
	 * granule, so estimate avail * 63 / 1024 (1 / 16.25 within 0.03 %, and
	 * shifts only) and correct by a few steps */
	g = (avail - (avail >> 6)) >> 4;
	while (granule_cost(g + 1) <= avail)
		g++;
	while (g && granule_cost(g) > avail)
		g--;
	bmb = round16(VR_BITMAP_BYTES(g));
	VR_ASSERT(granule_cost(g) <= avail && granule_cost(g + 1) > avail);
	fp->state = p;
	p += round16(pages);
	fp->meta_used = (struct vr_bitmap){ (vr_bitmap_word_t *)(void *)p, g };
	fp->meta_start = (struct vr_bitmap){ (vr_bitmap_word_t *)(void *)(p + bmb), g };
	fp->granules = p + 2 * bmb;
	fp->meta_granules = g;
	return true;
}

int vr_flat_port_init(struct vr_flat_port *fp, const struct vr_flat_config *cfg)
{
	size_t ps, pages;

	if (!fp || !cfg)
		return -EINVAL;
	memset(fp, 0, sizeof(*fp));
	ps = cfg->page_size ? cfg->page_size : 4096u;
	/* a page size that is not a power of two gives 0 pages: refused below */
	fp->page_shift = vr_is_pow2(ps) ? vr_log2_pow2(ps) : 0;
	pages = vr_is_pow2(ps) ? cfg->window_bytes >> fp->page_shift : 0;
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
	flat_set_locks(&fp->port, cfg);
	/* the window, the geometry and the lock groups: exactly what the core
	 * will require */
	if (!cfg->meta || vr_port_check(&fp->port)) {
		memset(fp, 0, sizeof(*fp));
		return -EINVAL;
	}
	if (!flat_carve(fp, cfg, fp->port.window_pages) ||
	    (cfg->lock_create && !(fp->meta_lock = cfg->lock_create(cfg->lock_ctx)))) {
		memset(fp, 0, sizeof(*fp));
		return -ENOMEM;
	}
	memset(fp->state, 0, (size_t)(fp->granules - fp->state));	/* states, bitmaps */
	fp->magic = FLAT_MAGIC;
	return 0;
}

int vr_flat_port_deinit(struct vr_flat_port *fp)
{
	if (!flat_ok(fp))
		return -EINVAL;
	if (vr_flat_port_mapped_pages(fp) || fp->meta_live) {
		VR_LOG(&fp->port, VR_LOG_ERR, "pages mapped or metadata live (mapped pages, live blocks)",
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
	idx = (size_t)((a - fp->port.window_base) >> fp->page_shift);
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
	const char *why = "port fields disagree with the configuration (pages, granules)";
	struct vr_flat_port t;
	size_t ps, w, g, starts = 0, i;
	uintptr_t a, b;

	if (!flat_ok(fp))
		return -EINVAL;
	/* the port's own fields first (the walks below rely on them) */
	ps = fp->cfg.page_size;
	w = fp->port.window_pages;
	g = fp->meta_granules;
	a = w;
	b = g;
	if (fp->page_shift >= 8 * sizeof(size_t) || ps != (size_t)1 << fp->page_shift ||
	    fp->port.ctx != fp || fp->port.page_size != ps ||
	    fp->port.window_base != (uintptr_t)fp->cfg.window ||
	    w != fp->cfg.window_bytes >> fp->page_shift ||
	    fp->port.phys_pages != w || !flat_carve(&t, &fp->cfg, w) || t.state != fp->state ||
	    t.meta_used.words != fp->meta_used.words || t.meta_used.nbits != fp->meta_used.nbits ||
	    t.meta_start.words != fp->meta_start.words ||
	    t.meta_start.nbits != fp->meta_start.nbits || t.granules != fp->granules ||
	    t.meta_granules != g)
		goto bad;
	why = "bad page state byte (page, byte)";
	for (i = 0; i < w; i++) {
		uint8_t s = fp->state[i];

		a = i;
		b = s;
		if ((s & ~(FLAT_MAPPED | VR_PERM_MASK)) || (!(s & FLAT_MAPPED) && s))
			goto bad;
	}
	/* every start is used; a used granule starts a block or continues one */
	why = "metadata bitmaps disagree (granule)";
	b = 0;
	for (i = 0; i < g; i++) {
		bool u = vr_bitmap_test(&fp->meta_used, i), st = vr_bitmap_test(&fp->meta_start, i);

		a = i;
		if (st ? !u : u && (i == 0 || !vr_bitmap_test(&fp->meta_used, i - 1)))
			goto bad;
		starts += st;
	}
	why = "live block count wrong (counter, start bits)";
	a = fp->meta_live;
	b = starts;
	if (starts != fp->meta_live)
		goto bad;
	why = "bitmap bits set above the granules";
	if (!vr_bitmap_tail_clear(&fp->meta_used) || !vr_bitmap_tail_clear(&fp->meta_start))
		goto bad;
	return 0;
bad:
	VR_LOG(&lp, VR_LOG_ERR, why, a, b);
	return -EFAULT;
}
