/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * zephyr_stubs.c - host implementations behind the stand-in Zephyr headers
 * (tests/zephyr/stubs/zephyr/): k_mutex over pthreads, k_spinlock, the
 * kernel heap over libc (counted, with fault injection), the log sink, the
 * user-memory check and K_OOPS of the syscall layer, and the export table.
 * Test code, host only.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zephyr/kernel.h>
#include <zephyr/logging/log.h>
#include <zephyr/llext/symbol.h>
#include <zephyr/internal/syscall_handler.h>

/* ---- k_mutex, k_spinlock ----------------------------------------------------- */

/* k_spin_locks this thread holds. Zephyr forbids what may block (a k_mutex)
 * under one, and a driver call or a cache flush there is long with
 * interrupts off: the stubs of those calls abort if the depth is not 0. */
static _Thread_local int spin_depth;

void vr_stub_may_block(const char *what)
{
	if (spin_depth) {
		fprintf(stderr, "zephyr stubs: %s under a k_spinlock\n", what);
		abort();
	}
}

int k_mutex_init(struct k_mutex *mutex)
{
	pthread_mutexattr_t a;

	pthread_mutexattr_init(&a);
#ifdef VR_STUB_MUTEX_ERRORCHECK
	pthread_mutexattr_settype(&a, PTHREAD_MUTEX_ERRORCHECK);
#endif
	pthread_mutex_init(&mutex->m, &a);
	pthread_mutexattr_destroy(&a);
	return 0;
}

static unsigned long mutex_locks;

unsigned long vr_stub_mutex_locks(void)
{
	return __atomic_load_n(&mutex_locks, __ATOMIC_RELAXED);
}

int k_mutex_lock(struct k_mutex *mutex, k_timeout_t timeout)
{
	(void)timeout;
	vr_stub_may_block("k_mutex_lock");
	__atomic_add_fetch(&mutex_locks, 1, __ATOMIC_RELAXED);
	if (pthread_mutex_lock(&mutex->m))
		abort();	/* relock of a non-recursive stub mutex: a bug */
	return 0;
}

int k_mutex_unlock(struct k_mutex *mutex)
{
	vr_stub_may_block("k_mutex_unlock");
	if (pthread_mutex_unlock(&mutex->m))
		abort();
	return 0;
}

static unsigned long spin_locks;

unsigned long vr_stub_spin_locks(void)
{
	return __atomic_load_n(&spin_locks, __ATOMIC_RELAXED);
}

#ifdef VR_STUB_UP_SPINLOCK
/* arch_irq_lock(): nests, one per CPU (the process) */
static pthread_mutex_t irq_lock = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;

k_spinlock_key_t k_spin_lock(struct k_spinlock *l)
{
	k_spinlock_key_t k = { 0 };

	(void)l;
	__atomic_fetch_add(&spin_locks, 1, __ATOMIC_RELAXED);
	if (pthread_mutex_lock(&irq_lock))
		abort();
	spin_depth++;
	return k;
}

void k_spin_unlock(struct k_spinlock *l, k_spinlock_key_t key)
{
	(void)l;
	(void)key;
	spin_depth--;
	if (pthread_mutex_unlock(&irq_lock))
		abort();
}
#else
k_spinlock_key_t k_spin_lock(struct k_spinlock *l)
{
	k_spinlock_key_t k = { 0 };

	__atomic_fetch_add(&spin_locks, 1, __ATOMIC_RELAXED);

	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
		;
	spin_depth++;
	return k;
}

void k_spin_unlock(struct k_spinlock *l, k_spinlock_key_t key)
{
	(void)key;
	spin_depth--;
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}
#endif

/* ---- kernel heap ---------------------------------------------------------------- */

static long heap_live;
static unsigned long heap_fail_k, heap_calls;

static bool heap_fails(void)
{
	unsigned long n = __atomic_add_fetch(&heap_calls, 1, __ATOMIC_RELAXED);

	return heap_fail_k && n == heap_fail_k;
}

void vr_stub_heap_fail_at(unsigned long k)
{
	heap_calls = 0;
	heap_fail_k = k;
}

long vr_stub_heap_live(void)
{
	return __atomic_load_n(&heap_live, __ATOMIC_RELAXED);
}

void *k_aligned_alloc(size_t align, size_t size)
{
	void *p;

	if (heap_fails() || !size)
		return NULL;
	if (align < sizeof(void *))
		align = sizeof(void *);
	if (posix_memalign(&p, align, size))
		return NULL;
	memset(p, 0xcd, size);	/* not zeroed: as Zephyr's */
	__atomic_add_fetch(&heap_live, 1, __ATOMIC_RELAXED);
	return p;
}

void *k_malloc(size_t size)
{
	return k_aligned_alloc(sizeof(void *), size);
}

void k_free(void *ptr)
{
	if (!ptr)
		return;
	__atomic_sub_fetch(&heap_live, 1, __ATOMIC_RELAXED);
	free(ptr);
}

void k_panic(void)
{
	abort();
}

/* ---- logging -------------------------------------------------------------------- */

#define LOG_LINES 64

static pthread_mutex_t log_mu = PTHREAD_MUTEX_INITIALIZER;
static char log_ring[LOG_LINES][256];
static unsigned log_next;
static unsigned long log_counts[5];

void vr_stub_log(int level, const char *module, const char *fmt, ...)
{
	char text[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&log_mu);
	if (level >= 0 && level < 5)
		log_counts[level]++;
	snprintf(log_ring[log_next % LOG_LINES], sizeof(log_ring[0]), "%s: %s", module, text);
	log_next++;
	pthread_mutex_unlock(&log_mu);
	if (getenv("VR_STUB_LOG"))
		fprintf(stderr, "<%d> %s: %s\n", level, module, text);
}

unsigned long vr_stub_log_count(int level)
{
	return level >= 0 && level < 5 ? log_counts[level] : 0;
}

const char *vr_stub_log_find(const char *module, const char *needle)
{
	unsigned i, n = log_next < LOG_LINES ? log_next : LOG_LINES;
	size_t ml = module ? strlen(module) : 0;

	for (i = 1; i <= n; i++) {
		const char *l = log_ring[(log_next - i) % LOG_LINES];

		if (module && (strncmp(l, module, ml) || l[ml] != ':'))
			continue;
		if (strstr(l, needle))
			return l;
	}
	return NULL;
}

void vr_stub_log_reset(void)
{
	pthread_mutex_lock(&log_mu);
	memset(log_counts, 0, sizeof(log_counts));
	log_next = 0;
	pthread_mutex_unlock(&log_mu);
}

/* ---- syscall layer --------------------------------------------------------------- */

jmp_buf vr_stub_oops_point;
unsigned long vr_stub_oopses;

static struct {
	const void *ptr;
	size_t size;
} grant[8];

void vr_stub_oops(const char *file, int line)
{
	(void)file;
	(void)line;
	vr_stub_oopses++;
	longjmp(vr_stub_oops_point, 1);
}

void vr_stub_user_grant(const void *ptr, size_t size)
{
	unsigned i;

	if (!ptr) {
		memset(grant, 0, sizeof(grant));
		return;
	}
	for (i = 0; i < 8; i++) {
		if (!grant[i].size) {
			grant[i].ptr = ptr;
			grant[i].size = size;
			return;
		}
	}
	abort();
}

int vr_stub_user_access(const void *ptr, size_t size, int write)
{
	uintptr_t a = (uintptr_t)ptr;
	unsigned i;

	(void)write;
	for (i = 0; i < 8; i++) {
		uintptr_t g = (uintptr_t)grant[i].ptr;

		if (grant[i].size && a >= g && size <= grant[i].size && a - g <= grant[i].size - size)
			return 0;
	}
	return -1;
}

/* ---- exported symbols ---------------------------------------------------------- */

extern const struct vr_stub_symbol __start_vr_stub_exports[] __attribute__((weak));
extern const struct vr_stub_symbol __stop_vr_stub_exports[] __attribute__((weak));

void (*vr_stub_export_find(const char *name))(void)
{
	const struct vr_stub_symbol *s;

	for (s = __start_vr_stub_exports; s && s < __stop_vr_stub_exports; s++)
		if (!strcmp(s->name, name))
			return s->addr;
	return NULL;
}
