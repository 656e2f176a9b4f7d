#!/usr/bin/env python3
"""Many-errors benchmark: how long `portal build` takes to report 500 errors.

usage: python3 tests/bench/many_errors.py [--errors 500] [--runs 5] [--portal PATH] [--no-cargo]

Generates two sites of the same 500 pages (Chinese text, a few links each) under a temporary folder:
`broken`, where every page has one mistake (broken links, unknown fields, wrong types, unknown status
values and unclosed front matter, in turn), and its peer `clean`, the same pages without mistakes.
Builds each R times, alternating, with the release binary, and reports the median wall time of both,
their ratio, and how many error lines the broken build printed (it must be all of them).

It reports; it does not assert timings. Exit status: 0 when the broken build failed with every error
printed and the clean build succeeded, 1 otherwise, 2 on bad usage.
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

MISTAKES = [
    ('[去看看](@/missing-{i}.md)', 'broken link'),
    ('', 'unknown field'),
    ('', 'wrong type'),
    ('', 'unknown status'),
    ('[本页锚点](#没有-{i})', 'missing anchor'),
]

BODY = ('本办法所称重大事项社会稳定风险评估，是指在重大决策、重大项目实施前，对可能影响社会稳定的因素'
        '开展系统调查、科学分析和预测评估，制定风险应对策略和预案。') * 4


def page(i, broken):
    kind = i % len(MISTAKES)
    front = [f'title: 第{i}号测试页面', f'weight: {i}']
    body = [f'## 第{i}页的小节', '', BODY, '', '[首页](@/_index.md)']
    if broken:
        if kind == 0:
            body.append(MISTAKES[0][0].format(i=i))
        elif kind == 1:
            front.append('author: 张三')
        elif kind == 2:
            front[1] = 'weight: 很重'
        elif kind == 3:
            front.insert(0, 'kind: measure')
            front.append('status: 有效')
        else:
            body.append(MISTAKES[4][0].format(i=i))
    return '---\n' + '\n'.join(front) + '\n---\n\n' + '\n'.join(body) + '\n'


def make_site(root, n, broken):
    os.makedirs(os.path.join(root, 'content'))
    with open(os.path.join(root, 'portal.yaml'), 'w', encoding='utf-8') as f:
        f.write('title: 错误报告测试站点\n')
    with open(os.path.join(root, 'content', '_index.md'), 'w', encoding='utf-8') as f:
        f.write('---\ntitle: 首页\n---\n\n欢迎。\n')
    for i in range(n):
        with open(os.path.join(root, 'content', f'p{i:03}.md'), 'w', encoding='utf-8') as f:
            f.write(page(i, broken))


def build(portal, root):
    start = time.perf_counter()
    p = subprocess.run([portal, 'build', '--root', root], capture_output=True, text=True)
    return time.perf_counter() - start, p


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--errors', type=int, default=500)
    ap.add_argument('--runs', type=int, default=5)
    ap.add_argument('--portal', default=os.path.join(os.environ.get('CARGO_TARGET_DIR') or os.path.join(REPO, 'target'), 'release', 'portal'))
    ap.add_argument('--no-cargo', action='store_true')
    a = ap.parse_args()
    if a.errors < 1 or a.runs < 1:
        ap.print_usage()
        return 2
    if not a.no_cargo:
        subprocess.run(['cargo', 'build', '--release', '--bin', 'portal'], cwd=REPO, check=True)
    tmp = tempfile.mkdtemp(prefix='portal-many-errors-')
    try:
        broken, clean = os.path.join(tmp, 'broken'), os.path.join(tmp, 'clean')
        make_site(broken, a.errors, True)
        make_site(clean, a.errors, False)
        times = {'broken': [], 'clean': []}
        ok = True
        for _ in range(a.runs):
            for name, root in (('broken', broken), ('clean', clean)):
                t, p = build(a.portal, root)
                times[name].append(t)
                errors = sum(': error: ' in line for line in p.stderr.splitlines())
                if name == 'broken' and (p.returncode != 1 or errors != a.errors):
                    print(f'FAIL: broken build exited {p.returncode} with {errors} error lines, '
                          f'expected 1 and {a.errors}\n{p.stderr[-2000:]}', file=sys.stderr)
                    ok = False
                if name == 'clean' and p.returncode != 0:
                    print(f'FAIL: clean build failed\n{p.stderr[-2000:]}', file=sys.stderr)
                    ok = False
        mb, mc = statistics.median(times['broken']), statistics.median(times['clean'])
        print(f'pages: {a.errors + 1}, runs: {a.runs}, portal: {a.portal}')
        print(f'broken ({a.errors} errors printed): median {mb * 1000:.0f} ms '
              f'(min {min(times["broken"]) * 1000:.0f}, max {max(times["broken"]) * 1000:.0f})')
        print(f'clean peer (no errors, writes the site): median {mc * 1000:.0f} ms '
              f'(min {min(times["clean"]) * 1000:.0f}, max {max(times["clean"]) * 1000:.0f})')
        print(f'ratio broken/clean: {mb / mc:.2f}')
        return 0 if ok else 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == '__main__':
    sys.exit(main())
