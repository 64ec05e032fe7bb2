#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Write the seed corpus of the fuzz harnesses: fuzz/corpus/{heap,region}/.

Each seed is a small program in the harness's input format (documented at the
top of fuzz_heap.c and fuzz_region.c), assembled here by name so it stays
readable. The seeds start the fuzzer on every operation and every mode: the
fuzzer mutates from there. Re-run after changing an input format:

    python3 fuzz/make_seeds.py            # rewrites the seed-*.bin files

Files not named seed-*.bin (crash inputs added after a fix, named
regress-<what>.bin) are left alone. Deterministic: same output every run.
"""
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def u16(v):
    return struct.pack('<H', v & 0xffff)


def size(n):
    """fz_size(): 1..160 in one byte, else a 16-bit value (0 included)."""
    if 1 <= n <= 160:
        return bytes([n - 1])
    return bytes([160]) + u16(n)


def size_big(k):
    """fz_size(): 'big' - 8 + k (k in 0..15), the caller's limit."""
    return bytes([224 + k])


def size_zero():
    return bytes([240])


def size_huge():
    return bytes([248])          # SIZE_MAX


def align_pow2(log2):
    return bytes([log2 % 16])


def align_any(v):
    """fz_align(): any byte value (0, 3, 24, ...)."""
    return bytes([192, v & 0xff])


def align_huge():
    return bytes([248])          # 2^63 on 64-bit hosts


# ---- fuzz_heap ---------------------------------------------------------------

class Heap:
    """Header: heap size, placement, mode; then opcodes (op % 16)."""

    CREATE_IN, BOUNDS, CORRUPT, FRESH, FRESH_ALIGN_HI = 1, 2, 4, 8, 16
    G16, G64, G256 = 32, 64, 96       # granule of an init-mode heap (default 8)

    def __init__(self, heap_bytes_arg, place=0, mode=0):
        self.b = u16(heap_bytes_arg) + bytes([place, mode])

    def op(self, code, *args):
        self.b += bytes([code]) + b''.join(args)
        return self

    def alloc(self, s):
        return self.op(0, s)

    def aligned(self, a, s):
        return self.op(3, a, s)

    def free(self, slot):
        return self.op(4, bytes([slot]))

    def bad(self, kind, arg=0, off=0):
        # 0 interior, 1 interior on the grid, 2 foreign/outside, 3 NULL,
        # 4/5 double free or free after reset, 6 NULL-heap calls,
        # 7 usable_size/contains
        return self.op(7, bytes([kind, arg]), u16(off))

    def walk(self, arg=1):
        return self.op(9, bytes([arg]))

    def reset(self):
        return self.op(10, bytes([0]))

    def largest(self):
        return self.op(11)

    def burst(self, k, s):
        return self.op(12, bytes([k - 1]), s)

    def free_all(self, order=0):
        return self.op(13, bytes([order]))

    def rewrite(self, slot):
        return self.op(14, bytes([slot]))

    def corrupt(self, kind, arg=0, x=0x40):
        # 0 live header, 1 free header, 2 next link, 3 prev link, 4 footer,
        # 5 end marker, 6 one-byte overflow, 7 any byte
        return self.op(15, bytes([kind, arg, x]))


def heap_seeds():
    s = {}
    s['basic'] = (Heap(4000).alloc(size(24)).alloc(size(100)).alloc(size(1))
                  .alloc(size(700)).free(1).walk(1).alloc(size(60)).free(0)
                  .free(3).walk(4).free_all(0))
    s['sizes-edge'] = (Heap(2000).alloc(size_zero()).alloc(size_huge())
                       .alloc(bytes([252])).alloc(size_big(8)).alloc(size(4))
                       .alloc(size(5)).alloc(size(12)).alloc(size(13))
                       .largest().walk(1).free_all(1))
    s['aligned'] = (Heap(9000, place=3).aligned(align_pow2(4), size(10))
                    .aligned(align_pow2(7), size(100)).aligned(align_pow2(12), size(1))
                    .aligned(align_any(0), size(8)).aligned(align_any(3), size(8))
                    .aligned(align_any(24), size(8)).aligned(align_huge(), size(8))
                    .aligned(align_pow2(15), size(8)).walk(1).free_all(2))
    s['aligned-double-free'] = (Heap(3000, place=4).aligned(align_pow2(4), size(1))
                                .aligned(align_pow2(6), size(20)).free(0).bad(4, 0)
                                .free(1).bad(4, 1).walk(1))
    s['bad-frees'] = (Heap(3000, place=5).alloc(size(64)).alloc(size(200))
                      .bad(0, 0, 5).bad(1, 1, 3).bad(2, 7).bad(3).bad(6).bad(7, 1, 2)
                      .free(0).bad(4, 0).alloc(size(30)).bad(5, 0).free_all(0))
    s['reset'] = (Heap(5000).alloc(size(40)).alloc(size(300)).alloc(size(8))
                  .free(1).reset().bad(4, 0).bad(4, 1).alloc(size(16)).bad(5, 2)
                  .walk(1).reset().free_all(0))
    s['largest'] = (Heap(6000).burst(8, size(90)).free(2).free(5).largest()
                    .largest().walk(1).free_all(1))
    s['burst'] = (Heap(30000, place=63).burst(16, size(8)).burst(16, size(120))
                  .free_all(2).burst(10, size(2000)).rewrite(3).free_all(1))
    s['create-in'] = (Heap(0, place=1, mode=Heap.CREATE_IN | Heap.BOUNDS)
                      .alloc(size(8)).alloc(size(8)).free(0).walk(1).free_all(0))
    s['create-in-big'] = (Heap(39000, place=7, mode=Heap.CREATE_IN)
                          .alloc(size(5000)).aligned(align_pow2(9), size(300))
                          .free(0).largest().walk(1))
    # fresh_max at alignment 4 << (2 * (place >> 6) + bit 16 of the mode)
    s['fresh-max'] = Heap(3000, place=0x05, mode=Heap.FRESH).alloc(size(11))
    s['fresh-max-aligned'] = (Heap(20000, place=0xc3, mode=Heap.FRESH | Heap.FRESH_ALIGN_HI)
                              .largest())
    s['tiny'] = Heap(0, mode=Heap.BOUNDS).alloc(size(12)).alloc(size(1)).largest()
    # heaps of a larger granule (vregion passes its min_align): natural
    # alignment, the exact max_alloc at alignments around the granule
    s['granule-16'] = (Heap(5000, place=9, mode=Heap.G16 | Heap.FRESH)
                       .alloc(size(1)).alloc(size(12)).alloc(size(13)).aligned(align_pow2(6), size(40))
                       .free(1).largest().walk(1).free_all(2))
    s['granule-64'] = (Heap(20000, place=0x41, mode=Heap.G64 | Heap.FRESH)
                       .burst(8, size(64)).burst(4, size(200)).free(3).free(5)
                       .aligned(align_pow2(8), size(100)).largest().walk(1).free_all(1))
    s['granule-256'] = (Heap(30000, place=0x80, mode=Heap.G256 | Heap.CORRUPT)
                        .alloc(size(300)).alloc(size(20)).alloc(size(700)).free(1)
                        .corrupt(4, 0, 0x21).free(0).reset().alloc(size(5)))
    for kind, name in enumerate(['live-header', 'free-header', 'next-link',
                                 'prev-link', 'footer', 'end-marker', 'overflow',
                                 'any-byte']):
        s['corrupt-' + name] = (Heap(4000, place=kind, mode=Heap.CORRUPT)
                                .alloc(size(40)).alloc(size(40)).alloc(size(40))
                                .alloc(size(40)).free(1).corrupt(kind, 0, 0x81)
                                .free(0).alloc(size(16)).walk(1).free(3)
                                .alloc(size(100)).reset().alloc(size(20)))
    return {k: v.b for k, v in s.items()}


# ---- fuzz_region -------------------------------------------------------------

class Region:
    """Header: page size, cache line, window pages, flags; then opcodes."""

    POOL_GUARD1, POOL_GUARD2, LOCKS, INJECT, SMALL_META, LOG = 2, 3, 4, 8, 16, 32
    SEAL, GUARD, NOLOCK = 1, 2, 4

    def __init__(self, page_log=0, line=0, pages=60, bits=0):
        # page 64 << page_log; line 4 << line (0: none)
        self.b = bytes([page_log, line, pages - 4, bits])

    def op(self, code, *args):
        self.b += bytes([code]) + b''.join(args)
        return self

    def create(self, s, flags=0, min_align_log2=None):
        # min_align byte: multiple of 4 -> 0 (default); else 1 << (b % 14)
        ab = 0 if min_align_log2 is None else min_align_log2 + 14 * (min_align_log2 % 4 == 0)
        return self.op(0, bytes([ab, flags]), s)

    def create_raw(self, ab, fb, s):
        return self.op(0, bytes([ab, fb]), s)

    def get(self, r=0):
        return self.op(2, bytes([r]))

    def put(self, r=0):
        return self.op(3, bytes([r]))

    def alloc(self, r, kind, s, a=None):
        # kind 0 inline, 1 exported, 2 coherent, 3 align, 4 coherent_align, 5 align 0
        if kind % 6 >= 3:
            return self.op(4, bytes([r, kind]), s, a if a is not None else align_pow2(0))
        return self.op(4, bytes([r, kind]), s)

    def free(self, pick=0):
        return self.op(7, bytes([pick]))

    def bad(self, kind, arg=0, off=0):
        # 0 lifetime interior, 1 interim interior, 2 foreign, 3 NULL,
        # 4 above the bump, 5.. double free / free after interim_reset
        return self.op(9, bytes([kind, arg]), u16(off))

    def interim(self, r=0):
        return self.op(10, bytes([r]))

    def reset(self, r=0):
        return self.op(11, bytes([r]))

    def queries(self, r=1):
        return self.op(12, bytes([r if r % 4 else r + 1]))

    def dead_calls(self, released=False):
        return self.op(12, bytes([(1 if released else 0) * 4]))

    def foreign(self, slot=0, pages=1):
        return self.op(13, bytes([slot, pages - 1]))

    def inject(self, what):
        # 0 map, 1 protect, 2 meta_alloc, 3 lock_create
        return self.op(14, bytes([what]))

    def check(self):
        return self.op(15)


def region_seeds():
    s = {}
    s['lifetime'] = (Region(2, 0, 64).create(size(2000))
                     .alloc(0, 0, size(24)).alloc(0, 1, size(100)).alloc(0, 2, size(10))
                     .alloc(0, 3, size(40), align_pow2(7)).alloc(0, 4, size(3), align_pow2(9))
                     .alloc(0, 5, size(1)).alloc(0, 3, size(8), align_any(48))
                     .alloc(0, 0, size_zero()).alloc(0, 1, size_huge())
                     .free(1).bad(0, 0, 3).bad(3).bad(4, 0, 9).bad(5, 0).queries(1)
                     .check().put(0))
    s['interim'] = (Region(3, 3, 40).create(size(3000)).alloc(0, 0, size(100))
                    .interim(0).alloc(0, 1, size(50)).alloc(0, 2, size(70))
                    .alloc(0, 3, size(30), align_pow2(8)).free(1).free(2).bad(5, 0)
                    .bad(1, 0, 5).bad(1, 0, 64).interim(0).reset(0).bad(5, 1)
                    .alloc(0, 1, size(200)).check().put(0))
    s['invalid'] = (Region(0, 0, 20).create(size(200)).alloc(0, 1, size(100))
                    .alloc(0, 1, size(130)).interim(0).interim(0).alloc(0, 1, size(8))
                    .reset(0).free(0).put(0))
    s['seal-guard'] = (Region(4, 4, 30, Region.POOL_GUARD1)
                       .create(size(5000), Region.SEAL | Region.GUARD)
                       .create(size(900), Region.GUARD | Region.NOLOCK, 5)
                       .alloc(0, 0, size(300)).interim(0).alloc(0, 1, size(100))
                       .alloc(1, 0, size(17)).interim(1).queries(2).free(0).put(0).put(1))
    s['locks'] = (Region(1, 2, 100, Region.LOCKS | Region.LOG)
                  .create(size(1000)).create(size(500), Region.NOLOCK).get(0).get(0)
                  .alloc(0, 0, size(10)).alloc(1, 0, size(10)).interim(1)
                  .alloc(1, 2, size(33)).put(0).put(0).dead_calls(False)
                  .put(1).dead_calls(True).put(0))
    s['inject'] = (Region(2, 1, 50, Region.INJECT | Region.LOCKS)
                   .inject(0).create(size(300)).inject(2).create(size(300))
                   .inject(3).create(size(300)).create(size(300), Region.SEAL)
                   .alloc(0, 1, size(64)).inject(1).interim(0).interim(0)
                   .inject(0).foreign(0, 2).foreign(1, 1).bad(2, 0).foreign(1))
    s['small-meta'] = (Region(0, 0, 252, Region.SMALL_META | Region.POOL_GUARD2)
                       .create(size(6000)).create(size(6000)).create(size(6000))
                       .create(size(6000)).create(size(100)).put(1).create(size(64))
                       .queries(1))
    s['bad-create'] = (Region(0, 0, 20).create(size(100))
                       .create_raw(200 + 3, 0, size(100)).create_raw(1, 0, size(100))
                       .create_raw(4, 255, size(100)).create(size_zero())
                       .create(size_huge()).create(size_big(8)).create(size_big(9))
                       .dead_calls(False))
    s['line-over-page'] = Region(0, 6, 20).create(size(100)).create(size(100), 0, 6)
    s['many'] = (Region(5, 0, 36).create(size(4000)).create(size(4000))
                 .create(size(8000)).create(size(4000)).alloc(2, 1, size(700))
                 .put(1).create(size(8000)).foreign(0, 3).bad(2, 2).get(3).put(3)
                 .interim(2).alloc(2, 1, size(900)).alloc(2, 4, size(5), align_pow2(10)))
    return {k: v.b for k, v in s.items()}


def write(dirname, seeds):
    d = os.path.join(HERE, 'corpus', dirname)
    os.makedirs(d, exist_ok=True)
    for f in os.listdir(d):
        if f.startswith('seed-') and f.endswith('.bin'):
            os.remove(os.path.join(d, f))
    total = 0
    for name, data in sorted(seeds.items()):
        with open(os.path.join(d, 'seed-%s.bin' % name), 'wb') as fh:
            fh.write(data)
        total += len(data)
    print('%s: %d seeds, %d bytes' % (d, len(seeds), total))


def main():
    if len(sys.argv) > 1:
        print(__doc__)
        return 2
    write('heap', heap_seeds())
    write('region', region_seeds())
    return 0


if __name__ == '__main__':
    sys.exit(main())
