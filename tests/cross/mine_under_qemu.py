#!/usr/bin/env python3
"""The cross-built `hashrig` mines under qemu-user (issue 12, point 7).

  mine_under_qemu.py --emulator qemu-aarch64 --hashrig build/aarch64/host/hashrig [--pool]

Without --pool: `hashrig run` on its embedded default (a simulated chain driven by the real
BM13xx driver, the built-in pool in the same process). With --pool: the cross-built
`hashrig pool` and `hashrig run -o` as two emulated processes over TCP, the pool's log read
for the shares it accepted. Either way the run goes until its first accepted share (not
for a fixed time: the emulator's hash rate is whatever the machine gives), then SIGINT;
it must exit 0 with its summary on stdout. Exit 0 when all of that happened, 1 otherwise.
Rates under qemu are the emulator's, not a performance figure.
"""
import argparse
import os
import re
import selectors
import signal
import subprocess
import sys
import tempfile
import time


def lines_until(stream, pattern, deadline, seen):
    """Reads `stream` line by line until a line matches `pattern` (returned) or the
    deadline passes or the stream ends (None). Every line read is appended to `seen`."""
    buffer = b""
    with selectors.DefaultSelector() as sel:
        sel.register(stream, selectors.EVENT_READ)
        while time.monotonic() < deadline:
            if not sel.select(timeout=1.0):
                continue
            chunk = os.read(stream.fileno(), 65536)
            if not chunk:
                return None
            buffer += chunk
            while b"\n" in buffer:
                line, buffer = buffer.split(b"\n", 1)
                text = line.decode(errors="replace")
                seen.append(text)
                if re.search(pattern, text):
                    return text
    return None


def stop(proc, what, log):
    """SIGINT, then the exit status within 120 s (the emulator is slow to wind down)."""
    proc.send_signal(signal.SIGINT)
    try:
        out, err = proc.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        print(f"{what}: did not exit within 120 s of SIGINT", file=sys.stderr)
        return None, out, err
    log.extend((err or b"").decode(errors="replace").splitlines())
    return proc.returncode, out.decode(errors="replace"), err


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--emulator", required=True, help="qemu-aarch64, qemu-arm, ...")
    parser.add_argument("--hashrig", required=True, help="the cross-built binary")
    parser.add_argument("--pool", action="store_true", help="mine a `hashrig pool` process")
    parser.add_argument("--timeout", type=float, default=600, help="seconds to the first share")
    args = parser.parse_args()
    emu = args.emulator.split()
    deadline = time.monotonic() + args.timeout
    # A low difficulty so an emulated CPU finds shares within seconds; a cap on the
    # simulated chips' real hashing the emulator can follow.
    run_cmd = emu + [args.hashrig, "run", "--cpu-rate", "1e6", "--status-interval", "5"]
    pool = None
    pool_log = []
    if args.pool:
        # Its log to a file: a pipe nobody drains would stall it once full.
        pool_err = tempfile.TemporaryFile()
        pool = subprocess.Popen(emu + [args.hashrig, "pool", "--listen", "127.0.0.1:0",
                                       "--difficulty", "0.0002"],
                                stdout=subprocess.PIPE, stderr=pool_err)
        ready = lines_until(pool.stdout, r"listening on 127\.0\.0\.1:\d+", deadline,
                            pool_log)
        if not ready:
            pool.kill()
            print("pool: never said where it listens:\n" + "\n".join(pool_log), file=sys.stderr)
            return 1
        port = re.search(r"127\.0\.0\.1:(\d+)", ready).group(1)
        run_cmd += ["-o", f"stratum+tcp://127.0.0.1:{port}", "-u", "cross.1", "-p", "x"]
    else:
        run_cmd += ["--pool-difficulty", "0.0002"]

    run = subprocess.Popen(run_cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    log = []
    first = lines_until(run.stderr, r"\bAccepted\b", deadline, log)
    status, summary, _ = stop(run, "run", log)
    ok = True
    if not first:
        print(f"run: no accepted share within {args.timeout:.0f} s:\n" + "\n".join(log[-40:]),
              file=sys.stderr)
        ok = False
    if status != 0:
        print(f"run: exit status {status} (0 expected):\n" + "\n".join(log[-40:]), file=sys.stderr)
        ok = False
    match = re.search(r"^accepted (\d+)", summary, re.M)
    if not match or int(match.group(1)) < 1:
        print(f"run: summary without an accepted share: {summary!r}", file=sys.stderr)
        ok = False
    if pool:
        pool_status, _, _ = stop(pool, "pool", pool_log)
        pool_err.seek(0)
        pool_log.extend(pool_err.read().decode(errors="replace").splitlines())
        accepted = sum("accepted share" in line for line in pool_log)
        if accepted < 1 or pool_status != 0:
            print(f"pool: {accepted} accepted shares, exit status {pool_status}:\n" +
                  "\n".join(pool_log[-40:]), file=sys.stderr)
            ok = False
        else:
            print(f"pool accepted {accepted} shares")
    print(f"first share: {first}")
    print(f"summary: {summary.strip()}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
