#!/usr/bin/env python3
"""Wall time and peak memory of the real CLI, `caldicott filter`, on
generated Bundles of 1, 20 and 200 MB (tools/bundlegen), each run in a
fresh process so its peak resident memory is its own.

    python3 bench/filter_memory.py BUILD_DIR
"""
import os
import subprocess
import sys
import tempfile
import time

build = sys.argv[1] if len(sys.argv) > 1 else "build"
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
caldicott = os.path.join(build, "bin", "caldicott")
bundlegen = os.path.join(build, "bin", "bundlegen")
with tempfile.TemporaryDirectory() as tmp:
    print(f"{'bundle':>8} {'wall':>8} {'MB/s':>8} {'peak RSS':>10} {'peak/bundle':>12}")
    for mb in (1, 20, 200):
        path = os.path.join(tmp, f"b{mb}.json")
        subprocess.run([bundlegen, "--size-mb", str(mb), "--seed", "1", "--out", path], check=True,
                       stdout=subprocess.DEVNULL)
        size = os.path.getsize(path)
        start = time.perf_counter()
        proc = subprocess.Popen([caldicott, "filter", "--policy",
                                 os.path.join(root, "examples", "podiatry.dsa"), "--agreement",
                                 "podiatry", "--role", "podiatrist", "--at", "2026-06-01", path],
                                stdout=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        if os.waitstatus_to_exitcode(status) != 0:
            sys.exit(f"caldicott filter failed on the {mb} MB bundle")
        peak = usage.ru_maxrss * 1024
        print(f"{mb:>6}MB {wall:>7.2f}s {size / wall / 1e6:>8.1f} {peak / 2**20:>8.0f}MiB "
              f"{peak / size:>11.2f}x")
