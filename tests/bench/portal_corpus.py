#!/usr/bin/env python3
"""Turn the zola flavour of ../shared/bench/gen_corpus.py into a portal site.

usage: portal_corpus.py ZOLA_DIR OUT_DIR [--no-search]

Copies content/, rewrites `taxonomies: {"tags": [...]}` to `tags: [...]` and writes a portal.yaml
(with `search: {enabled: false}` when --no-search, to time a build without the index).
"""
import json, os, re, shutil, sys

src, out = sys.argv[1], sys.argv[2]
no_search = '--no-search' in sys.argv
shutil.rmtree(out, ignore_errors=True)
TAX = re.compile(r'^taxonomies: (\{.*\})$', re.M)
for dirpath, _, files in os.walk(os.path.join(src, 'content')):
    rel = os.path.relpath(dirpath, src)
    os.makedirs(os.path.join(out, rel), exist_ok=True)
    for f in files:
        text = open(os.path.join(dirpath, f), encoding='utf-8').read()
        text = TAX.sub(lambda m: 'tags: ' + json.dumps(json.loads(m.group(1)).get('tags', []), ensure_ascii=False), text)
        open(os.path.join(out, rel, f), 'w', encoding='utf-8').write(text)
with open(os.path.join(out, 'portal.yaml'), 'w', encoding='utf-8') as fh:
    fh.write('title: 某某市人民政府\n')
    fh.write('search:\n  enabled: false\n' if no_search else
             'search:\n  synonyms:\n    - [征收, 征用, 征地]\n    - [拆迁, 征迁]\n    - [变电站, 输变电]\n')
