/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_vpage_posix.c - the vpage pool over the posix port: what the pool
 * promises about real memory (guards and freed pages fault, protections
 * hold, pages are zeroed on reuse, both aliases see the same bytes) and
 * that one pool survives several threads at once.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vr_test.h"
#include "posix_child.h"
#include "vregion/names.h"
#include "vregion/port_posix.h"
#include "vregion/vpage.h"
#include "vregion/vregion.h"

enum { P = 32, W = 128 };

static struct vr_port port;
static struct vr_vpage_pool pool;
static size_t PS;

static void setup_pool(size_t phys, size_t window, size_t guards)
{
	struct vr_posix_port_config pc = { 0 };
	struct vr_vpage_config vc = { 0 };

	pc.phys_pages = phys;
	pc.window_pages = window;
	pc.log_level = VR_POSIX_LOG_OFF;	/* failures below are on purpose */
	assert_int_equal(vr_posix_port_create(&port, &pc), 0);
	vc.guard_pages = guards;
	assert_int_equal(vr_vpage_pool_init(&pool, &port, &vc), 0);
	assert_int_equal(vr_vpage_validate(&pool), 0);
}

/* Everything back: pool empty, port's physical pages all free, no leaks. */
static void teardown_pool(void)
{
	struct vr_vpage_stats st;

	assert_int_equal(vr_vpage_validate(&pool), 0);
	assert_int_equal(vr_vpage_get_stats(&pool, &st), 0);
	assert_int_equal(st.live_allocs, 0);
	assert_int_equal(st.live_reserved, 0);
	assert_int_equal(st.vpages_free, st.vpages_total);
	assert_int_equal(vr_posix_port_phys_free(&port), port.phys_pages);
	assert_int_equal(vr_vpage_pool_deinit(&pool), 0);
	assert_int_equal(vr_posix_port_validate(&port), 0);
	/* 0 also proves the pool gave back its metadata and its lock */
	assert_int_equal(vr_posix_port_destroy(&port), 0);
}

static void check(void)
{
	assert_int_equal(vr_vpage_validate(&pool), 0);
	assert_int_equal(vr_posix_port_validate(&port), 0);
}

static bool all_eq(const unsigned char *p, size_t n, unsigned char v)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != v)
			return false;
	return true;
}

static unsigned char *unc(void *p)
{
	return port.to_uncached(port.ctx, p);
}

static void test_guard_page_faults(void **state)
{
	unsigned char *a, *b;

	(void)state;
	setup_pool(P, W, 1);
	a = vr_vpage_alloc(&pool, 2);
	b = vr_vpage_alloc(&pool, 1);
	assert_non_null(a);
	assert_non_null(b);
	check();
	/* the last byte of the allocation works, the next byte faults */
	assert_int_equal(vr_child_signal(vr_child_write_byte, a + 2 * PS - 1), 0);
	assert_true(vr_child_read_faults(a + 2 * PS));
	assert_true(vr_child_write_faults(unc(a + 2 * PS)));
	/* the next allocation starts after the guard, not on it */
	assert_true(b >= a + 3 * PS);
	assert_true(vr_child_read_faults(b + PS));
	assert_int_equal(vr_vpage_free(&pool, a), 0);
	assert_int_equal(vr_vpage_free(&pool, b), 0);
	teardown_pool();
}

static void test_freed_allocation_faults(void **state)
{
	unsigned char *a;

	(void)state;
	setup_pool(P, W, 0);
	a = vr_vpage_alloc(&pool, 3);
	assert_non_null(a);
	memset(a, 0x3e, 3 * PS);
	/* an interior pointer does not free, the memory stays usable */
	assert_int_equal(vr_vpage_free(&pool, a + PS), -EINVAL);
	assert_true(all_eq(a, 3 * PS, 0x3e));
	assert_int_equal(vr_vpage_free(&pool, a), 0);
	check();
	assert_true(vr_child_read_faults(a));
	assert_true(vr_child_read_faults(a + 3 * PS - 1));
	assert_true(vr_child_write_faults(unc(a) + PS));
	assert_int_equal(vr_vpage_free(&pool, a), -EINVAL);	/* double free */
	teardown_pool();
}

static void test_protect_read_only(void **state)
{
	unsigned char *a;

	(void)state;
	setup_pool(P, W, 1);
	a = vr_vpage_alloc(&pool, 3);
	assert_non_null(a);
	memset(a, 0x21, 3 * PS);
	assert_int_equal(vr_vpage_protect(&pool, a + PS, 1, VR_PERM_R), 0);
	check();
	assert_int_equal(vr_child_signal(vr_child_read_byte, a + PS), 0);
	assert_true(vr_child_write_faults(a + PS));
	assert_true(vr_child_write_faults(unc(a + 2 * PS - 1)));
	assert_int_equal(a[PS], 0x21);	/* the faulting write did not land */
	assert_int_equal(vr_child_signal(vr_child_write_byte, a), 0);
	assert_int_equal(vr_child_signal(vr_child_write_byte, a + 2 * PS), 0);
	/* read-only from the start, then writable again */
	assert_int_equal(vr_vpage_protect(&pool, a, 3, VR_PERM_RW), 0);
	memset(a, 0x22, 3 * PS);
	assert_int_equal(vr_vpage_free(&pool, a), 0);
	a = vr_vpage_alloc_perm(&pool, 2, VR_PERM_R);
	assert_non_null(a);
	assert_true(all_eq(a, 2 * PS, 0));
	assert_true(vr_child_write_faults(a + PS));
	assert_int_equal(vr_vpage_free(&pool, a), 0);
	teardown_pool();
}

static void test_zeroed_on_reuse(void **state)
{
	unsigned char *a, *b;

	(void)state;
	setup_pool(8, 64, 1);
	/* all physical pages, dirtied, freed, then taken again elsewhere */
	a = vr_vpage_alloc(&pool, 8);
	assert_non_null(a);
	memset(a, 0xd7, 8 * PS);
	b = vr_vpage_alloc(&pool, 1);
	assert_null(b);			/* out of physical pages */
	check();
	assert_int_equal(vr_vpage_free(&pool, a), 0);
	b = vr_vpage_alloc(&pool, 3);	/* first fit: lands on a's pages */
	a = vr_vpage_alloc(&pool, 5);
	assert_non_null(a);
	assert_non_null(b);
	assert_true(all_eq(b, 3 * PS, 0));
	assert_true(all_eq(a, 5 * PS, 0));
	assert_true(all_eq(unc(a), 5 * PS, 0));
	check();
	assert_int_equal(vr_vpage_free(&pool, a), 0);
	assert_int_equal(vr_vpage_free(&pool, b), 0);
	teardown_pool();
}

/*
 * alloc returns a contiguous virtual run mapped onto ANY free physical
 * pages: with every other physical page taken, a 4-page run still works, on
 * 4 scattered physical pages, zeroed, and usable through both aliases.
 */
static void test_scattered_physical(void **state)
{
	unsigned char *one[8], *a;
	size_t prev, breaks = 0;

	(void)state;
	setup_pool(8, 64, 0);
	for (int i = 0; i < 8; i++) {
		one[i] = vr_vpage_alloc(&pool, 1);
		assert_non_null(one[i]);
		memset(one[i], 0xe0 + i, PS);
	}
	for (int i = 0; i < 8; i += 2)
		assert_int_equal(vr_vpage_free(&pool, one[i]), 0);
	a = vr_vpage_alloc(&pool, 4);
	assert_non_null(a);
	check();
	prev = vr_posix_port_phys_page(&port, a);
	for (size_t i = 1; i < 4; i++) {
		size_t ph = vr_posix_port_phys_page(&port, a + i * PS);

		assert_true(ph < 8);
		breaks += ph != prev + 1;
		prev = ph;
	}
	assert_int_equal(breaks, 3);
	assert_true(all_eq(a, 4 * PS, 0));
	memset(unc(a), 0x5b, 4 * PS);
	assert_true(all_eq(a, 4 * PS, 0x5b));
	for (int i = 1; i < 8; i += 2) {
		assert_true(all_eq(one[i], PS, (unsigned char)(0xe0 + i)));
		assert_int_equal(vr_vpage_free(&pool, one[i]), 0);
	}
	assert_int_equal(vr_vpage_free(&pool, a), 0);
	teardown_pool();
}

static void test_alias_coherence(void **state)
{
	struct vr_posix_port_stats ps;
	unsigned char *a, *u;

	(void)state;
	setup_pool(P, W, 1);
	a = vr_vpage_alloc(&pool, 4);
	assert_non_null(a);
	u = unc(a);
	assert_ptr_not_equal(u, a);
	assert_true(port.is_uncached(port.ctx, u));
	assert_ptr_equal(port.to_cached(port.ctx, u), a);
	for (size_t i = 0; i < 4 * PS; i++)
		u[i] = (unsigned char)(i ^ (i >> 8));
	for (size_t i = 0; i < 4 * PS; i++)
		assert_int_equal(a[i], (unsigned char)(i ^ (i >> 8)));
	memset(a + PS, 0x5c, PS);
	assert_true(all_eq(u + PS, PS, 0x5c));
	assert_int_equal(vr_vpage_run_pages(&pool, u), 4);
	/* free through the uncached alias */
	assert_int_equal(vr_vpage_free(&pool, u), 0);
	assert_true(vr_child_read_faults(u));
	assert_true(vr_child_read_faults(a));
	assert_int_equal(vr_posix_port_get_stats(&port, &ps), 0);
	assert_int_equal(ps.mapped_pages, 0);
	teardown_pool();
}

/* A failed map inside vpage (injected in the port) leaves no trace. */
static void test_port_failure_no_trace(void **state)
{
	struct vr_vpage_stats before, after;
	unsigned char *a = NULL;
	unsigned nth;

	(void)state;
	setup_pool(P, W, 1);
	assert_int_equal(vr_vpage_get_stats(&pool, &before), 0);
	for (nth = 1; nth <= 2; nth++) {
		assert_int_equal(vr_posix_port_inject_failure(&port, nth), 0);
		a = vr_vpage_alloc(&pool, 4);
		assert_null(a);
		check();
		assert_int_equal(vr_vpage_get_stats(&pool, &after), 0);
		assert_int_equal(after.vpages_free, before.vpages_free);
		assert_int_equal(after.live_allocs, 0);
		assert_int_equal(after.failures, nth);
		assert_int_equal(vr_posix_port_phys_free(&port), P);
	}
	a = vr_vpage_alloc(&pool, 4);
	assert_non_null(a);
	assert_true(all_eq(a, 4 * PS, 0));
	/* a failed free keeps the allocation, a second free succeeds */
	assert_int_equal(vr_posix_port_inject_failure(&port, 1), 0);
	assert_true(vr_vpage_free(&pool, a) < 0);
	check();
	assert_int_equal(vr_vpage_run_pages(&pool, a), 4);
	a[4 * PS - 1] = 1;	/* still mapped */
	assert_int_equal(vr_vpage_free(&pool, a), 0);
	teardown_pool();
}

/* Reserve without mapping (loadable code): pages fault until mapped piecewise. */
static void test_reservation(void **state)
{
	unsigned char *r;

	(void)state;
	setup_pool(P, W, 1);
	r = vr_vpage_reserve(&pool, 4);
	assert_non_null(r);
	assert_int_equal(vr_posix_port_phys_free(&port), P);
	assert_true(vr_child_read_faults(r));
	assert_int_equal(vr_vpage_map(&pool, r + PS, 2, VR_PERM_RW), 0);
	memset(r + PS, 0x90, 2 * PS);
	assert_int_equal(vr_vpage_protect(&pool, r + PS, 1, VR_PERM_RX), 0);
	check();
	assert_true(vr_child_write_faults(r + PS));
	assert_int_equal(vr_child_signal(vr_child_read_byte, r + PS), 0);
	assert_true(vr_child_read_faults(r));
	assert_true(vr_child_read_faults(r + 3 * PS));
	assert_int_equal(vr_posix_port_phys_free(&port), P - 2);
	assert_int_equal(vr_vpage_release(&pool, r), 0);
	assert_true(vr_child_read_faults(r + 2 * PS));
	teardown_pool();
}

/* ---- 4 threads hammering one pool ---- */

enum { T_THREADS = 4, T_OPS = 300, T_LIVE = 4 };

struct worker {
	uint64_t seed;
	size_t nulls;
	int bad;
};

/*
 * Issue 10.3, the real scenario at the kernel's real vm.max_map_count: a
 * 1M-page window, 128k physical pages, 100k one-page runs, every other one
 * freed, then the rest: every free succeeds and every page comes back (the
 * port holds pages at its mapping budget instead of failing, and never
 * crosses it). Without the budget the kernel refused every free after about
 * 16k of them.
 */
static void test_map_count_limit(void **state)
{
	enum { WIN = 1u << 20, PHYS = 128u << 10, RUNS = 100000 };
	static void *run[RUNS];
	struct vr_posix_port_stats ps;
	struct vr_vpage_stats st;
	size_t max_seen = 0;

	(void)state;
	setup_pool(PHYS, WIN, 0);
	for (size_t i = 0; i < RUNS; i++) {
		run[i] = vr_vpage_alloc(&pool, 1);
		assert_non_null(run[i]);
	}
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = (size_t)pass; i < RUNS; i += 2) {
			if (vr_vpage_free(&pool, run[i]) != 0)
				fail_msg("pass %d: free of run %zu failed", pass, i);
			if (i % 1024 == (size_t)pass) {
				assert_int_equal(vr_posix_port_get_stats(&port, &ps), 0);
				assert_true(ps.mappings <= ps.mapping_limit);
				if (ps.mappings > max_seen)
					max_seen = ps.mappings;
			}
		}
		if (pass == 0) {
			assert_int_equal(vr_posix_port_get_stats(&port, &ps), 0);
			print_message("after every other free: %zu mappings (limit %zu), %zu pages held\n",
				      ps.mappings, ps.mapping_limit, ps.held_pages);
			assert_true(ps.held_pages > 0);	/* the budget was reached */
			check();
		}
	}
	assert_true(max_seen > 32768);	/* more than the frees the kernel allowed before */
	assert_int_equal(vr_vpage_get_stats(&pool, &st), 0);
	assert_int_equal(st.live_allocs, 0);
	assert_int_equal(vr_posix_port_get_stats(&port, &ps), 0);
	assert_int_equal(ps.held_pages, 0);
	teardown_pool();
}

/* ---- the trace file (VREGION_TRACE, trace_path) ---- */

/* The lines of a file, read into one buffer: *n lines. */
static char trace_buf[8192];
static char *trace_line[64];

static size_t read_lines(const char *path)
{
	FILE *f = fopen(path, "r");
	size_t len, n = 0;

	assert_non_null(f);
	len = fread(trace_buf, 1, sizeof(trace_buf) - 1, f);
	fclose(f);
	trace_buf[len] = '\0';
	for (char *p = trace_buf; *p && n < 64; n++) {
		char *e = strchr(p, '\n');

		assert_non_null(e);		/* every line is whole */
		*e = '\0';
		trace_line[n] = p;
		p = e + 1;
	}
	return n;
}

static unsigned cb_events;
static void count_cb(void *ctx, const struct vr_trace_event *ev)
{
	(void)ev;
	cb_events += ctx == &cb_events;
}

/* trace_path: header, then one line per event, as vr_trace_format writes it;
 * the callback gets the same events; two ports on one path share the file. */
static void test_trace_file(void **state)
{
	char path[] = "/tmp/vr_trace_XXXXXX", want[200];
	struct vr_posix_port_config pc = { 0 };
	struct vr_port p2;
	struct vr_vpage_pool pool2;
	struct vr_posix_port_stats ps;
	uint32_t id;
	size_t n;
	void *a;
	int fd = mkstemp(path);

	(void)state;
	if (getenv("VREGION_TRACE"))
		return;		/* the environment would win */
	assert_true(fd >= 0);
	close(fd);
	pc.phys_pages = 8;
	pc.window_pages = 16;
	pc.log_level = VR_POSIX_LOG_OFF;
	pc.trace_path = path;
	pc.trace = count_cb;
	pc.trace_ctx = &cb_events;
	cb_events = 0;
	assert_int_equal(vr_posix_port_create(&port, &pc), 0);
	assert_non_null(port.trace);
	assert_int_equal(vr_vpage_pool_init(&pool, &port, NULL), 0);
	id = pool.trace_id;
	a = vr_vpage_alloc(&pool, 2);
	assert_non_null(a);
	assert_int_equal(vr_vpage_free(&pool, (char *)a + PS), -EINVAL);
	/* a second port on the same path: appends, no second header */
	assert_int_equal(vr_posix_port_create(&p2, &pc), 0);
	assert_int_equal(vr_vpage_pool_init(&pool2, &p2, NULL), 0);
	assert_int_equal(vr_vpage_pool_deinit(&pool2), 0);
	assert_int_equal(vr_posix_port_destroy(&p2), 0);
	assert_int_equal(vr_vpage_free(&pool, a), 0);
	assert_int_equal(vr_posix_port_get_stats(&port, &ps), 0);
	assert_int_equal(ps.trace_lines, 4);	/* this port's lines so far */
	teardown_pool();
	assert_int_equal(cb_events, 7);		/* the callback too, deinit included */
	n = read_lines(path);
	assert_int_equal(n, 8);
	assert_string_equal(trace_line[0], vr_trace_header());
	snprintf(want, sizeof(want), "pool_init api=vr_vpage_pool_init pool=%u seq=1 page_size=%zu "
		 "cache_line=64 window=16 phys=8 guard=0 rc=0", id, PS);
	assert_string_equal(trace_line[1], want);
	snprintf(want, sizeof(want), "page_alloc api=vr_vpage_alloc pool=%u seq=2 pages=2 perms=rw- "
		 "page=0 rc=0", id);
	assert_string_equal(trace_line[2], want);
	snprintf(want, sizeof(want), "page_free api=vr_vpage_free pool=%u seq=3 page=- rc=-22", id);
	assert_string_equal(trace_line[3], want);
	assert_non_null(strstr(trace_line[4], "pool_init api=vr_vpage_pool_init pool="));
	assert_non_null(strstr(trace_line[5], "pool_deinit api=vr_vpage_pool_deinit pool="));
	snprintf(want, sizeof(want), "page_free api=vr_vpage_free pool=%u seq=4 page=0 rc=0", id);
	assert_string_equal(trace_line[6], want);
	snprintf(want, sizeof(want), "pool_deinit api=vr_vpage_pool_deinit pool=%u seq=5 rc=0", id);
	assert_string_equal(trace_line[7], want);
	unlink(path);
	/* a path that cannot be written: create says why, leaves nothing */
	pc.trace_path = "/nonexistent-dir/trace";
	assert_int_equal(vr_posix_port_create(&port, &pc), -ENOENT);
	assert_false(vr_posix_port_is(&port));
}

/* At most 8 distinct trace files per process: a ninth path is -EMFILE (the
 * port's own errno, which vr_strerror named "unknown error"); a path already
 * open is shared, and a slot comes back when its last port goes. */
static void test_trace_files_limit(void **state)
{
	char path[9][32];
	struct vr_posix_port_config pc = { .phys_pages = 1, .window_pages = 1,
					   .log_level = VR_POSIX_LOG_OFF };
	struct vr_port p[9];
	int i;

	(void)state;
	if (getenv("VREGION_TRACE"))
		return;		/* the environment would win */
	for (i = 0; i < 9; i++) {
		snprintf(path[i], sizeof(path[i]), "/tmp/vr_tlim_%d_%d", (int)getpid(), i);
		pc.trace_path = path[i];
		assert_int_equal(vr_posix_port_create(&p[i], &pc), i < 8 ? 0 : -EMFILE);
	}
	assert_false(vr_posix_port_is(&p[8]));
	assert_string_equal(vr_strerror(-EMFILE), "-EMFILE: too many open files in the process");
	pc.trace_path = path[0];	/* shared: no new slot */
	assert_int_equal(vr_posix_port_create(&p[8], &pc), 0);
	assert_int_equal(vr_posix_port_destroy(&p[8]), 0);
	assert_int_equal(vr_posix_port_destroy(&p[7]), 0);
	pc.trace_path = path[8];
	assert_int_equal(vr_posix_port_create(&p[8], &pc), 0);
	assert_int_equal(vr_posix_port_destroy(&p[8]), 0);
	for (i = 0; i < 7; i++)
		assert_int_equal(vr_posix_port_destroy(&p[i]), 0);
	for (i = 0; i < 9; i++)
		unlink(path[i]);
}

/* Threads tracing at once (regions of one pool, each under its own lock):
 * the file's seq of the pool rises by one from line to line, so a reader
 * can tell a dropped line from concurrency. */
#define TT_THREADS 4
#define TT_ALLOCS 200

static void *trace_worker(void *arg)
{
	struct vr_region *r = arg;

	for (int i = 0; i < TT_ALLOCS; i++)
		if (!vr_region_alloc_align(r, 8, 0))
			return (void *)1;
	return NULL;
}

static void test_trace_threads(void **state)
{
	char path[] = "/tmp/vregion-trace-thr-XXXXXX";
	struct vr_posix_port_config pc = { 0 };
	struct vr_region_config rc = { .size = 4 * PS, .min_align = 8 };
	struct vr_region *r[TT_THREADS];
	pthread_t th[TT_THREADS];
	char line[VR_TRACE_LINE_MAX + 2];
	unsigned long last = 0, lines = 0;
	void *ret;
	FILE *f;
	int fd = mkstemp(path);

	(void)state;
	if (getenv("VREGION_TRACE"))
		return;		/* the environment would win */
	assert_true(fd >= 0);
	close(fd);
	pc.phys_pages = 64;
	pc.window_pages = 64;
	pc.log_level = VR_POSIX_LOG_OFF;
	pc.trace_path = path;
	assert_int_equal(vr_posix_port_create(&port, &pc), 0);
	assert_int_equal(vr_vpage_pool_init(&pool, &port, NULL), 0);
	for (int i = 0; i < TT_THREADS; i++) {
		r[i] = vr_region_create(&pool, &rc);
		assert_non_null(r[i]);
	}
	for (int i = 0; i < TT_THREADS; i++)
		assert_int_equal(pthread_create(&th[i], NULL, trace_worker, r[i]), 0);
	for (int i = 0; i < TT_THREADS; i++) {
		assert_int_equal(pthread_join(th[i], &ret), 0);
		assert_null(ret);
		assert_null(vr_region_put(r[i]));
	}
	teardown_pool();
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		const char *s = strstr(line, " seq=");

		if (line[0] == '#')
			continue;
		assert_non_null(s);
		assert_int_equal(strtoul(s + 5, NULL, 10), last + 1);
		last++;
		lines++;
	}
	fclose(f);
	unlink(path);
	/* pool init + deinit, creates, puts, releases and every allocation */
	assert_true(lines >= TT_THREADS * (TT_ALLOCS + 3) + 2);
}

/* A program run with VREGION_TRACE=path writes the trace, and what happened
 * before a crash is in the file (every line is written as it happens). */
static void traced_child(void *arg)
{
	struct vr_posix_port_config pc = { 0 };

	setenv("VREGION_TRACE", arg, 1);
	pc.phys_pages = 4;
	pc.window_pages = 8;
	pc.log_level = VR_POSIX_LOG_OFF;
	if (vr_posix_port_create(&port, &pc) || vr_vpage_pool_init(&pool, &port, NULL) ||
	    !vr_vpage_alloc(&pool, 1) || !vr_vpage_reserve(&pool, 2))
		_exit(3);
	abort();	/* no teardown, no flush */
}

static void test_trace_env_crash(void **state)
{
	char path[] = "/tmp/vr_trace_env_XXXXXX";
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(vr_child_signal(traced_child, path), SIGABRT);
	assert_int_equal(read_lines(path), 4);
	assert_string_equal(trace_line[0], vr_trace_header());
	assert_non_null(strstr(trace_line[1], "pool_init "));
	assert_non_null(strstr(trace_line[2], "page_alloc api=vr_vpage_alloc "));
	assert_non_null(strstr(trace_line[3], "page_reserve api=vr_vpage_reserve "));
	unlink(path);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	unsigned char *live[T_LIVE] = { 0 };
	size_t len[T_LIVE] = { 0 };
	unsigned char tag[T_LIVE] = { 0 };
	uint64_t s = w->seed;

	for (int op = 0; op < T_OPS && !w->bad; op++) {
		size_t k;

		s ^= s >> 12; s ^= s << 25; s ^= s >> 27;
		k = (size_t)(s % T_LIVE);
		if (live[k]) {
			/* check the pattern through a random alias, then free */
			unsigned char *p = (s >> 9) & 1 ? unc(live[k]) : live[k];

			if (!all_eq(p, len[k] * PS, tag[k]))
				w->bad = -1;
			if (vr_vpage_free(&pool, live[k]))
				w->bad = -2;
			live[k] = NULL;
			continue;
		}
		len[k] = 1 + (size_t)((s >> 16) % 6);
		live[k] = vr_vpage_alloc(&pool, len[k]);
		if (!live[k]) {
			w->nulls++;
			continue;
		}
		if (!all_eq(live[k], len[k] * PS, 0))
			w->bad = -3;
		tag[k] = (unsigned char)(1 + (s >> 32) % 255);
		memset(live[k], tag[k], len[k] * PS);
		sched_yield();
	}
	for (size_t k = 0; k < T_LIVE; k++) {
		if (!live[k])
			continue;
		if (!all_eq(live[k], len[k] * PS, tag[k]))
			w->bad = -4;
		if (vr_vpage_free(&pool, live[k]))
			w->bad = -5;
	}
	return NULL;
}

static void test_threads(void **state)
{
	pthread_t th[T_THREADS];
	struct worker w[T_THREADS];
	struct vr_vpage_stats st;
	size_t nulls = 0;

	(void)state;
	/* physical pages run short before virtual ones: NULLs happen, under contention */
	setup_pool(40, 256, 1);
	for (int i = 0; i < T_THREADS; i++) {
		w[i] = (struct worker){ UINT64_C(0xabcdef12345) * (uint64_t)(i + 3), 0, 0 };
		assert_int_equal(pthread_create(&th[i], NULL, worker_main, &w[i]), 0);
	}
	for (int i = 0; i < T_THREADS; i++) {
		assert_int_equal(pthread_join(th[i], NULL), 0);
		assert_int_equal(w[i].bad, 0);
		nulls += w[i].nulls;
	}
	print_message("threads: %zu allocations refused\n", nulls);
	check();
	assert_int_equal(vr_vpage_get_stats(&pool, &st), 0);
	assert_int_equal(st.failures, nulls);
	teardown_pool();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_guard_page_faults),
		cmocka_unit_test(test_freed_allocation_faults),
		cmocka_unit_test(test_protect_read_only),
		cmocka_unit_test(test_zeroed_on_reuse),
		cmocka_unit_test(test_scattered_physical),
		cmocka_unit_test(test_alias_coherence),
		cmocka_unit_test(test_port_failure_no_trace),
		cmocka_unit_test(test_reservation),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_map_count_limit),
		cmocka_unit_test(test_trace_file),
		cmocka_unit_test(test_trace_files_limit),
		cmocka_unit_test(test_trace_threads),
		cmocka_unit_test(test_trace_env_crash),
	};

	PS = (size_t)sysconf(_SC_PAGESIZE);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
