/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_common.h - what both libFuzzer harnesses share: a byte reader over the
 * input, the check macro, request-size decoding, optional tracing, and
 * canary zones (also poisoned for ASan) around the memory under test.
 *
 * Every harness must be deterministic: state lives in static storage that is
 * re-initialised at the start of every input, nothing depends on time, and
 * every allocation the harness makes is released before the input ends.
 */
#ifndef VR_FUZZ_COMMON_H
#define VR_FUZZ_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FZ_ASAN 1
#endif
#endif
#if !defined(FZ_ASAN) && defined(__SANITIZE_ADDRESS__)
#define FZ_ASAN 1
#endif
#ifdef FZ_ASAN
#include <sanitizer/asan_interface.h>
#define FZ_POISON(p, n)   __asan_poison_memory_region((p), (n))
#define FZ_UNPOISON(p, n) __asan_unpoison_memory_region((p), (n))
#else
#define FZ_POISON(p, n)   ((void)(p), (void)(n))
#define FZ_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

/* Set from the environment (VR_FUZZ_TRACE=1) in LLVMFuzzerInitialize. */
static int fz_trace_on;

#define FZ_TRACE(...)                                                     \
	do {                                                              \
		if (fz_trace_on)                                          \
			fprintf(stderr, __VA_ARGS__);                     \
	} while (0)

/* A failed check is a finding: print where and why, then abort so libFuzzer
 * saves the input (crash-<sha1>). */
#define FZ_CHECK(cond, ...)                                               \
	do {                                                              \
		if (!(cond)) {                                            \
			fprintf(stderr, "\n%s:%d: CHECK FAILED: %s\n  ", \
				__FILE__, __LINE__, #cond);               \
			fprintf(stderr, __VA_ARGS__);                     \
			fprintf(stderr, "\n");                            \
			abort();                                          \
		}                                                         \
	} while (0)

static inline void fz_init_trace(void)
{
	const char *t = getenv("VR_FUZZ_TRACE");

	fz_trace_on = t != NULL && t[0] != '\0' && t[0] != '0';
}

/* ---- input reader: reads past the end return 0 ---- */

struct fz_in {
	const uint8_t *p;
	size_t n;
};

static inline bool fz_more(const struct fz_in *in)
{
	return in->n != 0;
}

static inline uint8_t fz_u8(struct fz_in *in)
{
	if (in->n == 0)
		return 0;
	in->n--;
	return *in->p++;
}

static inline uint16_t fz_u16(struct fz_in *in)
{
	uint16_t lo = fz_u8(in);

	return (uint16_t)(lo | (uint16_t)fz_u8(in) << 8);
}

static inline uint32_t fz_u32(struct fz_in *in)
{
	uint32_t lo = fz_u16(in);

	return lo | (uint32_t)fz_u16(in) << 16;
}

/*
 * A request size. The first byte picks the class, so short inputs make small
 * requests and the fuzzer can still reach the boundaries:
 *   0..159   1..160 bytes (b + 1)
 *   160..223 16-bit size (may be 0)
 *   224..239 `big` - 8 .. `big` + 7 (around the caller's interesting limit)
 *   240..247 0
 *   248..255 huge: SIZE_MAX - k, SIZE_MAX / 2 + k (overflow paths)
 */
static inline size_t fz_size(struct fz_in *in, size_t big)
{
	uint8_t b = fz_u8(in);

	if (b < 160)
		return (size_t)b + 1u;
	if (b < 224)
		return fz_u16(in);
	if (b < 240)
		return big - 8u + (size_t)(b - 224);
	if (b < 248)
		return 0;
	if (b < 252)
		return SIZE_MAX - (size_t)(b - 248);
	return SIZE_MAX / 2u + (size_t)(b - 252);
}

/*
 * An alignment: mostly powers of two (1 .. 2^15), sometimes any byte value
 * (0, non-powers of two) or a huge value.
 */
static inline size_t fz_align(struct fz_in *in)
{
	uint8_t b = fz_u8(in);

	if (b < 192)
		return (size_t)1 << (b % 16u);
	if (b < 248)
		return (size_t)fz_u8(in);	/* any value, incl. 0 and 3, 6, 24 ... */
	return (size_t)1 << (sizeof(size_t) * 8u - 1u - (b - 248u));	/* huge powers */
}

/*
 * Slot tables: a harness keeps its objects in fixed arrays and picks one
 * from an input byte. fz_slot_find returns the first slot i of [0, n),
 * scanning cyclically from `from % n`, for which match(arg, i) is true, or
 * -1 if none is.
 */
static inline int fz_slot_find(int n, unsigned from, bool (*match)(const void *arg, int i),
			       const void *arg)
{
	int k, i;

	for (k = 0; k < n; k++) {
		i = (int)((from + (unsigned)k) % (unsigned)n);
		if (match(arg, i))
			return i;
	}
	return -1;
}

/* ---- canary zones around the memory under test ---- */

#define FZ_CANARY_CHECK 256	/* bytes checked on each side after every op */

/* The canary byte at distance d >= 1 from the memory (before: d bytes below
 * its start; after: d - 1 bytes above its end). Never 0. */
static inline uint8_t fz_canary_byte(size_t d)
{
	return (uint8_t)(0xc5u ^ (d * 29u) ^ (d >> 8)) | 1u;
}

/* The pattern as it appears in memory on each side, for memcmp. */
static uint8_t fz_canary_lo[FZ_CANARY_CHECK];	/* [i] = byte at distance CHECK - i */
static uint8_t fz_canary_hi[FZ_CANARY_CHECK];	/* [i] = byte at distance i + 1 */

/*
 * Fill [lo, mem) and [mem + bytes, hi) with the canary pattern and poison them
 * for ASan (so a stray access reports at the faulting instruction). Call
 * fz_canary_release() before touching the arena again.
 */
static inline void fz_canary_arm(uint8_t *lo, uint8_t *mem, size_t bytes, uint8_t *hi)
{
	uint8_t *end = mem + bytes;
	size_t i;

	if (fz_canary_hi[0] == 0) {
		for (i = 0; i < FZ_CANARY_CHECK; i++) {
			fz_canary_lo[i] = fz_canary_byte(FZ_CANARY_CHECK - i);
			fz_canary_hi[i] = fz_canary_byte(i + 1u);
		}
	}
	/* The pattern next to the memory (what fz_canary_ok checks); further
	 * out only the poisoning guards. */
	i = (size_t)(mem - lo) < FZ_CANARY_CHECK ? (size_t)(mem - lo) : FZ_CANARY_CHECK;
	memcpy(mem - i, fz_canary_lo + FZ_CANARY_CHECK - i, i);
	i = (size_t)(hi - end) < FZ_CANARY_CHECK ? (size_t)(hi - end) : FZ_CANARY_CHECK;
	memcpy(end, fz_canary_hi, i);
	FZ_POISON(lo, (size_t)(mem - lo));
	FZ_POISON(end, (size_t)(hi - end));
}

/* Check the FZ_CANARY_CHECK bytes nearest to the memory on each side. */
static inline bool fz_canary_ok(uint8_t *lo, uint8_t *mem, size_t bytes, uint8_t *hi)
{
	uint8_t *end = mem + bytes;
	size_t nlo = (size_t)(mem - lo), nhi = (size_t)(hi - end), n;
	bool ok;

	n = nlo < FZ_CANARY_CHECK ? nlo : FZ_CANARY_CHECK;
	FZ_UNPOISON(mem - n, n);
	ok = memcmp(mem - n, fz_canary_lo + FZ_CANARY_CHECK - n, n) == 0;
	FZ_POISON(mem - n, n);
	n = nhi < FZ_CANARY_CHECK ? nhi : FZ_CANARY_CHECK;
	FZ_UNPOISON(end, n);
	ok = ok && memcmp(end, fz_canary_hi, n) == 0;
	FZ_POISON(end, n);
	return ok;
}

static inline void fz_canary_release(uint8_t *lo, uint8_t *hi)
{
	FZ_UNPOISON(lo, (size_t)(hi - lo));
}

#endif /* VR_FUZZ_COMMON_H */
