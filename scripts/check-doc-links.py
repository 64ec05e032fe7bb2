#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""check-doc-links.py ROOT: every relative link of the repository's markdown
(README.md, CHANGELOG.md, tests/README.md, docs/*.md) names an existing file
and, for a link into a markdown file, an existing heading anchor (GitHub's
slugs). Links in code spans and fenced blocks are not links. Exit 1 with one
line per broken link."""
import glob
import os
import re
import sys


def slug(heading):
    heading = re.sub(r'`', '', heading).strip().lower()
    return re.sub(r'[^\w\- ]', '', heading).replace(' ', '-')


def lines_outside_fences(path):
    fenced = False
    for n, line in enumerate(open(path, encoding='utf-8'), 1):
        if line.startswith('```'):
            fenced = not fenced
        elif not fenced:
            yield n, line


def anchors(path):
    found, seen = set(), {}
    for _, line in lines_outside_fences(path):
        m = re.match(r'^#+\s+(.*?)\s*#*\s*$', line)
        if m:
            s = slug(m.group(1))
            k = seen.get(s, 0)
            seen[s] = k + 1
            found.add(s if k == 0 else '%s-%d' % (s, k))
        found.update(re.findall(r'<a (?:name|id)="([^"]+)"', line))
    return found


def main(root):
    docs = [os.path.join(root, f) for f in ('README.md', 'CHANGELOG.md', 'tests/README.md')]
    docs += sorted(glob.glob(os.path.join(root, 'docs', '*.md')))
    bad = 0
    for doc in docs:
        for n, line in lines_outside_fences(doc):
            for target in re.findall(r'\]\(([^)\s]+)\)', re.sub(r'`[^`]*`', '', line)):
                if re.match(r'^[a-z]+:', target):
                    continue
                path, _, anchor = target.partition('#')
                dest = os.path.normpath(os.path.join(os.path.dirname(doc), path)) if path else doc
                where = '%s:%d' % (os.path.relpath(doc, root), n)
                if not os.path.exists(dest):
                    print('%s: link to a missing file: %s' % (where, target))
                    bad += 1
                elif anchor and dest.endswith('.md') and anchor not in anchors(dest):
                    print('%s: link to a missing heading: %s' % (where, target))
                    bad += 1
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else '.'))
