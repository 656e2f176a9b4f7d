#!/usr/bin/env python3
"""Convert the Zola flavour written by gen_corpus.py into a policy-portal site.

usage: portal_flavour.py ZOLA_DIR SITE_DIR [--no-siblings] [--title 某某市人民政府]

ZOLA_DIR is OUT/zola from `gen_corpus.py SEED_DIR OUT N`. SITE_DIR is (re)created with
  content/      the same Markdown; front matter rewritten to the portal contract
                (`taxonomies: {"tags": [...]}` -> `tags: [...]`; title/date/weight kept;
                section `_index.md` keeps title and sort_by); `@/sXX/pYYYYY.md` links untouched
  portal.yaml   title, base_path "/", menus.main = one entry per section (the header nav)
  templates/    site-level Tera templates doing the same work as the Hugo flavour's layouts:
                base (header nav of every section + footer), page (h1, date, tag links, content,
                and -- unless --no-siblings -- a nav listing every page of its section),
                home / section / tag list / tag term listings, 404.

Pass --no-siblings when the corpus was generated with --no-siblings (the "plain" workload),
so that the page template matches the Hugo flavour's single.html.
"""
import json
import os
import shutil
import sys

# ---------------------------------------------------------------- templates
# Kept as close as possible to gen_corpus.py's Hugo layouts (baseof/single/list), in Tera 1.x.
# Every link is `{{ root }}{{ x.path }}` (see the portal template contract).

BASE = (
    '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
    '<title>{% block title %}{% endblock %} - {{ site.title }}</title></head><body>\n'
    '<header><a href="{{ root }}index.html">首页</a> '
    '{% for m in site.menus.main %}<a href="{{ root }}{{ m.path }}">{{ m.name }}</a> {% endfor %}'
    '</header>\n{% block main %}{% endblock %}\n'
    '<footer>{{ site.title }} 版权所有</footer></body></html>\n'
)


def listing(var):
    return ('<ul>{% for p in ' + var + ' %}<li><a href="{{ root }}{{ p.path }}">{{ p.title }}</a></li>'
            '{% endfor %}</ul>')


SIBLINGS = '<nav><h2>本栏目</h2>' + listing('section.pages') + '</nav>'


def page_tpl(siblings):
    return (
        '{% extends "base.html" %}{% block title %}{{ page.title }}{% endblock %}'
        '{% block main %}<main><h1>{{ page.title }}</h1>\n'
        '<p>{{ page.date }} {% for t in page.tags %}<a href="{{ root }}{{ t.path }}">{{ t.name }}</a> '
        '{% endfor %}</p>\n{{ page.content | safe }}</main>\n'
        + (SIBLINGS if siblings else '') + '{% endblock %}\n'
    )


SECTION = (
    '{% extends "base.html" %}{% block title %}{{ section.title }}{% endblock %}'
    '{% block main %}<main><h1>{{ section.title }}</h1>\n{{ section.content | safe }}'
    + listing('section.pages') + '</main>{% endblock %}\n'
)
# Hugo's home list ranges over .Pages, i.e. the top-level sections.
INDEX = (
    '{% extends "base.html" %}{% block title %}{{ section.title }}{% endblock %}'
    '{% block main %}<main><h1>{{ section.title }}</h1>\n{{ section.content | safe }}'
    + listing('section.subsections') + '</main>{% endblock %}\n'
)
TAX_LIST = (
    '{% extends "base.html" %}{% block title %}标签{% endblock %}{% block main %}<main><h1>标签</h1>\n'
    '<ul>{% for t in terms %}<li><a href="{{ root }}{{ t.path }}">{{ t.name }}</a></li>{% endfor %}</ul>'
    '</main>{% endblock %}\n'
)
TAX_TERM = (
    '{% extends "base.html" %}{% block title %}{{ term.name }}{% endblock %}'
    '{% block main %}<main><h1>{{ term.name }}</h1>\n' + listing('term.pages') + '</main>{% endblock %}\n'
)
NOT_FOUND = (
    '{% extends "base.html" %}{% block title %}页面不存在{% endblock %}'
    '{% block main %}<main><h1>页面不存在</h1></main>{% endblock %}\n'
)

TEMPLATES = {
    'base.html': BASE,
    'index.html': INDEX,
    'section.html': SECTION,
    'taxonomy_list.html': TAX_LIST,
    'taxonomy_term.html': TAX_TERM,
    '404.html': NOT_FOUND,
}

# ---------------------------------------------------------------- front matter

PAGE_KEYS = ('title', 'date', 'weight')
SECTION_KEYS = ('title', 'sort_by')


def split_front_matter(text, path):
    if not text.startswith('---\n'):
        raise SystemExit(f'{path}: no front matter')
    end = text.index('\n---\n', 3)
    return text[4:end + 1], text[end + 5:]


def parse_front_matter(block, path):
    """gen_corpus.py writes one `key: <json>` per line; fall back to PyYAML for anything else."""
    meta = {}
    try:
        for line in block.splitlines():
            if not line.strip():
                continue
            k, v = line.split(':', 1)
            meta[k.strip()] = json.loads(v)
        return meta
    except ValueError:
        try:
            import yaml
        except ImportError:
            raise SystemExit(f'{path}: front matter is not `key: json` lines and PyYAML is missing')
        return yaml.safe_load(block) or {}


def dump_front_matter(meta):
    # JSON scalars/flow sequences are valid YAML.
    return '---\n' + ''.join(f'{k}: {json.dumps(v, ensure_ascii=False)}\n' for k, v in meta.items()) + '---\n'


def convert_meta(meta, is_section):
    out = {}
    for k in (SECTION_KEYS if is_section else PAGE_KEYS):
        if k in meta:
            out[k] = meta[k]
    if not is_section:
        tags = (meta.get('taxonomies') or {}).get('tags', meta.get('tags'))
        if tags:
            out['tags'] = list(tags)
    return out


# ---------------------------------------------------------------- main

def yaml_str(s):
    return json.dumps(s, ensure_ascii=False)


def convert(zola, site, siblings=True, title='某某市人民政府'):
    src = os.path.join(zola, 'content')
    if not os.path.isdir(src):
        raise SystemExit(f'{src}: not a directory (expected OUT/zola from gen_corpus.py)')
    if os.path.exists(site):
        shutil.rmtree(site)
    dst = os.path.join(site, 'content')
    sections = []  # (slug, title) of top-level sections, sorted by slug (= generation order)
    n_pages = 0
    for dirpath, dirnames, filenames in os.walk(src):
        dirnames.sort()
        rel = os.path.relpath(dirpath, src)
        os.makedirs(os.path.join(dst, rel), exist_ok=True)
        for fn in sorted(filenames):
            sp = os.path.join(dirpath, fn)
            dp = os.path.join(dst, rel, fn)
            if not fn.endswith('.md'):
                shutil.copyfile(sp, dp)
                continue
            with open(sp, encoding='utf-8') as fh:
                text = fh.read()
            block, body = split_front_matter(text, sp)
            meta = parse_front_matter(block, sp)
            is_section = fn == '_index.md'
            new = convert_meta(meta, is_section)
            if is_section and rel != '.' and os.sep not in rel:
                sections.append((rel, new.get('title', rel)))
            if not is_section:
                n_pages += 1
            with open(dp, 'w', encoding='utf-8') as fh:
                fh.write(dump_front_matter(new) + body)
    sections.sort()

    cfg = [f'title: {yaml_str(title)}', 'base_path: "/"', 'menus:', '  main:']
    for i, (slug, stitle) in enumerate(sections):
        cfg.append(f'    - {{name: {yaml_str(stitle)}, page: "@/{slug}/_index.md", weight: {i + 1}}}')
    if not sections:
        cfg[-1] = '  main: []'
    with open(os.path.join(site, 'portal.yaml'), 'w', encoding='utf-8') as fh:
        fh.write('\n'.join(cfg) + '\n')

    tdir = os.path.join(site, 'templates')
    os.makedirs(tdir, exist_ok=True)
    for name, body in dict(TEMPLATES, **{'page.html': page_tpl(siblings)}).items():
        with open(os.path.join(tdir, name), 'w', encoding='utf-8') as fh:
            fh.write(body)
    return dict(pages=n_pages, sections=len(sections))


def main(argv):
    args = [a for a in argv if not a.startswith('--')]
    siblings = '--no-siblings' not in argv
    title = argv[argv.index('--title') + 1] if '--title' in argv else '某某市人民政府'
    if '--title' in argv:
        args.remove(title)
    if len(args) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    info = convert(args[0], args[1], siblings=siblings, title=title)
    print(f'portal site: {args[1]} pages={info["pages"]} sections={info["sections"]} '
          f'siblings={"yes" if siblings else "no"}')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
