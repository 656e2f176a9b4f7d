#!/usr/bin/env python3
"""Edit-to-reload latency and a bounded loopback load test for `portal serve`.

usage: python3 tests/bench/serve_bench.py [--n 10000] [--edits 50] [--workload plain|listing]
                                          [--clients 50] [--seconds 20] [--portal PATH] [--no-cargo]

1. Generates (or reuses) the standard corpus (`../shared/bench/gen_corpus.py`), converts it with
   tests/bench/portal_flavour.py, and starts `portal serve --port 0`-like on a free loopback port.
2. Latency: a server-sent-events client stays connected; each of --edits edits appends a sentence to
   a different page's body (the common case: its listing entry does not change) and times the write
   until the `reload` event arrives. The same is measured for edits that change a page's title (its
   section's listing must be rendered again), for a full rebuild (touching portal.yaml), for a
   template only section pages use (templates/section.html) and for the base template every page
   extends.
3. Search: after each of 10 body edits (and 3 new pages), the time from the write
   until the `search` event says the new index is in place and `search/meta.js` answers: the index
   changed in the parts the edit touches, against the index made whole. The server's own figures
   for each update are read from its log.
4. Load: --clients threads request random pages for --seconds while a page is edited every 200 ms;
   counts failed requests and responses whose body length differs from Content-Length, and samples
   the server's resident memory.
Prints medians and p95s; it reports, it never fails on a timing. Traffic goes only to 127.0.0.1.
"""
import argparse
import http.client
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
SHARED = os.path.join(os.path.dirname(REPO), 'shared')


def free_port():
    s = socket.socket()
    s.bind(('127.0.0.1', 0))
    port = s.getsockname()[1]
    s.close()
    return port


def prepare(n, workload, cache):
    work = os.path.join(cache, f'serve-{workload}-{n}')
    site = os.path.join(work, 'site')
    if not os.path.isfile(os.path.join(site, 'portal.yaml')):
        os.makedirs(work, exist_ok=True)
        gen = [sys.executable, os.path.join(SHARED, 'bench', 'gen_corpus.py'), os.path.join(SHARED, 'seeds'),
               os.path.join(work, 'corpus'), str(n)] + (['--no-siblings'] if workload == 'plain' else [])
        subprocess.run(gen, check=True, stdout=subprocess.DEVNULL)
        conv = [sys.executable, os.path.join(HERE, 'portal_flavour.py'), os.path.join(work, 'corpus', 'zola'), site]
        subprocess.run(conv + (['--no-siblings'] if workload == 'plain' else []), check=True, stdout=subprocess.DEVNULL)
    # Pages a run stopped early may have left behind.
    for d, _, files in os.walk(os.path.join(site, 'content')):
        for f in files:
            if f.startswith('bench-new-'):
                os.remove(os.path.join(d, f))
    return site


class Events:
    """A server-sent-events client that records when each `reload` arrives."""

    def __init__(self, port):
        self.sock = socket.create_connection(('127.0.0.1', port))
        self.sock.sendall(b'GET /__portal/events HTTP/1.1\r\nHost: localhost\r\n\r\n')
        self.cond = threading.Condition()
        self.events = []
        threading.Thread(target=self.read, daemon=True).start()

    def read(self):
        buf = b''
        while True:
            data = self.sock.recv(65536)
            if not data:
                return
            now = time.perf_counter()
            buf += data
            while b'\n\n' in buf:
                block, buf = buf.split(b'\n\n', 1)
                for line in block.split(b'\n'):
                    if line.startswith(b'event: '):
                        with self.cond:
                            self.events.append((line[7:].decode(), now))
                            self.cond.notify_all()

    def wait_after(self, count, name='reload', timeout=60):
        """The first `name` event (reload, errors: any but `search`) after the first `count`."""
        def first():
            for e in self.events[count:]:
                if e[0] == name or (name == 'reload' and e[0] != 'search'):
                    return e
            return None
        with self.cond:
            self.cond.wait_for(lambda: first() is not None, timeout)
            return first()


def pages_of(site):
    out = []
    for d, _, files in os.walk(os.path.join(site, 'content')):
        out += [os.path.join(d, f) for f in files if f.endswith('.md') and f != '_index.md']
    return sorted(out)


def edit_until_reload(ev, path, change):
    """Writes change(old text) (old text '' for a new file) and waits for the reload: (start, event time)."""
    seen = len(ev.events)
    text = ''
    if os.path.exists(path):
        with open(path, encoding='utf-8') as f:
            text = f.read()
    start = time.perf_counter()
    with open(path, 'w', encoding='utf-8') as f:
        f.write(change(text))
    got = ev.wait_after(seen)
    if got is None or got[0] != 'reload':
        raise SystemExit(f'no reload after editing {path}: {got}')
    return start, got[1]


def timed_edit(ev, path, change):
    start, reloaded = edit_until_reload(ev, path, change)
    return (reloaded - start) * 1000


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def summary(name, xs):
    print(f'  {name:<28} median {statistics.median(xs):7.1f} ms   p95 {pct(xs, 95):7.1f} ms   (n={len(xs)})')


def rss_mib(pid):
    with open(f'/proc/{pid}/status') as f:
        for line in f:
            if line.startswith('VmRSS:'):
                return int(line.split()[1]) / 1024
    return 0.0


def load(port, paths, clients, seconds, edit):
    stop = time.time() + seconds
    stats = {'ok': 0, 'failed': 0, 'short': 0}
    lock = threading.Lock()

    def client(seed):
        rng = random.Random(seed)
        conn = http.client.HTTPConnection('127.0.0.1', port, timeout=30)
        while time.time() < stop:
            try:
                conn.request('GET', rng.choice(paths))
                r = conn.getresponse()
                body = r.read()
                length = r.getheader('Content-Length')
                with lock:
                    if r.status != 200:
                        stats['failed'] += 1
                    elif length is not None and int(length) != len(body):
                        stats['short'] += 1
                    else:
                        stats['ok'] += 1
            except Exception:
                with lock:
                    stats['failed'] += 1
                conn.close()
                conn = http.client.HTTPConnection('127.0.0.1', port, timeout=30)
        conn.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    edits = 0
    while time.time() < stop:
        edit(edits)
        edits += 1
        time.sleep(0.2)
    for t in threads:
        t.join()
    return stats, edits


def timed_search(ev, port, path, change):
    """Edit (or create), wait for the reload, then for the `search` event (the new index is in
    place) and search/meta.js: ms."""
    seen = len(ev.events)
    start, _ = edit_until_reload(ev, path, change)
    if ev.wait_after(seen, 'search', timeout=120) is None:
        raise SystemExit(f'no new search index after editing {path}')
    c = http.client.HTTPConnection('127.0.0.1', port, timeout=120)
    c.request('GET', '/search/meta.js')
    r = c.getresponse()
    r.read()
    if r.status != 200:
        raise SystemExit(f'search/meta.js: {r.status}')
    return (time.perf_counter() - start) * 1000


def search_log(path):
    """(kind, ms) of the server's 'search index:' lines."""
    out = []
    for line in open(path, encoding='utf-8', errors='replace'):
        if line.startswith('search index:'):
            took = line.rsplit(' in ', 1)[-1].strip()
            ms = float(took[:-2]) if took.endswith('ms') else float(took[:-1]) * 1000
            out.append(('whole' if 'made whole' in line else 'parts', ms))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--n', type=int, default=10000)
    ap.add_argument('--workload', default='plain', choices=['plain', 'listing'])
    ap.add_argument('--edits', type=int, default=50)
    ap.add_argument('--clients', type=int, default=50)
    ap.add_argument('--seconds', type=float, default=20)
    ap.add_argument('--portal', default=os.path.join(os.environ.get('CARGO_TARGET_DIR') or os.path.join(REPO, 'target'), 'release', 'portal'))
    ap.add_argument('--no-cargo', action='store_true')
    ap.add_argument('--cache', default='/tmp/portal-bench')
    a = ap.parse_args()
    if not a.no_cargo:
        subprocess.run(['cargo', 'build', '--release', '--quiet'], cwd=REPO, check=True)
    site = prepare(a.n, a.workload, a.cache)
    port = free_port()
    log = open(os.path.join(os.path.dirname(site), 'serve.log'), 'w')
    t0 = time.perf_counter()
    proc = subprocess.Popen([a.portal, 'serve', '--root', site, '--port', str(port)], stderr=log, stdout=log)
    try:
        while True:
            try:
                socket.create_connection(('127.0.0.1', port)).close()
                break
            except OSError:
                if proc.poll() is not None:
                    raise SystemExit('portal serve exited; see serve.log')
                time.sleep(0.05)
        print(f'portal serve: {a.n} pages ({a.workload}) ready in {time.perf_counter() - t0:.1f} s, '
              f'RSS {rss_mib(proc.pid):.0f} MiB')
        ev = Events(port)
        time.sleep(0.3)
        pages = pages_of(site)
        rng = random.Random(7)
        picks = rng.sample(pages, a.edits)
        body = [timed_edit(ev, p, lambda t, i=i: t + f'\n补充说明第{i}条。\n') for i, p in enumerate(picks)]
        titles = [timed_edit(ev, p, lambda t, i=i: t.replace('title: "', f'title: "修订{i}', 1))
                  for i, p in enumerate(picks[:10])]
        config = os.path.join(site, 'portal.yaml')
        full = [timed_edit(ev, config, lambda t, i=i: t + f'\n# touch {i}\n') for i in range(5)]
        # Templates: one that only section pages use, and the base every page extends (the
        # site's own when it has one, else a copy of the built-in one).
        tdir = os.path.join(site, 'templates')
        made = []
        for rel in ('section.html', 'base.html'):
            path = os.path.join(tdir, rel)
            original = None
            if os.path.exists(path):
                with open(path, encoding='utf-8') as f:
                    original = f.read()
            else:
                os.makedirs(os.path.dirname(path), exist_ok=True)
                with open(os.path.join(REPO, 'themes', 'default', 'templates', rel), encoding='utf-8') as f:
                    builtin = f.read()
                seen = len(ev.events)
                with open(path, 'w', encoding='utf-8') as f:
                    f.write(builtin)
                ev.wait_after(seen)
            made.append((path, original))
        sections = [timed_edit(ev, made[0][0], lambda t, i=i: t + f'{{# edit {i} #}}\n') for i in range(5)]
        bases = [timed_edit(ev, made[1][0], lambda t, i=i: t + f'{{# edit {i} #}}\n') for i in range(3)]
        for path, original in made:
            seen = len(ev.events)
            if original is None:
                os.remove(path)
            else:
                with open(path, 'w', encoding='utf-8') as f:
                    f.write(original)
            ev.wait_after(seen)
        print('edit -> reload event')
        summary('body edit (incremental)', body)
        summary('title edit (listing again)', titles)
        summary('full rebuild (portal.yaml)', full)
        summary('section template edit', sections)
        summary('base template edit (all pages)', bases)
        time.sleep(1)
        log.flush()
        lines_before = len(search_log(log.name))
        parts = []
        for i, p in enumerate(picks[10:20]):
            parts.append(timed_search(ev, port, p, lambda t, i=i: t + f'\n检索更新第{i}条。\n'))
            time.sleep(0.5)
        # A new page changes every later page's id: the index is made whole.
        new_pages = [os.path.join(os.path.dirname(picks[0]), f'bench-new-{i}.md') for i in range(3)]
        whole = []
        for i, p in enumerate(new_pages):
            whole.append(timed_search(ev, port, p, lambda t, i=i: f'---\ntitle: 新增页面{i}\n---\n\n新增页面的正文。\n'))
        time.sleep(0.5)
        own = search_log(log.name)[lines_before:]
        print('edit -> search index served')
        summary('body edit (index in parts)', parts)
        summary('new page (index whole)', whole)
        for kind in ('parts', 'whole'):
            xs = [ms for k, ms in own if k == kind]
            if xs:
                summary(f'server: index {kind}', xs)
        for p in new_pages:
            os.remove(p)
        time.sleep(8)
        rss_before = rss_mib(proc.pid)
        urls = ['/' + os.path.relpath(p, os.path.join(site, 'content'))[:-3] + '/' for p in pages[:2000]]
        stats, edits = load(port, urls, a.clients, a.seconds,
                            lambda i: open(picks[i % len(picks)], 'a', encoding='utf-8').write(f'\n负载期间第{i}次修改。\n'))
        rss_after = rss_mib(proc.pid)
        total = stats['ok'] + stats['failed'] + stats['short']
        print(f'load: {a.clients} clients x {a.seconds:.0f} s with {edits} edits: {total} requests, '
              f'{stats["failed"]} failed, {stats["short"]} short bodies, {total / a.seconds:.0f} req/s; '
              f'RSS {rss_before:.0f} -> {rss_after:.0f} MiB')
    finally:
        proc.terminate()
        proc.wait()


if __name__ == '__main__':
    main()
