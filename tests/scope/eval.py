#!/usr/bin/env python3
"""Scope lookup evaluation: verdict accuracy, top-3 hit rate and kind of assessment, per class.

Runs `portal scope --json --batch` on the sample site over one or more evaluation sets and compares
with the expected answers.

    python3 tests/scope/eval.py [--portal PATH] [SET ...]     # default: devset, blind-dev, -dev2 … -dev5
    python3 tests/scope/eval.py --portal target/release/portal blind-test --quiet

SET is a file name in tests/scope/ without `.tsv` (devset, blind-dev, blind-test) or a path.
Two layouts are read:
- devset.tsv: group, verdict, ids, text
- blind-*.tsv: class, verdict, kind (普通 / 简易 / -), ids, text, note

verdict accuracy = matters whose verdict equals the expected one / all matters
top-3 hit rate   = in-scope matters with an acceptable id among the first three matches / in-scope
kind accuracy    = in-scope matters answered in_scope with the expected kind / those answered in_scope
unsafe           = out-of-scope matters answered in_scope (the issue's "never")

`blind-test` is the held-out split: it is always reported without its misses (`--quiet` is implied),
so nobody tunes on it by reading this script's output. Targets (issue 18): verdict >= 0.92 and
top-3 >= 0.95 on matters the matcher was not tuned on, unsafe = 0. The exit status is 0 when every
set given meets verdict >= 0.9 and top-3 >= 0.9 (the development set's floor).
"""
import argparse, json, os, subprocess, sys, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
HELD_OUT = "blind-test"


def load(path):
    rows = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            cols = line.split("\t")
            if len(cols) == 4:
                group, verdict, ids, text = cols
                kind = "-"
            elif len(cols) == 6:
                group, verdict, kind, ids, text, _note = cols
            else:
                sys.exit(f"{path}:{n}:1: {len(cols)} columns: expected 4 (group, verdict, ids, text) "
                         "or 6 (class, verdict, kind, ids, text, note)")
            rows.append({"line": n, "group": group, "verdict": verdict, "kind": kind,
                         "ids": [] if ids == "-" else ids.split(","), "text": text})
    return rows


def answers(cmd, rows):
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False, encoding="utf-8") as f:
        f.write("\n".join(r["text"] for r in rows) + "\n")
        batch = f.name
    out = subprocess.run(cmd + ["--root", ROOT, "scope", "--json", "--batch", batch],
                         cwd=ROOT, capture_output=True, text=True)
    os.unlink(batch)
    if out.returncode != 0:
        sys.stderr.write(out.stderr)
        sys.exit(2)
    got = [json.loads(l) for l in out.stdout.splitlines() if l.strip()]
    assert len(got) == len(rows), (len(got), len(rows))
    return got


def report(name, rows, got, quiet):
    right = hits = in_scope = kinds = kinds_right = unsafe = 0
    by_group = {}
    misses = []
    for r, a in zip(rows, got):
        ok = a["verdict"] == r["verdict"]
        right += ok
        g = by_group.setdefault(r["group"], [0, 0])
        g[0] += ok
        g[1] += 1
        top3 = [m["id"] for m in a["matches"][:3]]
        hit = None
        if r["verdict"] == "in_scope":
            in_scope += 1
            hit = any(i in top3 for i in r["ids"])
            hits += hit
        kind_ok = None
        if r["kind"] != "-" and a["verdict"] == "in_scope":
            kinds += 1
            kind_ok = a.get("kind") == r["kind"]
            kinds_right += kind_ok
        if r["verdict"] == "out_of_scope" and a["verdict"] == "in_scope":
            unsafe += 1
        if not ok or hit is False or kind_ok is False:
            misses.append(f"  line {r['line']} [{r['group']}] {r['text']}: expected {r['verdict']} "
                          f"{r['kind']} {','.join(r['ids']) or '-'}; got {a['verdict']} "
                          f"{a.get('kind') or '-'} {','.join(top3) or '-'}")
    acc = right / len(rows)
    rate = hits / in_scope if in_scope else 1.0
    print(f"{name}: {len(rows)} matters ({', '.join(f'{k} {v[1]}' for k, v in sorted(by_group.items()))})")
    print(f"  verdict accuracy: {acc:.3f} ({right}/{len(rows)})")
    for k, v in sorted(by_group.items()):
        print(f"    {k}: {v[0]}/{v[1]} ({v[0] / v[1]:.3f})")
    print(f"  top-3 hit rate (in-scope matters): {rate:.3f} ({hits}/{in_scope})")
    if kinds:
        print(f"  kind (普通/简易) of matters answered in_scope: {kinds_right / kinds:.3f} ({kinds_right}/{kinds})")
    print(f"  out-of-scope matters answered in_scope: {unsafe}")
    if misses and not quiet:
        print("  misses:")
        print("\n".join(misses))
    return acc >= 0.9 and rate >= 0.9


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--portal", help="the portal binary (default: cargo run -q --)")
    ap.add_argument("--quiet", action="store_true", help="print the figures, not the misses")
    ap.add_argument("sets", nargs="*", default=["devset", "blind-dev", "blind-dev2", "blind-dev3", "blind-dev4", "blind-dev5"])
    args = ap.parse_args()
    cmd = [args.portal] if args.portal else ["cargo", "run", "-q", "--"]
    ok = True
    for s in args.sets:
        path = s if os.sep in s or s.endswith(".tsv") else os.path.join(HERE, s + ".tsv")
        name = os.path.basename(path)[:-4]
        rows = load(path)
        ok &= report(name, rows, answers(cmd, rows), args.quiet or name == HELD_OUT)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
