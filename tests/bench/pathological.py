#!/usr/bin/env python3
"""Pathological-input benchmark: time and exit status of `portal build` on inputs that once hung or crashed.

usage: python3 tests/bench/pathological.py [--before PATH] [--portal PATH] [--timeout 120] [--runs 3]
                                           [--cases NAME,NAME] [--no-cargo] [--json OUT.json]

Each case is a small site (a home page and 20 ordinary pages) plus one pathological input, found by
the second red-team pass (issue 17): YAML flow collections nested 20,000 and 100,000 deep (in front
matter and in portal.yaml), 5,000 and 20,000 identical headings on one page, a template that
includes itself and two templates that include each other. The peer is the same site without the
pathological input, built in the same run, so a figure reads as "N times a normal build".

`--portal` is the binary under test (default: the release binary, built first unless --no-cargo);
`--before` is an older binary to compare with (e.g. one built from the commit before the fix), run
on the same inputs in the same rounds. A run that does not finish within --timeout seconds is killed
and shown as `>TIMEOUT`; a crash shows its signal. Each run gets a fresh copy of its site.

It reports; it does not assert timings. Exit status: 0 when the binary under test finished every
case within the timeout without a crash (exit status 0 or 1), 1 otherwise, 2 on bad usage.
"""
import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

BODY = ('本办法所称重大事项社会稳定风险评估，是指在重大决策、重大项目实施前，对可能影响社会稳定的因素'
        '开展系统调查、科学分析和预测评估，制定风险应对策略和预案。') * 3


def write(root, rel, text):
    path = os.path.join(root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w', encoding='utf-8') as f:
        f.write(text)


def base_site(root):
    write(root, 'portal.yaml', 'title: 异常输入测试站点\n')
    write(root, 'content/_index.md', '---\ntitle: 首页\n---\n\n欢迎。\n')
    for i in range(20):
        write(root, f'content/p{i:02}.md',
              f'---\ntitle: 第{i}号页面\nweight: {i}\n---\n\n## 第{i}页的小节\n\n{BODY}\n')


def nested(depth):
    return '[' * depth + ']' * depth


def yaml_front_matter(depth):
    def make(root):
        write(root, 'content/deep.md', f'---\ntitle: 深层嵌套\ntags: {nested(depth)}\n---\n\n正文。\n')
    return make


def yaml_config(depth):
    def make(root):
        write(root, 'portal.yaml', f'title: 异常输入测试站点\nextra:\n  deep: {nested(depth)}\n')
    return make


def headings(n):
    def make(root):
        write(root, 'content/headings.md',
              '---\ntitle: 重复标题\n---\n\n' + '## 标题\n\n段落。\n\n' * n)
    return make


def self_include(root):
    write(root, 'templates/page.html', '{% include "page.html" %}\n')


def include_cycle(root):
    write(root, 'templates/partials/a.html', '<p>a</p>{% include "partials/b.html" %}\n')
    write(root, 'templates/partials/b.html', '<p>b</p>{% include "partials/a.html" %}\n')
    write(root, 'templates/page.html', '{% include "partials/a.html" %}\n')


CASES = [
    ('yaml-front-matter-20000', yaml_front_matter(20_000)),
    ('yaml-front-matter-100000', yaml_front_matter(100_000)),
    ('yaml-portal-yaml-20000', yaml_config(20_000)),
    ('headings-5000', headings(5_000)),
    ('headings-20000', headings(20_000)),
    ('template-self-include', self_include),
    ('template-include-cycle', include_cycle),
]


def run(portal, site_template, timeout):
    """Builds a fresh copy of the site; returns (seconds, status) where status is an exit code or
    'timeout' or 'signal N'."""
    tmp = tempfile.mkdtemp(prefix='portal-patho-run-')
    try:
        root = os.path.join(tmp, 'site')
        shutil.copytree(site_template, root, symlinks=True)
        start = time.perf_counter()
        p = subprocess.Popen([portal, 'build', '--root', root], stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, start_new_session=True)
        try:
            _, err = p.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.communicate()
            return None, 'timeout', ''
        took = time.perf_counter() - start
        if p.returncode < 0:
            return took, f'signal {-p.returncode}', err.decode('utf-8', 'replace')
        return took, p.returncode, err.decode('utf-8', 'replace')
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def fmt(times, status, timeout):
    if status == 'timeout':
        return f'>{timeout:.0f} s (killed)'
    t = statistics.median(times)
    shown = f'{t * 1000:.0f} ms' if t < 10 else f'{t:.1f} s'
    return f'{shown} (exit {status})' if isinstance(status, int) else f'{shown} ({status})'


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    target = os.environ.get('CARGO_TARGET_DIR') or os.path.join(REPO, 'target')
    ap.add_argument('--portal', default=os.path.join(target, 'release', 'portal'))
    ap.add_argument('--before')
    ap.add_argument('--timeout', type=float, default=120)
    ap.add_argument('--runs', type=int, default=3)
    ap.add_argument('--cases')
    ap.add_argument('--no-cargo', action='store_true')
    ap.add_argument('--json')
    a = ap.parse_args()
    names = [c for c, _ in CASES]
    chosen = a.cases.split(',') if a.cases else names
    if a.runs < 1 or any(c not in names for c in chosen):
        print(f'cases: {", ".join(names)}', file=sys.stderr)
        ap.print_usage()
        return 2
    if not a.no_cargo:
        subprocess.run(['cargo', 'build', '--release', '--bin', 'portal'], cwd=REPO, check=True)
    binaries = [('after', a.portal)] + ([('before', a.before)] if a.before else [])
    tmp = tempfile.mkdtemp(prefix='portal-patho-')
    ok = True
    rows = []
    try:
        peer = os.path.join(tmp, 'peer')
        base_site(peer)
        peer_times = {b: [] for b, _ in binaries}
        for _ in range(a.runs):
            for b, exe in binaries:
                t, status, err = run(exe, peer, a.timeout)
                if status != 0:
                    print(f'FAIL: {b}: the peer site did not build ({status})\n{err[-2000:]}',
                          file=sys.stderr)
                    return 1
                peer_times[b].append(t)
        print(f'portal: {a.portal}' + (f'   before: {a.before}' if a.before else ''))
        print(f'runs: {a.runs}, timeout: {a.timeout:.0f} s; peer = the same site without the input')
        line = f'{"case":<26} {"after":>24} {"after/peer":>11}'
        if a.before:
            line += f' {"before":>24} {"before/after":>13}'
        print(line)
        peer_line = f'{"(peer: 21 pages)":<26} {fmt(peer_times["after"], 0, a.timeout):>24} {"1.0":>11}'
        if a.before:
            peer_line += f' {fmt(peer_times["before"], 0, a.timeout):>24}'
        print(peer_line)
        for name, make in CASES:
            if name not in chosen:
                continue
            site = os.path.join(tmp, name)
            base_site(site)
            make(site)
            result = {}
            for b, exe in binaries:
                times, status, last_err = [], 0, ''
                for _ in range(a.runs):
                    t, status, last_err = run(exe, site, a.timeout)
                    if t is None:
                        break  # a killed run is not repeated
                    times.append(t)
                    if isinstance(status, str):
                        break
                result[b] = (times, status, last_err)
            times, status, err = result['after']
            if not isinstance(status, int) or status not in (0, 1) or 'panicked' in err:
                ok = False
                print(f'FAIL: {name}: {status}\n{err[-1500:]}', file=sys.stderr)
            med = statistics.median(times) if times else None
            peer_med = statistics.median(peer_times['after'])
            line = f'{name:<26} {fmt(times, status, a.timeout):>24} ' \
                   f'{(f"{med / peer_med:.1f}" if med else "-"):>11}'
            row = {'case': name, 'after_s': med, 'after_status': status,
                   'after_message': err.strip().splitlines()[0] if err.strip() else ''}
            if a.before:
                bt, bs, _ = result['before']
                bmed = statistics.median(bt) if bt and bs != 'timeout' else None
                ratio = (f'{bmed / med:.0f}x' if bmed and med else
                         (f'>{a.timeout / med:.0f}x' if med and bs == 'timeout' else '-'))
                line += f' {fmt(bt, bs, a.timeout):>24} {ratio:>13}'
                row.update(before_s=bmed, before_status=bs)
            print(line)
            rows.append(row)
        print('\nfirst message of each case (binary under test):')
        for row in rows:
            print(f'  {row["case"]}: {row["after_message"][:160]}')
        if a.json:
            with open(a.json, 'w', encoding='utf-8') as f:
                json.dump({'runs': a.runs, 'timeout_s': a.timeout, 'cases': rows,
                           'peer_s': {b: statistics.median(v) for b, v in peer_times.items()}},
                          f, ensure_ascii=False, indent=2)
        return 0 if ok else 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == '__main__':
    sys.exit(main())
