#!/usr/bin/env python3
"""Scope lookup evaluation: verdict accuracy and top-3 hit rate over the development set.

Runs `portal scope --json --batch` on every description of tests/scope/devset.tsv (the sample site)
and compares with the expected verdict and item ids. Prints the figures and every miss.

    python3 tests/scope/eval.py [--portal PATH]   # default: cargo run -q --

verdict accuracy = matters whose verdict equals the expected one / all matters
top-3 hit rate   = in-scope matters (expected verdict in_scope) with an acceptable id among the
                   first three matches / in-scope matters
Targets (issue #9): both >= 0.9.
"""
import argparse, json, os, subprocess, sys, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def load(path):
    rows = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            group, verdict, ids, text = line.split("\t")
            rows.append({"line": n, "group": group, "verdict": verdict,
                         "ids": [] if ids == "-" else ids.split(","), "text": text})
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--portal", help="the portal binary (default: cargo run -q --)")
    ap.add_argument("--devset", default=os.path.join(HERE, "devset.tsv"))
    args = ap.parse_args()
    rows = load(args.devset)
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False, encoding="utf-8") as f:
        f.write("\n".join(r["text"] for r in rows) + "\n")
        batch = f.name
    cmd = [args.portal] if args.portal else ["cargo", "run", "-q", "--"]
    out = subprocess.run(cmd + ["--root", ROOT, "scope", "--json", "--batch", batch],
                         cwd=ROOT, capture_output=True, text=True)
    os.unlink(batch)
    if out.returncode != 0:
        sys.stderr.write(out.stderr)
        sys.exit(2)
    answers = [json.loads(l) for l in out.stdout.splitlines() if l.strip()]
    assert len(answers) == len(rows), (len(answers), len(rows))
    right = 0
    hits = in_scope = 0
    by_group = {}
    misses = []
    for r, a in zip(rows, answers):
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
        if not ok or hit is False:
            misses.append(f"  line {r['line']} [{r['group']}] {r['text']}: expected {r['verdict']} {','.join(r['ids']) or '-'}; "
                          f"got {a['verdict']} {','.join(top3) or '-'}")
    acc = right / len(rows)
    rate = hits / in_scope if in_scope else 0.0
    print(f"matters: {len(rows)} ({', '.join(f'{k} {v[1]}' for k, v in sorted(by_group.items()))})")
    print(f"verdict accuracy: {acc:.3f} ({right}/{len(rows)})  target >= 0.9")
    for k, v in sorted(by_group.items()):
        print(f"  {k}: {v[0]}/{v[1]}")
    print(f"top-3 hit rate (in-scope matters): {rate:.3f} ({hits}/{in_scope})  target >= 0.9")
    if misses:
        print("misses:")
        print("\n".join(misses))
    sys.exit(0 if acc >= 0.9 and rate >= 0.9 else 1)


if __name__ == "__main__":
    main()
