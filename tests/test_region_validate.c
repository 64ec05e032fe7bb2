/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_region_validate.c - vr_region_validate() catches each kind of
 * inconsistency (white box: the test reads src/vregion_internal.h, the
 * library's own definition, and breaks one field at a time, then restores
 * it), and a corrupted interim block header inside the region is reported
 * by free and validate without changing anything. Flat port, every target.
 */
#include "region_fixture.h"

#include "vregion_internal.h"

#define BREAK(field, value)                                            \
	do {                                                           \
		__typeof__(field) saved_ = (field);                    \
		(field) = (value);                                     \
		assert_int_equal(vr_region_validate(vr), -EFAULT);     \
		(field) = saved_;                                      \
		assert_int_equal(vr_region_validate(vr), 0);           \
	} while (0)

/* The heap's headers are poisoned in an annotated ASan build
 * (VR_CONFIG_TRACK = 1): the test writes one through these on purpose. */
#if VR_CONFIG_TRACK == 1
#define T_NO_ASAN __attribute__((no_sanitize_address, noinline))
#else
#define T_NO_ASAN
#endif
static T_NO_ASAN uint8_t peek8(const uint8_t *p) { return *(const volatile uint8_t *)p; }
static T_NO_ASAN void poke8(uint8_t *p, uint8_t v) { *(volatile uint8_t *)p = v; }

static void test_validate_lifetime(void **state)
{
	struct vr_region *vr = t_mk(4 * PAGE, 0, VR_REGION_NOLOCK);
	uint8_t *a, *b;

	(void)state;
	a = vr_region_alloc(vr, 100);
	b = vr_region_alloc(vr, 100);
	assert_non_null(b);
	assert_int_equal(vr_region_validate(vr), 0);
	BREAK(vr->fast.ptr, vr->fast.ptr + 8);			/* misaligned */
	BREAK(vr->fast.ptr, vr->fast.end + 64);			/* past the end */
	BREAK(vr->fast.ptr, vr->fast.base - 64);		/* before the base */
	BREAK(vr->closed, !vr->closed);				/* open/closed against the mode */
	BREAK(vr->may_open, !vr->may_open);			/* the mode itself */
	BREAK(vr->fast.atomic, 1);				/* CAS without a lock */
	BREAK(vr->starts[9], true);				/* start above the bump */
	BREAK(vr->starts[vr->start_bytes - 1], true);		/* the last granule */
	BREAK(((uint8_t *)vr->starts)[0], 7);			/* not a bool value */
	BREAK(vr->fast.map_bias, vr->fast.map_bias + 1);
	BREAK(vr->refcount, 0);
	BREAK(vr->phase, (enum vr_region_phase)7);
	if (vr->may_open)
		BREAK(vr->phase, VR_REGION_INVALID);		/* INVALID with a fast path */
	BREAK(vr->sealed, true);
	BREAK(vr->lifetime_end, vr->fast.end - PAGE);		/* LIFETIME must own it all */
	BREAK(vr->size, vr->size + PAGE);
	BREAK(vr->pages, vr->pages + 1);
	BREAK(vr->fast.end, vr->fast.end + PAGE);
	BREAK(vr->fast.mask, 31);
	BREAK(vr->fast.shift, 5);
	BREAK(vr->start_bytes, vr->start_bytes - 1);
	BREAK(vr->own_guard, true);				/* pool run has no guard */
	(void)a;
	assert_null(vr_region_put(vr));
}

static void test_validate_interim(void **state)
{
	struct vr_region *vr = t_mk(4 * PAGE, 0, 0);
	uint8_t *p, *q;
	uint8_t saved;
	int rc;

	(void)state;
	assert_non_null(vr_region_alloc(vr, 1000));
	assert_int_equal(vr_region_set_interim(vr), 0);
	p = vr_region_alloc(vr, 200);
	q = vr_region_alloc(vr, 200);
	assert_non_null(q);
	assert_int_equal(vr_region_validate(vr), 0);
	BREAK(vr->closed, false);				/* inline path in INTERIM */
	BREAK(vr->fast.ptr, vr->fast.end - 64);			/* closed, with room */
	BREAK(vr->bump, vr->bump + 8);				/* misaligned */
	BREAK(vr->lifetime_end, vr->lifetime_end + 64);		/* heap range */
	BREAK(vr->lifetime_end, vr->bump - 64);			/* below the bump pointer */
	BREAK(vr->interim_lo, vr->lifetime_end - 64);		/* below the interim base */
	BREAK(vr->interim_lo, vr->interim_lo + 8);		/* misaligned */
	BREAK(vr->interim_hi, vr->fast.end + 64);		/* past the end */
	BREAK(vr->sealed, true);				/* sealed but not page aligned */

	/* the user overwrites the heap header in front of p (it is inside the
	 * region): validate and free report it, nothing changes */
	vr_test_expose(p - 1, 1);		/* memcheck: on purpose */
	saved = peek8(p - 1);
	poke8(p - 1, (uint8_t)(saved ^ 0x40));
	assert_int_equal(vr_region_validate(vr), -EFAULT);
	rc = vr_region_free(vr, p);
	assert_int_equal(rc, -EFAULT);
	assert_int_equal(t_st(vr).interim_live, 2);
	poke8(p - 1, saved);
	assert_int_equal(vr_region_validate(vr), 0);
	assert_int_equal(vr_region_free(vr, p), 0);
	assert_int_equal(vr_region_free(vr, q), 0);
	assert_int_equal(vr_region_validate(vr), 0);
	assert_null(vr_region_put(vr));
}

/* The reference count at its limit: get refuses to wrap it (NULL, counted,
 * logged) and the region is unchanged. White box: the count is set near
 * SIZE_MAX directly (a real program cannot get there). */
static void test_refcount_limit(void **state)
{
	struct vr_region *vr = t_mk(PAGE, 0, 0);
	unsigned err = t_logs[VR_LOG_ERR];

	(void)state;
	vr->refcount = SIZE_MAX - 1;
	assert_ptr_equal(vr_region_get(vr), vr);
	assert_int_equal(t_st(vr).refcount, SIZE_MAX);
	assert_null(vr_region_get(vr));
	assert_int_equal(t_st(vr).refcount, SIZE_MAX);
	assert_int_equal(t_st(vr).errors, 1);
	assert_int_equal(t_logs[VR_LOG_ERR], err + 1);
	assert_int_equal(vr_region_validate(vr), 0);
	assert_ptr_equal(vr_region_put(vr), vr);		/* SIZE_MAX - 1 left */
	vr->refcount = 1;
	assert_null(vr_region_put(vr));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_validate_lifetime, t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_validate_interim, t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_refcount_limit, t_setup, t_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
