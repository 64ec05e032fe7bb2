#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""check-log-messages.py [ROOT]: the library's log messages name their values.

A message passed to the log hook (port.h) ends, when it carries values, with
a parenthesised list of at most two names, "(size, align)", which the posix
port prints as "size=65536 align=64". A remark in parentheses at the end of
a message ("(double free?)") would be printed as a value name, so this check
fails on any message string in src/ (outside the Zephyr sources, which use
printf formats) whose trailing parenthesis is not such a list. Exit 0 or 1.
"""
import os
import re
import sys

STRING = re.compile(r'"((?:[^"\\]|\\.)*)"')
LIST = re.compile(r'\(([a-z][a-z0-9_ -]*)(, [a-z][a-z0-9_ -]*)?\)$')


def main(argv):
    root = argv[1] if len(argv) > 1 else '.'
    bad = 0
    checked = 0
    for d, _, files in os.walk(os.path.join(root, 'src')):
        if os.sep + 'zephyr' in d:
            continue
        for fn in sorted(files):
            if not fn.endswith(('.c', '.h')):
                continue
            path = os.path.join(d, fn)
            with open(path, encoding='utf-8') as f:
                for no, line in enumerate(f, 1):
                    if '%' in line or '#include' in line or '#error' in line:
                        continue
                    for s in STRING.findall(line):
                        if not s.endswith(')') or '(' not in s:
                            continue
                        checked += 1
                        if not LIST.search(s):
                            print(f'{path}:{no}: message ends in "{s[s.rfind("("):]}", '
                                  'not a list of value names')
                            bad += 1
    print(f'check-log-messages: {checked} messages with a trailing list, {bad} bad')
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
