#!/usr/bin/env python3
"""Build-speed benchmark: `portal build` against Hugo on the standard corpus.

usage: python3 tests/bench/build_bench.py [--sizes 1000,10000] [--workloads listing,plain]
           [--runs 3] [--json OUT.json] [--portal PATH] [--no-cargo] [--cache DIR]
           [--regen] [--timeout SECONDS]

For every workload and N: generate the corpus once with /work/shared/bench/gen_corpus.py (cached under
/tmp/portal-bench/<workload>-<N>/, regenerated when gen_corpus.py changes or with --regen), convert
the Zola flavour into a portal site (portal_flavour.py, every time, so template edits are picked up),
then build it alternately with `hugo --quiet -s HUGO_DIR -d OUT` and `portal build --root SITE
--output OUT`, R times each, measuring wall time and peak RSS of the build process (GNU time %M).

It reports; it does not assert timings. Exit status: 0 on success, 1 if a build (or cargo, or the
corpus generator) fails or an output lacks the expected pages, 2 on bad usage.
"""
import argparse
import hashlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import portal_flavour  # noqa: E402

GEN = '/work/shared/bench/gen_corpus.py'
SEEDS = '/work/shared/seeds'
WORKLOADS = {'listing': [], 'plain': ['--no-siblings']}
TOOLS = ('hugo', 'portal')
SAMPLE = os.path.join('s01', 'p00001', 'index.html')  # present in every corpus
NOISY = 0.10  # flag runs during which other processes used more than this share of the CPUs


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def fail(msg):
    log(f'FAIL: {msg}')
    sys.exit(1)


def sha(path):
    with open(path, 'rb') as fh:
        return hashlib.sha256(fh.read()).hexdigest()[:16]


def tail(path, n=40):
    try:
        with open(path, encoding='utf-8', errors='replace') as fh:
            return ''.join(fh.readlines()[-n:])
    except OSError:
        return ''


def tree_size(path):
    files = size = 0
    for dp, _, fns in os.walk(path):
        for fn in fns:
            files += 1
            size += os.lstat(os.path.join(dp, fn)).st_size
    return files, size


# ------------------------------------------------------------------ corpus

def corpus(cache, workload, n, gen, seeds, regen):
    """Generate (or reuse) the corpus for (workload, n); convert it to a portal site. Returns dirs."""
    work = os.path.join(cache, f'{workload}-{n}')
    cdir, site = os.path.join(work, 'corpus'), os.path.join(work, 'site')
    stamp_path = os.path.join(work, 'stamp.json')
    stamp = dict(gen=sha(gen), n=n, workload=workload, args=WORKLOADS[workload])
    old = None
    if os.path.exists(stamp_path):
        with open(stamp_path) as fh:
            old = json.load(fh)
    if regen or old != stamp or not os.path.isdir(os.path.join(cdir, 'zola')):
        log(f'[{workload} N={n}] generating corpus in {cdir} ...')
        shutil.rmtree(work, ignore_errors=True)
        os.makedirs(work)
        tmp = cdir + '.tmp'
        t0 = time.perf_counter()
        r = subprocess.run(['nice', '-n', '10', sys.executable, gen, seeds, tmp, str(n)] + WORKLOADS[workload],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if r.returncode != 0:
            fail(f'gen_corpus.py exited {r.returncode}:\n{r.stdout[-3000:]}')
        os.rename(tmp, cdir)
        with open(stamp_path, 'w') as fh:
            json.dump(stamp, fh)
        log(f'    {r.stdout.strip()}  ({time.perf_counter() - t0:.1f} s)')
    info = portal_flavour.convert(os.path.join(cdir, 'zola'), site, siblings=not WORKLOADS[workload])
    if info['pages'] != n:
        fail(f'conversion produced {info["pages"]} pages, expected {n}')
    return dict(work=work, hugo=os.path.join(cdir, 'hugo'), site=site)


# ------------------------------------------------------------------ running

TIME = '/usr/bin/time'


def cpu_busy_s():
    """Seconds of busy CPU time of the whole machine so far (all cores), from /proc/stat."""
    try:
        with open('/proc/stat') as fh:
            f = [int(x) for x in fh.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    busy = f[0] + f[1] + f[2] + sum(f[5:8])  # user nice system irq softirq steal
    return busy / os.sysconf('SC_CLK_TCK')


def measure(cmd, out, log_path, timeout):
    """Run cmd once (OUT removed first, untimed). Returns dict(wall_s, peak_rss_kib, cpu_s, other_cpu, rc).

    Peak RSS comes from GNU time's %M: the build process is forked from the small `time` process.
    (os.wait4 on a child forked from Python would report at least this Python's own RSS, because
    Linux carries the pre-exec high-water mark over exec.) Without /usr/bin/time, wait4 is used.
    other_cpu: share of the machine's CPU capacity used by *other* processes during the build
    (machine busy time from /proc/stat minus the build's own user+system time), to flag noisy runs.
    """
    shutil.rmtree(out, ignore_errors=True)
    os.sync()  # untimed: start each build without the previous one's dirty pages in flight
    tfile = log_path + '.time'
    use_time = os.access(TIME, os.X_OK)
    full = [TIME, '-f', '%e %M', '-o', tfile] + cmd if use_time else cmd
    rc = None
    with open(log_path, 'w') as lf:
        busy0 = cpu_busy_s()
        t0 = time.perf_counter()
        p = subprocess.Popen(full, stdout=lf, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                             start_new_session=True)
        deadline = t0 + timeout
        while True:
            pid, status, ru = os.wait4(p.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                os.killpg(p.pid, 9)  # the session/group started just above for this build
                pid, status, ru = os.wait4(p.pid, 0)
                rc = 'timeout'
                break
            time.sleep(0.01)
        wall = time.perf_counter() - t0
        busy1 = cpu_busy_s()
    p.returncode = os.waitstatus_to_exitcode(status)
    if rc is None:
        rc = p.returncode
    rss = ru.ru_maxrss  # KiB on Linux
    if use_time:
        try:
            with open(tfile) as fh:
                last = fh.read().strip().splitlines()[-1].split()
            rss = int(last[-1])
        except (OSError, IndexError, ValueError):
            pass
    cpu = ru.ru_utime + ru.ru_stime  # the build's own CPU time (wait4 includes reaped descendants)
    other = None
    if busy0 is not None and busy1 is not None and wall > 0:
        other = max(0.0, (busy1 - busy0 - cpu) / (wall * (os.cpu_count() or 1)))
    return dict(wall_s=round(wall, 3), peak_rss_kib=rss, cpu_s=round(cpu, 2), user_s=round(ru.ru_utime, 2),
                sys_s=round(ru.ru_stime, 2),
                other_cpu=None if other is None else round(other, 3), rc=rc)


def version(cmd):
    try:
        r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=30)
        return r.stdout.strip().splitlines()[0] if r.stdout.strip() else f'(exit {r.returncode})'
    except (OSError, subprocess.SubprocessError) as e:
        return f'({e.__class__.__name__})'


def li_count(path):
    try:
        with open(path, encoding='utf-8', errors='replace') as fh:
            return fh.read().count('<li>')
    except OSError:
        return None


# ------------------------------------------------------------------ report

def fmt_table(rows, header):
    cols = [header] + rows
    widths = [max(len(str(r[i])) for r in cols) for i in range(len(header))]
    line = lambda r: '  '.join(str(c).rjust(w) if i > 2 else str(c).ljust(w)
                               for i, (c, w) in enumerate(zip(r, widths)))
    return '\n'.join([line(header), line(['-' * w for w in widths])] + [line(r) for r in rows])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--sizes', default='1000,10000')
    ap.add_argument('--workloads', default='listing,plain')
    ap.add_argument('--runs', type=int, default=3)
    ap.add_argument('--json', metavar='OUT.json')
    ap.add_argument('--portal', default=os.path.join(os.environ.get('CARGO_TARGET_DIR') or os.path.join(REPO, 'target'), 'release', 'portal'))
    ap.add_argument('--no-cargo', action='store_true', help='do not run `cargo build --release` first')
    ap.add_argument('--cache', default='/tmp/portal-bench', help='corpus cache / work directory')
    ap.add_argument('--regen', action='store_true', help='regenerate cached corpora')
    ap.add_argument('--out-base', metavar='DIR',
                    help='write build outputs under DIR instead of the cache directory (e.g. /dev/shm to '
                         'take the disk out of the measurement)')
    ap.add_argument('--timeout', type=float, default=3600, help='per build, seconds')
    ap.add_argument('--gen', default=GEN)
    ap.add_argument('--seeds', default=SEEDS)
    a = ap.parse_args()
    try:
        sizes = sorted({int(s) for s in a.sizes.split(',') if s.strip()})
    except ValueError:
        ap.error('--sizes: comma-separated integers')
    workloads = [w.strip() for w in a.workloads.split(',') if w.strip()]
    bad = [w for w in workloads if w not in WORKLOADS]
    if bad or not sizes or a.runs < 1:
        ap.error(f'unknown workload {bad} (use listing,plain)' if bad else 'need sizes and --runs >= 1')

    hugo = shutil.which('hugo')
    if not hugo:
        fail('hugo not found (apt-get install -y hugo)')
    if not a.no_cargo:
        log(f'cargo build --release  (in {REPO})')
        r = subprocess.run(['cargo', 'build', '--release'], cwd=REPO)
        if r.returncode != 0:
            fail(f'cargo build --release exited {r.returncode}')
    portal_src = os.path.abspath(a.portal)
    if not os.access(portal_src, os.X_OK):
        fail(f'{portal_src}: no portal binary')
    # Run a private copy, so a rebuild of target/release during the benchmark cannot mix versions.
    os.makedirs(a.cache, exist_ok=True)
    portal_sha = sha(portal_src)
    portal = os.path.join(a.cache, f'portal-{portal_sha}')
    if not os.path.exists(portal):
        shutil.copy2(portal_src, portal + '.tmp')
        os.rename(portal + '.tmp', portal)
    head = subprocess.run(['git', '-C', REPO, 'log', '-1', '--format=%h %s'], stdout=subprocess.PIPE,
                          stderr=subprocess.DEVNULL, text=True).stdout.strip()

    meta = dict(date=time.strftime('%Y-%m-%d %H:%M:%S'), host=platform.node(), cpus=os.cpu_count(),
                hugo=version([hugo, 'version']), portal=portal_src, portal_sha256_16=portal_sha,
                portal_version=version([portal, '--version']), git_head=head,
                runs=a.runs, gen_corpus=sha(a.gen), out_base=a.out_base or a.cache,
                rss_source='GNU time %M' if os.access(TIME, os.X_OK) else 'os.wait4 ru_maxrss')
    if not os.access(TIME, os.X_OK):
        log(f'note: {TIME} missing (apt-get install -y time); peak RSS from os.wait4 includes '
            'this Python process\'s own RSS as a floor')
    log(f'hugo: {meta["hugo"]}\nportal: {portal_src} ({meta["portal_version"]}, sha256 {portal_sha}, '
        f'run as {portal}; repo HEAD {head})\n'
        f'cpus: {meta["cpus"]}  runs: {a.runs}  sizes: {sizes}  workloads: {workloads}')

    results = []
    for wl in workloads:
        for n in sizes:
            d = corpus(a.cache, wl, n, a.gen, a.seeds, a.regen)
            obase = os.path.join(a.out_base, f'portal-bench-{wl}-{n}') if a.out_base else d['work']
            outs = {t: os.path.join(obase, f'out-{t}') for t in TOOLS}
            cmds = {
                'hugo': [hugo, '--quiet', '-s', d['hugo'], '-d', outs['hugo']],
                'portal': [portal, 'build', '--root', d['site'], '--output', outs['portal']],
            }
            runs = {t: [] for t in TOOLS}
            for r in range(a.runs):
                for tool in (TOOLS if r % 2 == 0 else TOOLS[::-1]):  # alternate the order
                    out = outs[tool]
                    lp = os.path.join(d['work'], f'{tool}.log')
                    m = measure(cmds[tool], out, lp, a.timeout)
                    rc = m.pop('rc')
                    noisy = m['other_cpu'] is not None and m['other_cpu'] > NOISY
                    log(f'[{wl} N={n}] run {r + 1}/{a.runs} {tool:6s} {m["wall_s"]:8.2f} s '
                        f'{m["peak_rss_kib"] / 1024:8.0f} MiB  user {m["user_s"]:6.2f} s  sys {m["sys_s"]:5.2f} s'
                        + (f'  other load {m["other_cpu"]:.0%}' if noisy else '')
                        + ('' if rc == 0 else f'  EXIT {rc}'))
                    if rc != 0:
                        log(f'--- command: {" ".join(cmds[tool])}\n--- last lines of {lp}:\n{tail(lp)}')
                        fail(f'{tool} build failed ({wl}, N={n}, exit {rc})')
                    runs[tool].append(m)
            sample = {}
            for tool in TOOLS:
                out = outs[tool]
                files, size = tree_size(out)
                sample[tool] = li_count(os.path.join(out, SAMPLE))
                if sample[tool] is None:
                    fail(f'{tool} output lacks {SAMPLE} ({wl}, N={n}); see {out}')
                results.append(dict(workload=wl, n=n, tool=tool, runs=runs[tool],
                                    median_wall_s=round(statistics.median(x['wall_s'] for x in runs[tool]), 3),
                                    peak_mib=round(max(x['peak_rss_kib'] for x in runs[tool]) / 1024, 1),
                                    files=files, bytes=size, sample_li=sample[tool],
                                    max_other_cpu=max((x['other_cpu'] or 0) for x in runs[tool])))

            if a.out_base:
                shutil.rmtree(obase, ignore_errors=True)  # do not leave GBs in RAM-backed storage
            if sample['hugo'] != sample['portal']:
                log(f'WARNING [{wl} N={n}]: {SAMPLE} has {sample["hugo"]} <li> (hugo) vs '
                    f'{sample["portal"]} (portal): the templates do not do the same work')

    # ---- report
    R = {(x['workload'], x['n'], x['tool']): x for x in results}
    rows = [[x['workload'], f'{x["n"]:,}', x['tool'], f'{x["median_wall_s"]:.2f}', f'{x["peak_mib"]:.0f}',
             f'{x["files"]:,}', f'{x["bytes"] / 2**20:.1f}', f'{x["max_other_cpu"]:.0%}'] for x in results]
    print()
    print(f'{meta["hugo"]}\nportal: {portal_src} (sha256 {portal_sha}; HEAD {head})\n'
          f'{meta["cpus"]} CPUs, median of {a.runs} runs, peak = max RSS over runs, '
          f'outputs under {a.out_base or a.cache}')
    print()
    print(fmt_table(rows, ['workload', 'N', 'tool', 'wall s', 'peak MiB', 'files', 'out MiB', 'other load']))
    if any(x['max_other_cpu'] > NOISY for x in results):
        print(f'NOTE: other processes used > {NOISY:.0%} of the CPUs during some runs ("other load" = worst '
              'run); those timings are unreliable; rerun on a quiet machine.')

    ratios, scaling = [], []
    print('\nportal / hugo')
    for wl in workloads:
        for n in sizes:
            h, p = R[(wl, n, 'hugo')], R[(wl, n, 'portal')]
            t = p['median_wall_s'] / h['median_wall_s'] if h['median_wall_s'] else float('nan')
            m = p['peak_mib'] / h['peak_mib'] if h['peak_mib'] else float('nan')
            ratios.append(dict(workload=wl, n=n, time=round(t, 4), memory=round(m, 4)))
            print(f'  {wl:8s} N={n:<7,} time {t:5.2f}x   memory {m:5.2f}x')
    if len(sizes) > 1:
        lo, hi = sizes[0], sizes[-1]
        print(f'\nscaling {hi:,} / {lo:,}  (linear = {hi / lo:.0f}x)')
        for wl in workloads:
            for tool in TOOLS:
                a0, a1 = R[(wl, lo, tool)], R[(wl, hi, tool)]
                t = a1['median_wall_s'] / a0['median_wall_s'] if a0['median_wall_s'] else float('nan')
                b = a1['bytes'] / a0['bytes'] if a0['bytes'] else float('nan')
                m = a1['peak_mib'] / a0['peak_mib'] if a0['peak_mib'] else float('nan')
                scaling.append(dict(workload=wl, tool=tool, n_from=lo, n_to=hi, time=round(t, 2),
                                    output_bytes=round(b, 2), memory=round(m, 2)))
                print(f'  {wl:8s} {tool:6s} time {t:6.1f}x   output bytes {b:6.1f}x   memory {m:5.1f}x')

    big = sizes[-1]
    print(f'\ntargets at N={big:,}: portal wall <= 0.5x Hugo, peak memory <= Hugo')
    for r in ratios:
        if r['n'] == big:
            ok_t, ok_m = r['time'] <= 0.5, r['memory'] <= 1.0
            print(f'  {r["workload"]:8s} time {r["time"]:.2f}x {"met" if ok_t else "NOT met"}, '
                  f'memory {r["memory"]:.2f}x {"met" if ok_m else "NOT met"}')

    if a.json:
        with open(a.json, 'w', encoding='utf-8') as fh:
            json.dump(dict(meta=meta, results=results, ratios=ratios, scaling=scaling), fh,
                      ensure_ascii=False, indent=1)
        print(f'\nwrote {a.json}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
