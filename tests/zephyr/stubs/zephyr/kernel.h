/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Stand-in for <zephyr/kernel.h> (host tests of vregion's Zephyr code): the
 * declarations the port, the SOF glue and the syscall layer use, with the
 * host implementations in tests/zephyr/stubs/zephyr_stubs.c. k_mutex is a
 * pthread mutex: NOT recursive (Zephyr's is), error-checking when
 * VR_STUB_MUTEX_ERRORCHECK is set, so a relock in vregion fails a test
 * instead of passing silently. VR_STUB_FREESTANDING: no pthreads (cross
 * builds that are only measured, tests/zephyr/size_sof.sh). k_aligned_alloc counts its live blocks
 * (vr_stub_heap_live) so tests see metadata leaks.
 */
#ifndef VR_STUB_ZEPHYR_KERNEL_H
#define VR_STUB_ZEPHYR_KERNEL_H

#include <errno.h>
#ifndef VR_STUB_FREESTANDING
#include <pthread.h>
#endif
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <zephyr/sys/atomic.h>
#include <zephyr/sys/util.h>

typedef struct {
	int64_t ticks;
} k_timeout_t;
#define K_FOREVER ((k_timeout_t){ -1 })
#define K_NO_WAIT ((k_timeout_t){ 0 })

#ifndef VR_STUB_FREESTANDING
struct k_mutex {
	pthread_mutex_t m;
};
#define K_MUTEX_DEFINE(name) struct k_mutex name = { PTHREAD_MUTEX_INITIALIZER }
#else
/* cross builds for code size (nothing runs): Zephyr's layout, 5 words */
struct k_mutex {
	void *wait_q[2];
	void *owner;
	uint32_t lock_count;
	int owner_orig_prio;
};
#define K_MUTEX_DEFINE(name) struct k_mutex name = { { 0, 0 }, 0, 0, 0 }
#endif

int k_mutex_init(struct k_mutex *mutex);
int k_mutex_lock(struct k_mutex *mutex, k_timeout_t timeout);
int k_mutex_unlock(struct k_mutex *mutex);

#ifdef VR_STUB_UP_SPINLOCK
/* Zephyr on one CPU without CONFIG_SPIN_VALIDATE or
 * CONFIG_NONZERO_SPINLOCK_SIZE: no members, sizeof 0 in C
 * (include/zephyr/spinlock.h); k_spin_lock is arch_irq_lock(), here one
 * recursive lock for the process. */
struct k_spinlock {
};
#else
struct k_spinlock {
	int locked;
};
#endif
typedef struct {
	int key;
} k_spinlock_key_t;
k_spinlock_key_t k_spin_lock(struct k_spinlock *l);
void k_spin_unlock(struct k_spinlock *l, k_spinlock_key_t key);

void *k_aligned_alloc(size_t align, size_t size);
void *k_malloc(size_t size);
void k_free(void *ptr);
__attribute__((noreturn)) void k_panic(void);

/* host bookkeeping, not Zephyr API */
unsigned long vr_stub_mutex_locks(void);	/* k_mutex_lock calls so far */
unsigned long vr_stub_spin_locks(void);	/* k_spin_lock calls so far */
/* abort if this thread holds a k_spinlock: `what` may block or is slow */
void vr_stub_may_block(const char *what);
long vr_stub_heap_live(void);
/* make the next k_aligned_alloc/k_malloc calls fail: call k (from 1) of
 * the calls after this one fails; 0 disarms */
void vr_stub_heap_fail_at(unsigned long k);

#endif
