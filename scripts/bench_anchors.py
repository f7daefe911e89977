#!/usr/bin/env python3
"""The anchors side by side (issue 17, point 4); scripts/bench_anchors.sh runs it.

Builds cpuminer-opt (and, if given, pooler's cpuminer "minerd") from source trees the
user points at — never fetched here — and runs each anchor's sha256d benchmark and
`hashrig bench` alternately, pinned to one core, for several pairs (the order flips each
pair). Prints each run's MH/s with the foreign load beside it (busy cores other than the
benchmark's own, from /proc/stat), then per comparison the median ratio ours/anchor and
its spread. docs/PERFORMANCE.md records a run.
"""
import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
UNIT = {"": 1e-6, "k": 1e-3, "K": 1e-3, "m": 1, "M": 1, "g": 1e3, "G": 1e3}


def cpu_busy():
    """(busy, total) jiffies of the whole machine."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return sum(fields) - idle, sum(fields)


def build(source, into, cflags, marker):
    """Copies `source` to `into` and builds it with autotools and `cflags` once."""
    binary = os.path.join(into, marker)
    if os.access(binary, os.X_OK):
        return binary
    if not os.path.isfile(os.path.join(source, "configure.ac")):
        sys.exit(f"bench_anchors: {source} is not a cpuminer source tree (no configure.ac)")
    shutil.rmtree(into, ignore_errors=True)
    shutil.copytree(source, into, symlinks=True, ignore=shutil.ignore_patterns(".git"))
    log = open(os.path.join(into, "build.log"), "w")
    steps = [["sh", "autogen.sh"],
             ["sh", "-c", f'CFLAGS="{cflags}" ./configure --with-curl'],
             ["make", f"-j{os.cpu_count()}"]]
    for step in steps:
        print(f"bench_anchors: building {into}: {' '.join(step)}", flush=True)
        if subprocess.call(step, cwd=into, stdout=log, stderr=subprocess.STDOUT) != 0:
            sys.exit(f"bench_anchors: building {into} failed: see {log.name}")
    return binary


def timed(argv, cpu):
    """Runs argv pinned to `cpu`; returns (output, seconds, foreign busy cores)."""
    busy0, total0 = cpu_busy()
    start = time.monotonic()
    out = subprocess.run(["taskset", "-c", str(cpu)] + argv, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True).stdout
    seconds = time.monotonic() - start
    busy1, total1 = cpu_busy()
    cores = os.cpu_count() or 1
    busy_cores = (busy1 - busy0) / max(1, total1 - total0) * cores
    return out, seconds, max(0.0, busy_cores - 1)


def last_rate(out, who, patterns):
    """MH/s from the last match of the first pattern that matches (value, unit prefix)."""
    for pattern in patterns:
        m = re.findall(pattern, out, re.I)
        if m:
            value, unit = m[-1]
            return float(value) * UNIT[unit]
    sys.exit(f"bench_anchors: no rate in {who}'s output:\n{out[-2000:]}")


def cpuminer_opt(binary, seconds, cpu):
    out, _, load = timed([binary, "-a", "sha256d", "--benchmark", "-t", "1",
                          "--time-limit", str(seconds), "-q"], cpu)
    # "Total:" is the run's average so far (hashes / uptime); "Benchmark:" at the end is
    # only the last interval's rate.
    return last_rate(out, "cpuminer-opt", [r"Total: ([0-9.]+) ?([kKmMgG]?)h/s",
                                           r"Benchmark: ([0-9.]+) ?([kKmMgG]?)h/s"]), load


def minerd(binary, seconds, cpu):
    out, _, load = timed(["timeout", "-s", "INT", str(seconds), binary, "-a", "sha256d",
                          "--benchmark", "-t", "1"], cpu)
    return last_rate(out, "minerd", [r"Total: ([0-9.]+) ([kmg]?)hash/s",
                                     r"thread 0: \d+ hashes, ([0-9.]+) ([kmg]?)hash/s"]), load


def hashrig(binary, backend, seconds, cpu, rolled):
    out, _, load = timed([binary, "bench", "--backend", backend, "--threads", "1",
                          "--seconds", str(seconds)], cpu)
    for line in out.splitlines():
        cols = line.split()
        if cols and cols[0] == backend and len(cols) >= 9:
            return float(cols[7] if rolled else cols[2]), load
    sys.exit(f"bench_anchors: no row for {backend} in hashrig bench's output:\n{out}")


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cpuminer-opt", required=True, metavar="SRC",
                        help="a cpuminer-opt source tree (e.g. a git clone of JayDDee/cpuminer-opt)")
    parser.add_argument("--minerd", metavar="SRC", help="a pooler/cpuminer source tree")
    parser.add_argument("--hashrig", default=os.path.join(ROOT, "build", "release", "host", "hashrig"))
    parser.add_argument("--backend", action="append",
                        help="our backend(s) to compare (default: the one hashrig chooses)")
    parser.add_argument("--pairs", type=int, default=4)
    parser.add_argument("--seconds", type=int, default=20, help="per run (default 20)")
    parser.add_argument("--cpu", type=int, default=0, help="the core every run is pinned to")
    parser.add_argument("--work", default="/tmp/hashrig-anchors", help="where anchors are built")
    parser.add_argument("--no-avx512-build", action="store_true",
                        help="also build cpuminer-opt with -mno-avx512f (its SHA-NI path on an AVX-512 CPU)")
    args = parser.parse_args()
    anchors = {"cpuminer-opt": (build(os.path.abspath(args.cpuminer_opt),
                                      os.path.join(args.work, "cpuminer-opt"),
                                      "-O3 -march=native", "cpuminer"), cpuminer_opt)}
    if args.no_avx512_build:
        anchors["cpuminer-opt -mno-avx512f"] = (
            build(os.path.abspath(args.cpuminer_opt), os.path.join(args.work, "cpuminer-opt-noavx512"),
                  "-O3 -march=native -mno-avx512f", "cpuminer"), cpuminer_opt)
    if args.minerd:
        anchors["minerd"] = (build(os.path.abspath(args.minerd), os.path.join(args.work, "minerd"),
                                   "-O3 -march=native", "minerd"), minerd)
    backends = args.backend
    if not backends:
        listing = subprocess.run([args.hashrig, "bench", "--list"], stdout=subprocess.PIPE,
                                 text=True).stdout
        backends = [re.search(r"chosen: scan with (\S+),", listing).group(1)]
    ours = [(b, False) for b in backends] + [(b, True) for b in backends]
    print(f"bench_anchors: {args.pairs} pairs of {args.seconds} s runs pinned to CPU {args.cpu}; "
          f"foreign load = busy cores beside the run's own")
    results = {}
    for pair in range(args.pairs):
        for anchor_name, (binary, run_anchor) in anchors.items():
            for backend, rolled in ours:
                name = f"hashrig {backend}{' rolled' if rolled else ''} / {anchor_name}"
                runs = [("anchor", lambda: run_anchor(binary, args.seconds, args.cpu)),
                        ("ours", lambda: hashrig(args.hashrig, backend, args.seconds, args.cpu, rolled))]
                if pair % 2:
                    runs.reverse()
                got = {}
                for who, run in runs:
                    got[who] = run()
                (a, load_a), (o, load_o) = got["anchor"], got["ours"]
                results.setdefault(name, []).append(o / a)
                print(f"  pair {pair + 1} {name}: ours {o:.2f} MH/s (load {load_o:.2f}), "
                      f"anchor {a:.2f} MH/s (load {load_a:.2f}), ratio {o / a:.3f}", flush=True)
    print("\nmedian ratio (min–max) of ours / anchor:")
    for name, ratios in results.items():
        print(f"  {name}: {statistics.median(ratios):.3f} ({min(ratios):.3f}–{max(ratios):.3f}) "
              f"over {len(ratios)} pairs")


if __name__ == "__main__":
    main()
