#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""check-fn-length.py [--max N] [DIR...]: fail if a C function is longer than N lines.

Counts the lines of every function definition in the .c and .h files under the
given directories (default: src tools), from the line of its name to its
closing brace. The code base writes function definitions in kernel style (the
opening brace of a function alone in column 0, the closing brace in column 0),
which is what this relies on; a brace in column 0 that follows a line ending in
')' (possibly after a parameter list spread over lines) opens a function.
Exit 0 when every function fits, 1 otherwise (each offender printed as
FILE:LINE: NAME is N lines).
"""
import os
import re
import sys

NAME = re.compile(r'([A-Za-z_][A-Za-z0-9_]*)\s*\(')


def functions(path):
    with open(path, encoding='utf-8', errors='replace') as f:
        lines = f.read().split('\n')
    i = 0
    while i < len(lines):
        if lines[i] == '{' and i > 0 and lines[i - 1].rstrip().endswith(')'):
            # walk back to the line holding the function's name
            j = i - 1
            while j > 0 and '(' not in lines[j]:
                j -= 1
            m = NAME.search(lines[j])
            name = m.group(1) if m else '?'
            k = i + 1
            while k < len(lines) and lines[k] != '}':
                k += 1
            yield name, j + 1, k - j + 1
            i = k
        i += 1


def main(argv):
    limit = 100
    dirs = []
    it = iter(argv)
    for a in it:
        if a == '--max':
            limit = int(next(it))
        else:
            dirs.append(a)
    if not dirs:
        dirs = ['src', 'tools']
    bad = 0
    count = 0
    for d in dirs:
        for root, _, files in os.walk(d):
            for fn in sorted(files):
                if not fn.endswith(('.c', '.h')):
                    continue
                p = os.path.join(root, fn)
                for name, line, n in functions(p):
                    count += 1
                    if n > limit:
                        print(f'{p}:{line}: {name} is {n} lines (limit {limit})')
                        bad += 1
    print(f'check-fn-length: {count} functions in {" ".join(dirs)}, {bad} over {limit} lines')
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
