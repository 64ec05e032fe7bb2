/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * trace.c - the text form of a trace event (docs/trace.md, version
 * VR_TRACE_VERSION): one line of "op key=value ... rc=N", written without
 * stdio so that firmware ports can log it. The contract is vregion/trace.h.
 */
#include <string.h>

#include "vregion/trace.h"
#include "vregion/port.h"
#include "vregion/vregion.h"

static const char *const op_names[] = {
	[VR_TRACE_POOL_INIT] = "pool_init",
	[VR_TRACE_POOL_DEINIT] = "pool_deinit",
	[VR_TRACE_PAGE_ALLOC] = "page_alloc",
	[VR_TRACE_PAGE_RESERVE] = "page_reserve",
	[VR_TRACE_PAGE_FREE] = "page_free",
	[VR_TRACE_PAGE_MAP] = "page_map",
	[VR_TRACE_PAGE_UNMAP] = "page_unmap",
	[VR_TRACE_PAGE_PROTECT] = "page_protect",
	[VR_TRACE_REGION_CREATE] = "region_create",
	[VR_TRACE_REGION_GET] = "region_get",
	[VR_TRACE_REGION_PUT] = "region_put",
	[VR_TRACE_REGION_RELEASE] = "region_release",
	[VR_TRACE_SET_INTERIM] = "set_interim",
	[VR_TRACE_INTERIM_RESET] = "interim_reset",
	[VR_TRACE_ALLOC] = "alloc",
	[VR_TRACE_FREE] = "free",
};

const char *vr_trace_op_name(enum vr_trace_op op)
{
	unsigned i = (unsigned)op;

	return i < sizeof(op_names) / sizeof(op_names[0]) && op_names[i] ? op_names[i] : "?";
}

const char *vr_trace_header(void)
{
	return "# vregion-trace 1";
}

/* A line being written: bytes past len are counted, not stored. */
struct line {
	char *buf;
	size_t len, n;
};

static void put_str(struct line *l, const char *s)
{
	for (; *s; s++, l->n++)
		if (l->n + 1 < l->len)
			l->buf[l->n] = *s;
}

static void put_uint(struct line *l, size_t v)
{
	char tmp[24];
	unsigned i = sizeof(tmp) - 1;

	tmp[i] = '\0';
	do {
		tmp[--i] = (char)('0' + v % 10u);
		v /= 10u;
	} while (v);
	put_str(l, tmp + i);
}

static void put_key(struct line *l, const char *key)
{
	put_str(l, " ");
	put_str(l, key);
	put_str(l, "=");
}

static void put_kv(struct line *l, const char *key, size_t v)
{
	put_key(l, key);
	if (v == SIZE_MAX)
		put_str(l, "-");
	else
		put_uint(l, v);
}

static void put_int(struct line *l, const char *key, int v)
{
	put_key(l, key);
	if (v < 0) {
		put_str(l, "-");
		put_uint(l, (size_t)0 - (size_t)(long)v);
	} else {
		put_uint(l, (size_t)v);
	}
}

static void put_perms(struct line *l, unsigned perms)
{
	put_key(l, "perms");
	put_str(l, perms & VR_PERM_R ? "r" : "-");
	put_str(l, perms & VR_PERM_W ? "w" : "-");
	put_str(l, perms & VR_PERM_X ? "x" : "-");
}

static void put_phase(struct line *l, int phase)
{
	put_key(l, "phase");
	switch (phase) {
	case VR_REGION_LIFETIME: put_str(l, "lifetime"); break;
	case VR_REGION_INTERIM: put_str(l, "interim"); break;
	case VR_REGION_INVALID: put_str(l, "invalid"); break;
	default: put_str(l, "?"); break;
	}
}

/* name=..., percent-encoded: bytes other than [A-Za-z0-9_.-] as %XX, at most
 * VR_TRACE_NAME_MAX bytes written (an escape is never cut). */
#define VR_TRACE_NAME_MAX 47
static void put_name(struct line *l, const char *name)
{
	static const char hex[] = "0123456789ABCDEF";
	char one[4];
	size_t i, out = 0;

	put_key(l, "name");
	for (i = 0; name[i]; i++) {
		unsigned char c = (unsigned char)name[i];
		bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			     (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';

		if (plain) {
			one[0] = (char)c;
			one[1] = '\0';
		} else {
			one[0] = '%';
			one[1] = hex[c >> 4];
			one[2] = hex[c & 15u];
			one[3] = '\0';
		}
		out += plain ? 1u : 3u;
		if (out > VR_TRACE_NAME_MAX)
			break;
		put_str(l, one);
	}
}

/* The fields of one op, after "op api= pool= [region=]". */
static void put_fields(struct line *l, const struct vr_trace_event *ev)
{
	switch (ev->op) {
	case VR_TRACE_POOL_INIT:
		put_kv(l, "page_size", ev->page_size);
		put_kv(l, "cache_line", ev->cache_line);
		put_kv(l, "window", ev->window_pages);
		put_kv(l, "phys", ev->phys_pages);
		put_kv(l, "guard", ev->guard_pages);
		break;
	case VR_TRACE_PAGE_ALLOC:
	case VR_TRACE_PAGE_RESERVE:
		put_kv(l, "pages", ev->npages);
		put_perms(l, ev->perms);
		if (ev->result == 0)
			put_kv(l, "page", ev->page);
		break;
	case VR_TRACE_PAGE_FREE:
		put_kv(l, "page", ev->page);
		break;
	case VR_TRACE_PAGE_MAP:
	case VR_TRACE_PAGE_UNMAP:
	case VR_TRACE_PAGE_PROTECT:
		put_kv(l, "page", ev->page);
		put_kv(l, "pages", ev->npages);
		if (ev->op != VR_TRACE_PAGE_UNMAP)
			put_perms(l, ev->perms);
		break;
	case VR_TRACE_REGION_CREATE:
		put_kv(l, "size", ev->size);
		put_kv(l, "min_align", ev->align);
		put_kv(l, "flags", ev->flags);
		if (ev->result == 0) {
			put_kv(l, "pages", ev->npages);
			put_kv(l, "page", ev->page);
		}
		if (ev->name && ev->name[0])
			put_name(l, ev->name);
		break;
	case VR_TRACE_REGION_GET:
	case VR_TRACE_REGION_PUT:
		put_kv(l, "refs", ev->refs);
		break;
	case VR_TRACE_REGION_RELEASE:
		put_kv(l, "live", ev->live);
		break;
	case VR_TRACE_SET_INTERIM:
		put_phase(l, ev->phase);
		if (ev->result == 0) {
			put_kv(l, "off", ev->offset);
			put_kv(l, "size", ev->size);
		}
		break;
	case VR_TRACE_ALLOC:
		put_phase(l, ev->phase);
		put_kv(l, "size", ev->size);
		put_kv(l, "align", ev->align);
		put_kv(l, "coherent", ev->coherent ? 1u : 0u);
		if (ev->result == 0)
			put_kv(l, "off", ev->offset);
		break;
	case VR_TRACE_FREE:
		put_phase(l, ev->phase);
		put_kv(l, "off", ev->offset);
		break;
	default:
		break;
	}
}

size_t vr_trace_format(const struct vr_trace_event *ev, char *buf, size_t len)
{
	struct line l = { buf, len, 0 };

	if (!ev) {
		if (buf && len)
			buf[0] = '\0';
		return 0;
	}
	put_str(&l, vr_trace_op_name(ev->op));
	put_key(&l, "api");
	put_str(&l, ev->api && ev->api[0] ? ev->api : "?");
	put_kv(&l, "pool", ev->pool);
	if (ev->seq)
		put_kv(&l, "seq", ev->seq);
	if (ev->region)
		put_kv(&l, "region", ev->region);
	put_fields(&l, ev);
	put_int(&l, "rc", ev->result);
	if (buf && len)
		buf[l.n < len ? l.n : len - 1] = '\0';
	return l.n;
}
