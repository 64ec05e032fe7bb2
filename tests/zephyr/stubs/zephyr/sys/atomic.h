/* SPDX-License-Identifier: BSD-3-Clause */
/* Stand-in for <zephyr/sys/atomic.h> (Zephyr's atomic_t is a long), over
 * the compiler's __atomic builtins, sequentially consistent as Zephyr's. */
#ifndef VR_STUB_ZEPHYR_SYS_ATOMIC_H
#define VR_STUB_ZEPHYR_SYS_ATOMIC_H

#include <stdbool.h>

typedef long atomic_t;
typedef atomic_t atomic_val_t;

static inline atomic_val_t atomic_get(const atomic_t *t)
{
	return __atomic_load_n(t, __ATOMIC_SEQ_CST);
}

static inline atomic_val_t atomic_set(atomic_t *t, atomic_val_t v)
{
	return __atomic_exchange_n(t, v, __ATOMIC_SEQ_CST);
}

static inline bool atomic_cas(atomic_t *t, atomic_val_t old, atomic_val_t v)
{
	return __atomic_compare_exchange_n(t, &old, v, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
}

static inline atomic_val_t atomic_add(atomic_t *t, atomic_val_t v)
{
	return __atomic_fetch_add(t, v, __ATOMIC_SEQ_CST);
}

static inline atomic_val_t atomic_sub(atomic_t *t, atomic_val_t v)
{
	return __atomic_fetch_sub(t, v, __ATOMIC_SEQ_CST);
}

static inline atomic_val_t atomic_inc(atomic_t *t)
{
	return atomic_add(t, 1);
}

static inline atomic_val_t atomic_dec(atomic_t *t)
{
	return atomic_sub(t, 1);
}

#endif
