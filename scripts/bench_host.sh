#!/usr/bin/env bash
# Host cost while driving a simulated S21 (3 chains x 108 BM1368) at the nonce rate a real
# S21 produces: 200 TH/s at ticket difficulty 256 is 200e12 / (256 * 2^32) = 182 nonces/s.
# Three `hashrig sim` processes (one per chain, on PTYs) hash on the CPU at CPU_RATE each;
# the chips report at a sub-1 ticket difficulty chosen so that the three together send
# 182 nonces/s, and `hashrig run` accounts every nonce at that difficulty. We measure the
# `hashrig run` process only: CPU share of one core (utime+stime over the window) and
# resident memory. Usage: scripts/bench_host.sh [SECONDS] (default 60).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
bin=build/release/host/hashrig
cpu_rate=5e6
ticket=$(python3 -c "print(3*${cpu_rate}/(182*2**32))")
tmp=$(mktemp -d)
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT

boards=()
for i in 0 1 2; do
  "$bin" sim --model BM1368 --chips 108 --cpu-rate "$cpu_rate" >"$tmp/sim$i.out" 2>&1 &
  pids+=($!)
done
sleep 1
for i in 0 1 2; do
  boards+=(--board "serial:$(awk '{print $2}' "$tmp/sim$i.out")")
done
"$bin" run "${boards[@]}" --chip BM1368 --chips 108 --ticket-difficulty "$ticket" \
  --pool-difficulty 0.001 --status-interval 10 --api-listen 127.0.0.1:0 >"$tmp/run.out" 2>"$tmp/run.err" &
run_pid=$!
pids+=($run_pid)
echo "ticket difficulty $ticket; waiting 20 s for the chains to initialise (ramp, 324 chips)"
sleep 20
ticks() { awk '{print $14 + $15}' "/proc/$run_pid/stat"; }
hz=$(getconf CLK_TCK)
t0=$(ticks); s0=$(date +%s.%N)
sleep "$seconds"
t1=$(ticks); s1=$(date +%s.%N)
rss=$(awk '/VmRSS/ {print $2}' "/proc/$run_pid/status")
cpu=$(python3 -c "print(f'{100*($t1-$t0)/$hz/($s1-$s0):.2f}')")
echo "hashrig run: ${cpu}% of one core, RSS $((rss / 1024)) MiB over ${seconds} s"
grep "INFO status" "$tmp/run.err" | tail -1
