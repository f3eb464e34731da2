#!/usr/bin/env python3
"""How `xsguard check` scales with the size of one file, against the same content in many files.

For each shape (N tables, N api groups, N endpoints, one endpoint with a stack of N statements)
and N = 4,000 / 8,000 / 16,000, writes the content as one file and, where it splits, as N files,
and times a whole `xsguard check --format json` process (best of --runs). Doubling N should at
most double the time (the target is a factor of at most 2.2 per doubling).

With --megabytes M it instead writes M MB of endpoints as one file and as one file per
endpoint, and prints both times, their ratio and each run's peak memory (the target: the one file
within 2x of the many).

Usage: bench/scaling.py [--xsguard target/release/xsguard] [--sizes 4000,8000,16000]
                        [--shapes tables,groups,endpoints,stack] [--runs 2]
       bench/scaling.py --megabytes 20
"""

import argparse
import os
import shutil
import subprocess
import tempfile
import time


def table(i):
    return (
        f"table t{i} {{\n  schema {{\n    int id\n    int user_id\n    text title\n"
        f"    text api_token?\n  }}\n}}\n"
    )


def group(i):
    return f'api_group g{i} {{\n  canonical = "g{i}"\n  cors = {{mode: "wildcard"}}\n}}\n'


def endpoint(i):
    auth = '' if i % 7 == 0 else '  auth = "user"\n'
    return (
        f'query "items/{i}/{{id}}" verb=PATCH {{\n  api_group = "g{i % 20}"\n{auth}\n'
        f"  input {{\n    int id\n    text title\n  }}\n\n"
        f"  stack {{\n    db.get t{i % 200} {{\n      field_name = \"id\"\n"
        f"      field_value = $input.id\n    }} as $item\n\n"
        f"    db.edit t{i % 200} {{\n      field_name = \"id\"\n      field_value = $input.id\n"
        f"      data = {{title: $input.title}}\n    }} as $saved\n  }}\n\n"
        f"  response = $saved\n}}\n"
    )


def context():
    """The tables and groups endpoints refer to."""
    user = (
        "table user {\n  auth = true\n  schema {\n    int id\n    email email\n"
        "    password password {\n      sensitive = true\n    }\n  }\n}\n"
    )
    return [("tables/user.xs", user)] + [
        (f"tables/t{i}.xs", table(i)) for i in range(200)
    ] + [(f"apis/g{i}.xs", group(i)) for i in range(20)]


def stack(n):
    lines = ['query "long" verb=POST {\n  api_group = "g0"\n  auth = "user"\n\n  input {\n    text title\n  }\n\n  stack {\n']
    for i in range(n):
        lines.append(
            f"    db.query t{i % 200} {{\n      where = $db.t{i % 200}.user_id == $auth.id\n"
            f"    }} as $r{i}\n\n"
        )
    lines.append("  }\n\n  response = $r0\n}\n")
    return "".join(lines)


SHAPES = {
    "tables": (table, False),
    "groups": (group, False),
    "endpoints": (endpoint, True),
}


def write(root, files):
    for path, text in files:
        full = os.path.join(root, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w") as f:
            f.write(text)


def layouts(shape, n):
    """(name, files) pairs: the content in one file, and split into N files."""
    if shape == "stack":
        return [("one file", context() + [("apis/long.xs", stack(n))])]
    make, needs_context = SHAPES[shape]
    base = context() if needs_context else []
    folder = "tables" if shape == "tables" else "apis"
    one = base + [(f"{folder}/all.xs", "".join(make(i) for i in range(n)))]
    many = base + [(f"{folder}/o{i}.xs", make(i)) for i in range(n)]
    return [("one file", one), (f"{n} files", many)]


def timed(xsguard, root, runs):
    """Best wall time of `runs` whole processes."""
    best = None
    for _ in range(runs):
        started = time.perf_counter()
        done = subprocess.run(
            [xsguard, "check", "--format", "json", root],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        took = time.perf_counter() - started
        if done.returncode not in (0, 1):
            raise SystemExit(f"xsguard failed: {done.stderr.decode()}")
        best = took if best is None else min(best, took)
    return best


def peak_kb(xsguard, root):
    """Peak resident memory of one `check` process, from the kernel's accounting."""
    done = subprocess.run(
        ["/usr/bin/time", "-f", "%M", xsguard, "check", "--format", "json", root],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    return int(done.stderr.decode().strip().splitlines()[-1])


def megabytes(xsguard, size, runs):
    """`size` MB of endpoints as one file, and as one file per endpoint."""
    endpoints = []
    total = 0
    while total < size * 1_000_000:
        text = endpoint(len(endpoints))
        endpoints.append(text)
        total += len(text)
    layouts = [
        ("one file", context() + [("apis/all.xs", "".join(endpoints))]),
        (f"{len(endpoints):,} files", context() + [(f"apis/o{i}.xs", t) for i, t in enumerate(endpoints)]),
    ]
    print(f"{total / 1e6:.1f} MB, {len(endpoints):,} endpoints")
    print("| layout | time | peak memory |\n|---|---|---|")
    times = []
    for name, files in layouts:
        root = tempfile.mkdtemp(prefix="xsguard-scaling-")
        try:
            write(root, files)
            took = timed(xsguard, root, runs)
            times.append(took)
            print(f"| {name} | {took:.2f} s | {peak_kb(xsguard, root) / 1024:.0f} MB |", flush=True)
        finally:
            shutil.rmtree(root)
    print(f"one file / many files: x{times[0] / times[1]:.2f}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--xsguard", default="target/release/xsguard")
    parser.add_argument("--sizes", default="4000,8000,16000")
    parser.add_argument("--shapes", default="tables,groups,endpoints,stack")
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--megabytes", type=int)
    args = parser.parse_args()
    if args.megabytes:
        megabytes(args.xsguard, args.megabytes, args.runs)
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    print("| shape | layout | " + " | ".join(f"N = {n:,}" for n in sizes) + " | per doubling |")
    print("|---|---|" + "---|" * len(sizes) + "---|")
    for shape in args.shapes.split(","):
        rows = {}
        for n in sizes:
            for name, files in layouts(shape, n):
                root = tempfile.mkdtemp(prefix="xsguard-scaling-")
                try:
                    write(root, files)
                    key = "one file" if name == "one file" else "N files"
                    rows.setdefault(key, []).append(timed(args.xsguard, root, args.runs))
                finally:
                    shutil.rmtree(root)
        for key, times in rows.items():
            ratios = [b / a for a, b in zip(times, times[1:]) if a > 0]
            cells = " | ".join(f"{t:.2f} s" for t in times)
            worst = f"x{max(ratios):.1f}" if ratios else "-"
            print(f"| {shape} | {key} | {cells} | {worst} |", flush=True)


if __name__ == "__main__":
    main()
