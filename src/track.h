/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * track.h - sanitizer annotations of the memory inside regions, so that a
 * user's overflow from one object into the next, a read of padding or the
 * use of a freed interim block is reported AT THE FAULTING ACCESS by the
 * tool the build runs under (mimalloc's track.h idea). Private: not
 * installed. One knob, VR_CONFIG_TRACK (vregion/config.h; CMake option
 * VREGION_TRACK=asan|valgrind):
 *   0  nothing (the macros are empty: no code, no cost);
 *   1  AddressSanitizer manual poisoning (the library and the program built
 *      with -fsanitize=address);
 *   2  Valgrind memcheck client requests (run the program under valgrind).
 *
 *   vr_track_noaccess(p, n)   [p, p + n) must not be touched by the user
 *                             (bump space above the pointer, padding, free
 *                             interim blocks, unmapped-to-be pages)
 *   vr_track_undefined(p, n)  handed out, contents not guaranteed
 *   vr_track_defined(p, n)    handed out, contents defined (zeroed pages)
 *
 * Granularity: ASan poisons in 8-byte granules; poisoning an unaligned end
 * poisons only the granule's suffix, so allocations are annotated exactly
 * when their start is 8-aligned (every region allocation is). The library
 * itself must not read memory it has poisoned: code that touches in-region
 * metadata (the interim heap's free-list links, say) unpoisons it around the
 * access with vr_track_defined / vr_track_noaccess.
 */
#ifndef VREGION_TRACK_H
#define VREGION_TRACK_H

#include "vregion/config.h"

#if VR_CONFIG_TRACK == 1
#include <sanitizer/asan_interface.h>
#define vr_track_noaccess(p, n)  __asan_poison_memory_region((const volatile void *)(p), (n))
#define vr_track_undefined(p, n) __asan_unpoison_memory_region((const volatile void *)(p), (n))
#define vr_track_defined(p, n)   __asan_unpoison_memory_region((const volatile void *)(p), (n))
#elif VR_CONFIG_TRACK == 2
#include <valgrind/memcheck.h>
#define vr_track_noaccess(p, n)  ((void)VALGRIND_MAKE_MEM_NOACCESS((p), (n)))
#define vr_track_undefined(p, n) ((void)VALGRIND_MAKE_MEM_UNDEFINED((p), (n)))
#define vr_track_defined(p, n)   ((void)VALGRIND_MAKE_MEM_DEFINED((p), (n)))
#elif VR_CONFIG_TRACK == 0
#define vr_track_noaccess(p, n)  ((void)(p), (void)(n))
#define vr_track_undefined(p, n) ((void)(p), (void)(n))
#define vr_track_defined(p, n)   ((void)(p), (void)(n))
#else
#error "VR_CONFIG_TRACK must be 0 (none), 1 (ASan) or 2 (Valgrind)"
#endif

#endif /* VREGION_TRACK_H */
