#!/usr/bin/env bash
# The daemon under load (issue 10): `hashrig run` on its embedded default (a simulated
# S21-profile chain capped at 20 MH/s of real SHA-256, the built-in pool in the same
# process) for SECONDS, with a busy loop pinned to each core beside it. Meanwhile a client
# asks the cgminer API for `summary` every 250 ms. Then SIGTERM, timed. Reports:
#   - gaps between status lines (goal: 5 ± 1 s)
#   - API answer time, p50/p99/max (goal: p99 < 50 ms)
#   - share round trip to the in-process pool from "Accepted … (N ms)", p50/p99/max
#     (goal: p99 < 50 ms) and shares Lost (goal: 0)
#   - the API's 5 s hashrate readings against the chain's cap (goal: never above it, beyond
#     the counting noise of the nonces in 5 s) and the run's average
#   - how long SIGTERM takes
# Usage: scripts/load_test.sh [SECONDS] (default 120); BUSY=0 leaves the busy loops out (a
# baseline on an idle machine). Needs a Release build
# (build/release/host/hashrig) and taskset (util-linux). Exit status 1 if a goal is missed.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-120}"
bin=build/release/host/hashrig
cap=2e7  # --cpu-rate: the simulated board's real hashes per second
tmp=$(mktemp -d)
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT

cores=$(nproc)
[[ "${BUSY:-1}" == 0 ]] && cores=0
for ((c = 0; c < cores; c++)); do
  taskset -c "$c" bash -c 'while :; do :; done' &
  pids+=($!)
done
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$bin" run --cpu-rate "$cap" --api-listen "127.0.0.1:$port" >"$tmp/run.out" 2>"$tmp/run.err" &
run_pid=$!
pids+=($run_pid)
echo "hashrig run (pid $run_pid) beside $cores pinned busy loops, ${seconds} s; API on $port"

python3 - "$port" "$seconds" >"$tmp/api.txt" <<'EOF'
import json, socket, sys, time
port, seconds = int(sys.argv[1]), float(sys.argv[2])
end = time.monotonic() + seconds
while time.monotonic() < end:
    t0 = time.monotonic()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
            s.sendall(b'{"command":"summary"}')
            data = b""
            while chunk := s.recv(65536):
                data += chunk
        ms = (time.monotonic() - t0) * 1000
        summary = json.loads(data.rstrip(b"\0").decode())["SUMMARY"][0]
        print(f"{time.time():.3f} {ms:.2f} {summary['MHS 5s']} {summary['Elapsed']}")
    except OSError as e:
        print(f"{time.time():.3f} error {e}")
    time.sleep(max(0.0, 0.25 - (time.monotonic() - t0)))
EOF

t0=$(date +%s.%N)
kill -TERM "$run_pid"
wait "$run_pid" || true
t1=$(date +%s.%N)

python3 - "$tmp/run.err" "$tmp/run.out" "$tmp/api.txt" "$cap" "$t0" "$t1" <<'EOF'
import math, re, sys
from datetime import datetime
err, out, api, cap, t0, t1 = sys.argv[1:7]
cap = float(cap)
log = open(err).read().splitlines()

def pct(values, p):
    v = sorted(values)
    return v[min(len(v) - 1, int(math.ceil(p / 100 * len(v))) - 1)] if v else float("nan")

def stamp(line):
    return datetime.strptime(line.split()[0], "%Y-%m-%dT%H:%M:%S.%fZ").timestamp()

failed = []
status = [stamp(l) for l in log if " INFO status:" in l]
gaps = [b - a for a, b in zip(status, status[1:])]
print(f"status lines: {len(status)}, gaps {min(gaps):.2f}..{max(gaps):.2f} s (goal 5 ± 1)")
if not gaps or min(gaps) < 4 or max(gaps) > 6:
    failed.append("status gaps")

rows = [l.split() for l in open(api)]
errors = [r for r in rows if r[1] == "error"]
ms = [float(r[1]) for r in rows if r[1] != "error"]
print(f"API: {len(ms)} answers, {len(errors)} failed; p50 {pct(ms, 50):.1f} ms, "
      f"p99 {pct(ms, 99):.1f} ms, max {max(ms):.1f} ms (goal p99 < 50)")
if errors or pct(ms, 99) >= 50:
    failed.append("API latency")

trips = [int(m.group(1)) for l in log if (m := re.search(r"Accepted .*\((\d+) ms\)", l))]
lost = sum(1 for l in log if " Lost " in l)
print(f"shares: {len(trips)} accepted, {lost} lost; round trip p50 {pct(trips, 50)} ms, "
      f"p99 {pct(trips, 99)} ms, max {max(trips) if trips else 'n/a'} ms (goal p99 < 50, 0 lost)")
if lost or not trips or pct(trips, 99) >= 50:
    failed.append("share round trip")

# 5 s readings once the chain mines (elapsed > 10 s): the chain's 64 nonces/s give about
# 320 per reading, so 3 sigma of counting noise is 3/sqrt(320) = 17 %.
readings = [float(r[2]) * 1e6 for r in rows if r[1] != "error" and int(r[3]) > 10]
bound = cap * (1 + 3 / math.sqrt(64 * 5))
mean = sum(readings) / len(readings) if readings else 0
print(f"5 s hashrate: {len(readings)} readings, max {max(readings)/1e6:.2f} MH/s, mean "
      f"{mean/1e6:.2f} MH/s; cap {cap/1e6:.0f} MH/s (+3 sigma: {bound/1e6:.1f})")
if not readings or max(readings) > bound:
    failed.append("5 s hashrate above the chain's rate")

stop = float(t1) - float(t0)
print(f"SIGTERM to exit: {stop:.2f} s")
summary = open(out).read().strip().splitlines()
print("summary:", summary[-1] if summary else "(none)")
if stop > 5:
    failed.append("shutdown")
print("goals missed: " + ", ".join(failed) if failed else "all goals met")
sys.exit(1 if failed else 0)
EOF
