/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libgcc_fill.c - the integer helpers missing from Debian 12's libgcc.a for
 * xtensa-lx106 (gcc-xtensa-lx106 12.2.0-14): __udivsi3, __umodsi3, __divsi3,
 * __udivdi3, __umoddi3, __divdi3, __muldi3, __umulsidi3. The lx106 has no
 * divider, so any `/` or `%` on a non-constant links against these. libgcc.a
 * does have __modsi3, __mulsi3, __udivmoddi4 and __divmoddi4, used below.
 * Linked into every Xtensa test image; firmware built with the Espressif
 * toolchain has them in its own libgcc and does not need this file.
 * Shift-and-subtract division, one quotient bit per step from the divisor's
 * aligned position; tests/harness/selftest.c checks it against known values
 * (signs, remainders, 64-bit forms).
 */
#include <stdint.h>

uint64_t __udivmoddi4(uint64_t n, uint64_t d, uint64_t *rem);	/* in libgcc.a */

uint32_t __udivsi3(uint32_t n, uint32_t d);
uint32_t __umodsi3(uint32_t n, uint32_t d);
int32_t __divsi3(int32_t a, int32_t b);
uint64_t __udivdi3(uint64_t n, uint64_t d);
uint64_t __umoddi3(uint64_t n, uint64_t d);
int64_t __divdi3(int64_t a, int64_t b);
uint64_t __umulsidi3(uint32_t a, uint32_t b);
uint64_t __muldi3(uint64_t a, uint64_t b);

/*
 * n / d and n % d by shift-and-subtract, starting at the divisor aligned
 * under the dividend's top bit (so small quotients take few steps). d == 0
 * gives quotient 0xffffffff and remainder n (the C result is undefined; this
 * matches no trap, as on hardware without a divider).
 */
static uint32_t vr_udivmod32(uint32_t n, uint32_t d, uint32_t *r)
{
	uint32_t q = 0, bit = 1;

	if (d == 0) {
		if (r)
			*r = n;
		return 0xffffffffu;
	}
	while (d < n && !(d & 0x80000000u)) {
		d <<= 1;
		bit <<= 1;
	}
	while (bit) {
		if (n >= d) {
			n -= d;
			q |= bit;
		}
		d >>= 1;
		bit >>= 1;
	}
	if (r)
		*r = n;
	return q;
}

static uint32_t vr_abs32(int32_t v)
{
	return v < 0 ? 0u - (uint32_t)v : (uint32_t)v;
}

static uint64_t vr_abs64(int64_t v)
{
	return v < 0 ? 0u - (uint64_t)v : (uint64_t)v;
}

uint32_t __udivsi3(uint32_t n, uint32_t d)
{
	return vr_udivmod32(n, d, 0);
}

uint32_t __umodsi3(uint32_t n, uint32_t d)
{
	uint32_t r;

	vr_udivmod32(n, d, &r);
	return r;
}

int32_t __divsi3(int32_t a, int32_t b)
{
	uint32_t q = vr_udivmod32(vr_abs32(a), vr_abs32(b), 0);

	return ((a < 0) != (b < 0)) ? (int32_t)(0u - q) : (int32_t)q;
}

uint64_t __udivdi3(uint64_t n, uint64_t d)
{
	return __udivmoddi4(n, d, 0);
}

uint64_t __umoddi3(uint64_t n, uint64_t d)
{
	uint64_t r;

	__udivmoddi4(n, d, &r);
	return r;
}

int64_t __divdi3(int64_t a, int64_t b)
{
	uint64_t q = __udivmoddi4(vr_abs64(a), vr_abs64(b), 0);

	return ((a < 0) != (b < 0)) ? (int64_t)(0u - q) : (int64_t)q;
}

uint64_t __umulsidi3(uint32_t a, uint32_t b)
{
	uint32_t a0 = a & 0xffffu, a1 = a >> 16, b0 = b & 0xffffu, b1 = b >> 16;

	return (uint64_t)(a0 * b0) + ((uint64_t)(a1 * b0) << 16) +
	       ((uint64_t)(a0 * b1) << 16) + ((uint64_t)(a1 * b1) << 32);
}

uint64_t __muldi3(uint64_t a, uint64_t b)
{
	uint32_t al = (uint32_t)a, ah = (uint32_t)(a >> 32);
	uint32_t bl = (uint32_t)b, bh = (uint32_t)(b >> 32);

	return __umulsidi3(al, bl) + ((uint64_t)(al * bh + ah * bl) << 32);
}
