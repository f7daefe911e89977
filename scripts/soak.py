#!/usr/bin/env python3
"""The soak harness (issue 13, point 7); scripts/soak.sh runs it. See docs/RELIABILITY.md.

`hashrig run` mines on four boards — two simulated chains on PTYs, a Bitaxe-like board
(chain + bitaxe-raw control port) and a board running hashrig firmware (hashrig-fw-sim) —
against `hashrig pool` through hashrig-fault-proxy, which delays, cuts, half-closes,
corrupts and black-holes connections on a seeded schedule. Meanwhile the harness restarts
the pool, unplugs and replugs chains (their PTYs close), overheats the firmware board,
sends SIGHUP, and hammers the cgminer API and /metrics. At the end it prints a ledger:
every share the miner counted, reconciled one by one (by hash) against the pool's logs,
every difference explained or counted unexplained, with RSS, fds, the worst status-line
gap and the worst API latency. Exit status 0 when every goal holds, 1 when one fails.
"""
import argparse
import hashlib
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time

LOG_LINE = re.compile(r"^(\S+Z) (\w+) ([^:]+): (.*)$")
SHARE = re.compile(r"^(Accepted|Rejected|Lost|Stale|Discarded) ([0-9a-f]{16}) Diff \S+ \((.*)\)$")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def parse_time(stamp):
    # 2026-11-30T09:55:56.913Z
    return time.mktime(time.strptime(stamp[:19], "%Y-%m-%dT%H:%M:%S")) + float(stamp[19:-1] or 0)


def hash16_of_header(header_hex):
    digest = hashlib.sha256(hashlib.sha256(bytes.fromhex(header_hex)).digest()).digest()
    return digest[::-1].hex()[:16]


class Soak:
    def __init__(self, args):
        self.args = args
        self.dir = args.dir
        if os.path.isdir(self.dir) and os.listdir(self.dir):
            if not os.path.exists(os.path.join(self.dir, "actions.log")):
                sys.exit(f"soak: {self.dir} is not empty and not a soak's directory")
            shutil.rmtree(self.dir)  # an earlier soak's: logs are appended to
        os.makedirs(self.dir, exist_ok=True)
        self.rng = random.Random(args.seed)
        self.hashrig = os.path.join(args.build, "host", "hashrig")
        self.fw_sim = os.path.join(args.build, "firmware", "targets", "host_sim", "hashrig-fw-sim")
        self.proxy_bin = os.path.join(args.build, "tests", "hashrig-fault-proxy")
        for binary in (self.hashrig, self.fw_sim, self.proxy_bin):
            if not os.access(binary, os.X_OK):
                sys.exit(f"soak: {binary} not built (cmake --build {args.build})")
        self.pool_port = free_port()
        self.api_port = free_port()
        self.metrics_port = free_port()
        self.pool = None
        self.pool_runs = 0
        self.chains = {}
        self.actions = []
        self.api_latencies = []
        self.api_failures = []
        self.samples = []  # (seconds since start, rss kB, fds)
        self.stop = threading.Event()
        self.t0 = time.time()

    # --- processes -----------------------------------------------------------------------
    def spawn(self, name, argv):
        out = open(os.path.join(self.dir, name + ".out"), "a")
        err = open(os.path.join(self.dir, name + ".log"), "a")
        return subprocess.Popen(argv, stdout=out, stderr=err, stdin=subprocess.DEVNULL)

    def note(self, text):
        at = time.time() - self.t0
        self.actions.append((round(at, 1), text))
        with open(os.path.join(self.dir, "actions.log"), "a") as f:
            f.write(f"{at:8.1f} s {text}\n")

    def start_pool(self):
        self.pool_runs += 1
        self.pool = self.spawn(f"pool.{self.pool_runs}", [
            self.hashrig, "pool", "--listen", f"127.0.0.1:{self.pool_port}",
            "--difficulty", str(self.args.pool_difficulty), "--job-interval", "10",
            "--block-interval", "120", "--stats-interval", "60"])

    def stop_process(self, process, wait=15):
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(wait)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def start_chain(self, name, extra):
        link = os.path.join(self.dir, name)
        argv = [self.hashrig, "sim", "--model", "BM1368", "--chips", "2", "--link", link,
                "--cpu-rate", str(self.args.cpu_rate), "--seed", str(self.rng.randrange(1 << 30))]
        self.chains[name] = self.spawn(name, argv + extra)
        return link

    def wait_for(self, path, seconds=20):
        deadline = time.time() + seconds
        while not os.path.exists(path) and time.time() < deadline:
            time.sleep(0.05)
        if not os.path.exists(path):
            sys.exit(f"soak: {path} never appeared (see {self.dir})")

    def start(self):
        self.start_pool()
        self.proxy = self.spawn("proxy", [
            self.proxy_bin, "--upstream", str(self.pool_port), "--seed", str(self.args.seed),
            "--mean-gap", str(self.args.fault_gap), "--delay-ms", "1500", "--delay-for", "8"])
        proxy_out = os.path.join(self.dir, "proxy.out")
        deadline = time.time() + 10
        self.proxy_port = None
        while self.proxy_port is None and time.time() < deadline:
            with open(proxy_out) as f:
                m = re.search(r"listening on 127\.0\.0\.1:(\d+)", f.read())
            self.proxy_port = m and int(m.group(1))
            time.sleep(0.05)
        if self.proxy_port is None:
            sys.exit("soak: the fault proxy never listened")
        links = [self.start_chain("chain0", []), self.start_chain("chain1", [])]
        bitaxe = self.start_chain("bitaxe", ["--control-link", os.path.join(self.dir, "bitaxe-ctl")])
        self.temperature = os.path.join(self.dir, "fw-temperature")
        with open(self.temperature, "w") as f:
            f.write("50\n")
        self.fw = self.spawn("fw", [
            self.fw_sim, "--link", os.path.join(self.dir, "fw"), "--chain", "sim:2",
            "--model", "BM1368", "--cpu-rate", str(self.args.cpu_rate), "--watchdog", "60",
            "--temperature-file", self.temperature])
        for path in links + [bitaxe, os.path.join(self.dir, "bitaxe-ctl"),
                             os.path.join(self.dir, "fw")]:
            self.wait_for(path)
        self.config = os.path.join(self.dir, "soak.json")
        self.write_config()
        self.run = self.spawn("run", [self.hashrig, "run", "--config", self.config])
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                self.ask(self.api_port, b"summary|")
                break
            except OSError:
                time.sleep(0.1)
        self.note(f"started: pool :{self.pool_port}, proxy :{self.proxy_port}, run pid {self.run.pid}")

    def write_config(self):
        config = {
            "url": [f"stratum+tcp://127.0.0.1:{self.proxy_port}"],
            "user": ["soak.rig"], "pass": ["x"],
            "board": ["serial:" + os.path.join(self.dir, "chain0"),
                      "serial:" + os.path.join(self.dir, "chain1"),
                      "bitaxe:" + os.path.join(self.dir, "bitaxe") + ":" +
                      os.path.join(self.dir, "bitaxe-ctl"),
                      "serial:" + os.path.join(self.dir, "fw")],
            "chip": "BM1368", "chips": 2,
            # CPU-simulated chains hash far below real ones: chips report below difficulty 1.
            "ticket-difficulty": self.args.ticket_difficulty,
            "api-listen": f"127.0.0.1:{self.api_port}",
            "metrics-listen": f"127.0.0.1:{self.metrics_port}",
            "status-interval": 5, "log-level": "info",
        }
        with open(self.config + ".new", "w") as f:
            json.dump(config, f, indent=2)
        os.replace(self.config + ".new", self.config)

    # --- what goes on while it runs ------------------------------------------------------
    def ask(self, port, request):
        started = time.monotonic()
        with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
            s.sendall(request)
            reply = b""
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                reply += chunk
        return time.monotonic() - started, reply

    def hammer(self):
        requests = [(self.api_port, b'{"command":"summary"}'), (self.api_port, b"devs|"),
                    (self.metrics_port, b"GET /metrics HTTP/1.0\r\n\r\n")]
        i = 0
        while not self.stop.is_set():
            port, request = requests[i % len(requests)]
            i += 1
            try:
                seconds, reply = self.ask(port, request)
                if not reply:
                    raise OSError("empty reply")
                self.api_latencies.append(seconds)
                if port == self.metrics_port:
                    self.last_metrics = reply.decode(errors="replace")
            except OSError as e:
                self.api_failures.append((round(time.time() - self.t0, 1), str(e)))
            self.stop.wait(0.05)

    def sample(self):
        while not self.stop.is_set():
            try:
                with open(f"/proc/{self.run.pid}/status") as f:
                    rss = int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1))
                fds = len(os.listdir(f"/proc/{self.run.pid}/fd"))
                self.samples.append((time.time() - self.t0, rss, fds))
            except (OSError, AttributeError):
                pass
            self.stop.wait(5)

    def schedule(self, seconds):
        """The harness's own faults, spread over the run with the seed's jitter."""
        events = []
        def every(period, kind):
            t = period * (0.5 + self.rng.random() * 0.5)
            while t < seconds - 40:
                events.append((t, kind))
                t += period * (0.75 + self.rng.random() * 0.5)
        every(max(90, seconds / 12), "pool-restart")
        every(max(70, seconds / 15), "unplug")
        every(max(150, seconds / 6), "overheat")
        every(60, "sighup")
        return sorted(events)

    def act(self, kind):
        if kind == "pool-restart":
            self.note(f"pool restart: stopping pool run {self.pool_runs}")
            self.stop_process(self.pool)
            time.sleep(3)
            self.start_pool()
            self.note(f"pool restart: pool run {self.pool_runs} started")
        elif kind == "unplug":
            name = self.rng.choice(["chain0", "chain1"])
            self.note(f"unplug {name} (its PTY closes)")
            self.stop_process(self.chains[name])
            os.path.exists(os.path.join(self.dir, name)) and os.unlink(os.path.join(self.dir, name))
            time.sleep(5)
            self.start_chain(name, [])
            self.note(f"replug {name}")
        elif kind == "overheat":
            self.note("overheat: firmware board at 95 °C for 25 s")
            with open(self.temperature, "w") as f:
                f.write("95\n")
            time.sleep(25)
            with open(self.temperature, "w") as f:
                f.write("50\n")
            self.note("overheat: firmware board back at 50 °C")
        elif kind == "sighup":
            self.write_config()
            self.run.send_signal(signal.SIGHUP)
            self.note("SIGHUP (config rewritten)")

    def soak(self):
        seconds = self.args.minutes * 60
        threads = [threading.Thread(target=self.hammer, daemon=True),
                   threading.Thread(target=self.sample, daemon=True)]
        for t in threads:
            t.start()
        for at, kind in self.schedule(seconds):
            if self.stop.wait(max(0, self.t0 + at - time.time())):
                break
            if self.run.poll() is not None:
                self.note(f"hashrig run exited early with {self.run.returncode}")
                break
            self.act(kind)
        self.stop.wait(max(0, self.t0 + seconds - time.time()))
        self.note("stopping hashrig run (SIGTERM)")
        self.stop.set()
        for t in threads:
            t.join()
        self.stop_process(self.run, wait=30)
        for process in list(self.chains.values()) + [self.fw, self.proxy]:
            self.stop_process(process)
        self.stop_process(self.pool)

    # --- the ledger ----------------------------------------------------------------------
    def ledger(self):
        run_log = open(os.path.join(self.dir, "run.log"), errors="replace").read().splitlines()
        final = open(os.path.join(self.dir, "run.out"), errors="replace").read()
        totals = dict((k, int(v)) for k, v in re.findall(
            r"(accepted|rejected|stale|lost|discarded) (\d+)", final.splitlines()[-1] if final else ""))
        verdict = {}  # hash16 -> (kind, detail): the last word on each share
        counted = {"Accepted": 0, "Rejected": 0, "Lost": 0, "Stale": 0, "Discarded": 0}
        unlogged_by_kind = {}  # "lost", "accepted", "not submitted", ...: lines held back
        status_times, reload_lines, warnings = [], 0, 0
        for line in run_log:
            m = LOG_LINE.match(line)
            if not m:
                continue
            stamp, level, where, text = m.groups()
            warnings += level in ("WARN", "ERROR")
            if where == "status":
                status_times.append(parse_time(stamp))
            if "reload" in text.lower() or "sighup" in text.lower():
                reload_lines += 1
            s = SHARE.match(text)
            if s:
                kind, h, detail = s.groups()
                if kind in ("Accepted", "Rejected") and detail.startswith("late") or \
                        (kind in ("Accepted", "Rejected") and "; late" in detail):
                    counted["Lost"] -= 1  # a late verdict on a share counted lost
                counted[kind] += 1
                verdict[h] = (kind, detail, parse_time(stamp))
            n = re.search(r"not logged: (.*)$", text)
            if n:
                for count, kind in re.findall(r"(\d+) ([a-z ]+)", n.group(1)):
                    unlogged_by_kind[kind.strip()] = unlogged_by_kind.get(kind.strip(), 0) + int(count)
        pool_accepted, pool_rejected, pool_totals = {}, [], []
        for run in range(1, self.pool_runs + 1):
            for line in open(os.path.join(self.dir, f"pool.{run}.log"), errors="replace"):
                a = re.search(r"accepted share from \S+ difficulty \S+ header ([0-9a-f]+)", line)
                if a:
                    h = hash16_of_header(a.group(1))
                    pool_accepted[h] = pool_accepted.get(h, 0) + 1
                r = re.search(r"^(\S+Z) .*rejected share from \S+: (.*?)(?: header ([0-9a-f]+))?$", line)
                if r:
                    pool_rejected.append((r.group(2), r.group(3) and hash16_of_header(r.group(3)),
                                          parse_time(r.group(1))))
            out = open(os.path.join(self.dir, f"pool.{run}.out"), errors="replace").read()
            t = re.search(r"accepted (\d+) \(difficulty sum [^)]*\), rejected (\d+)", out)
            pool_totals.append(t and (int(t.group(1)), int(t.group(2))))
        proxy_out = open(os.path.join(self.dir, "proxy.out"), errors="replace").read()
        # Corrupted lines that can turn into a reject: a submit (its nonce or job changed)
        # or an answer, each with its time, used at most once.
        corruptions = [[parse_time(t), d, line, False] for t, d, line in re.findall(
            r"^(\S+Z) fault corrupt connection \d+: (miner→pool|pool→miner) byte \d+ of: (.*)$",
            proxy_out, re.M)]
        corrupt_up = sum(1 for c in corruptions if c[1] == "miner→pool")
        # Up to 10 s before the verdict: a delay fault on the same connection (1.5 s a
        # line for 8 s) can hold the answer to a submit corrupted just before it (the
        # 60-minute run's one "unexplained" reject: corrupted 3.0 s before its answer).
        def corrupted_near(at):
            for c in corruptions:
                if not c[3] and at - 10 <= c[0] <= at + 0.5 and \
                        ("mining.submit" in c[2] or '"result"' in c[2]):
                    c[3] = True
                    return True
            return False
        faults = dict((k, int(v)) for k, v in re.findall(r"([a-z-]+) (\d+)", proxy_out.split("faults:")[-1].split(";")[0])) \
            if "faults:" in proxy_out else {}

        explained, unexplained = {}, []
        def explain(reason):
            explained[reason] = explained.get(reason, 0) + 1
        rejected_hashes = {h for _, h, _ in pool_rejected if h}
        # Rejections the pool logged without a header (it could not build one: "Stale
        # share", "Job not found"): matched by reason and time (the answer may trail the
        # verdict by a delayed line or a few), each once.
        headerless = [[reason, at, False] for reason, h, at in pool_rejected if not h]
        def logged_without_header(reason, at):
            for r in headerless:
                if not r[2] and reason.startswith(r[0]) and -1 <= at - r[1] <= 15:
                    r[2] = True
                    return True
            return False
        # A corrupted notify (its coinbase or branch changed in transit, still valid hex)
        # gives a job whose every share the pool rebuilds differently: "Low difficulty".
        notify_corruptions = [c[0] for c in corruptions if "mining.notify" in c[2] and c[1] == "pool→miner"]
        def after_corrupted_notify(at):
            return any(0 <= at - t <= 120 for t in notify_corruptions)
        duplicates = sum(n - 1 for n in pool_accepted.values() if n > 1) + \
            sum(1 for reason, _, _ in pool_rejected if reason.startswith("Duplicate"))
        for h, (kind, detail, at) in sorted(verdict.items()):
            in_pool = h in pool_accepted
            if kind == "Accepted":
                if not in_pool:
                    unexplained.append(f"{h}: accepted by our count, not in the pool's log")
            elif kind == "Rejected":
                if in_pool:
                    if corrupted_near(at):
                        explain("accepted by the pool, its answer corrupted in transit")
                    else:
                        unexplained.append(f"{h}: rejected by our count, accepted by the pool")
                elif h in rejected_hashes:
                    explain("rejected by the pool, as it logged")
                elif logged_without_header(detail, at):
                    explain(f"rejected by the pool, as it logged ({detail}: no header to match)")
                elif detail.startswith("Low difficulty") and after_corrupted_notify(at):
                    explain("rejected: its job's notify was corrupted in transit")
                elif corrupted_near(at):
                    explain("rejected: the submit or its answer corrupted in transit")
                else:
                    unexplained.append(f"{h}: rejected ({detail}), the pool never logged it")
            elif kind == "Lost":
                explain(f"lost ({detail}): " + ("the pool accepted it, its answer never came"
                                                if in_pool else "the pool never judged it"))
            else:  # Stale, Discarded: never sent
                if in_pool:
                    unexplained.append(f"{h}: {kind.lower()} (never sent) by our count, "
                                       "yet the pool accepted it")
                else:
                    why = detail[len("not sent: "):] if detail.startswith("not sent: ") else detail
                    why = re.sub(r"\b(?=[0-9a-f]*\d)[0-9a-f]+\b", "N", why.split(" (")[0])
                    explain(f"{kind.lower()}: never sent ({why})")
        unlogged = sum(unlogged_by_kind.values())
        # A share the pool accepted whose own line the rate limit held back: our count of
        # accepted (or lost: its answer never came) has it, the log not.
        held_back = {k: unlogged_by_kind.get(k, 0) for k in ("accepted", "lost")}
        for h in pool_accepted:
            if h not in verdict:
                kind = next((k for k, n in held_back.items() if n > 0), None)
                if kind:
                    held_back[kind] -= 1
                    explain(f"{kind}, its line held back by the log's rate limit")
                else:
                    unexplained.append(f"{h}: accepted by the pool, no verdict in our log")
        if unlogged:
            explained["share lines held back by the log's rate limit (counted, not matched)"] = unlogged
        gaps = [b - a for a, b in zip(status_times, status_times[1:])]
        warm = [s for s in self.samples if s[0] >= min(60, self.args.minutes * 60 / 5)]
        rss_start = warm[0][1] if warm else None
        rss_end = warm[-1][1] if warm else None
        hours = (warm[-1][0] - warm[0][0]) / 3600 if len(warm) > 1 else 0
        half = len(warm) // 2
        fds_first = max((s[2] for s in warm[:half]), default=0)
        fds_second = max((s[2] for s in warm[half:]), default=0)
        latencies = sorted(self.api_latencies)
        worst_api = latencies[-1] * 1000 if latencies else None
        p99 = latencies[int(len(latencies) * 0.99)] * 1000 if latencies else None
        nonces = None
        metrics = getattr(self, "last_metrics", "")
        if metrics:
            found = re.search(r"^hashrig_nonces_total (\S+)$", metrics, re.M)
            nonces = found and int(float(found.group(1)))
        ledger = {
            "minutes": self.args.minutes, "seed": self.args.seed,
            "nonces_found": nonces,
            "shares": {"submitted": totals.get("accepted", 0) + totals.get("rejected", 0) + totals.get("lost", 0),
                       **totals},
            "shares_from_log": counted, "held_back_lines": unlogged_by_kind,
            "pool": {"runs": self.pool_runs, "accepted_lines": sum(pool_accepted.values()),
                     "rejected_lines": len(pool_rejected),
                     "totals_per_run": pool_totals},
            "proxy_faults": faults, "corrupted_lines": {"miner_to_pool": corrupt_up,
                                                        "pool_to_miner": len(corruptions) - corrupt_up},
            "harness_actions": {k: sum(1 for _, a in self.actions if a.startswith(k))
                                for k in ("pool restart: stopping", "unplug", "overheat: firmware board at", "SIGHUP")},
            "explained": explained, "unexplained": unexplained, "duplicates_sent": duplicates,
            "rss_kb": {"start": rss_start, "end": rss_end,
                       "growth_kb_per_hour": round((rss_end - rss_start) / hours) if hours > 0 else None},
            "fds": {"first_half_max": fds_first, "second_half_max": fds_second},
            "status_line_gap_s": {"worst": round(max(gaps), 2) if gaps else None, "lines": len(status_times)},
            "api": {"requests": len(latencies), "failures": len(self.api_failures),
                    "worst_ms": worst_api and round(worst_api, 1), "p99_ms": p99 and round(p99, 1),
                    "first_failures": self.api_failures[:5]},
            "warnings_in_log": warnings, "reload_lines": reload_lines,
            "run_exit": self.run.returncode,
            "samples": [[round(t, 1), rss, fds] for t, rss, fds in self.samples],
        }
        goals = {
            "shares accepted": totals.get("accepted", 0) > 0,
            "0 unexplained differences": not unexplained,
            "0 duplicates sent": duplicates == 0,
            "the pool's log matches its own totals": all(pool_totals) and (
                sum(a for a, _ in pool_totals), sum(r for _, r in pool_totals)) ==
                (sum(pool_accepted.values()), len(pool_rejected)),
            "hashrig run exited 0": self.run.returncode == 0,
            "totals match the share lines (with those the rate limit held back)": all(
                counted[k.capitalize()] + unlogged_by_kind.get(k, 0) == totals.get(k, -1)
                for k in ("accepted", "rejected", "lost", "stale", "discarded")),
            "fds flat": fds_second <= fds_first + 2,
            f"worst API latency < {self.args.api_latency_ms:g} ms":
                worst_api is not None and worst_api < self.args.api_latency_ms,
            "no API request failed": not self.api_failures,
            "status lines at most 3 intervals apart": bool(gaps) and max(gaps) <= 15,
        }
        if self.args.minutes >= 30:
            goals["RSS growth < 1 MB per hour"] = rss_start is not None and hours > 0 and \
                (rss_end - rss_start) / hours < 1024
        ledger["goals"] = goals
        with open(os.path.join(self.dir, "ledger.json"), "w") as f:
            json.dump(ledger, f, indent=2)
        return ledger, goals


def print_ledger(ledger, goals, directory):
    print(f"soak: {ledger['minutes']} min, seed {ledger['seed']}, files in {directory}")
    print(f"  nonces found {ledger['nonces_found']}")
    print("  shares: " + ", ".join(f"{k} {v}" for k, v in ledger["shares"].items()))
    p = ledger["pool"]
    print(f"  pool ({p['runs']} runs): accepted {p['accepted_lines']}, rejected {p['rejected_lines']}")
    print("  proxy faults: " + ", ".join(f"{k} {v}" for k, v in ledger["proxy_faults"].items()))
    print("  harness: " + ", ".join(f"{k} {v}" for k, v in ledger["harness_actions"].items()))
    print("  explained differences:")
    for reason, n in sorted(ledger["explained"].items()):
        print(f"    {n:6d}  {reason}")
    print(f"  unexplained differences: {len(ledger['unexplained'])}")
    for u in ledger["unexplained"][:20]:
        print(f"    {u}")
    print(f"  duplicates sent: {ledger['duplicates_sent']}")
    r = ledger["rss_kb"]
    print(f"  RSS: {r['start']} kB after warm-up, {r['end']} kB at the end "
          f"({r['growth_kb_per_hour']} kB/hour)")
    print(f"  fds: max {ledger['fds']['first_half_max']} (first half), "
          f"{ledger['fds']['second_half_max']} (second half)")
    print(f"  worst status-line gap: {ledger['status_line_gap_s']['worst']} s "
          f"({ledger['status_line_gap_s']['lines']} lines)")
    a = ledger["api"]
    print(f"  API and /metrics: {a['requests']} requests, {a['failures']} failed, "
          f"worst {a['worst_ms']} ms, p99 {a['p99_ms']} ms")
    for goal, ok in goals.items():
        print(f"  {'PASS' if ok else 'FAIL'}  {goal}")


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("minutes", type=float)
    parser.add_argument("--build", default="build/release")
    parser.add_argument("--dir", default=None, help="where logs and ledger.json go")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--fault-gap", type=float, default=20,
                        help="mean seconds between the proxy's faults (default 20)")
    parser.add_argument("--cpu-rate", type=float, default=2e6,
                        help="real hashes/s of each simulated chain (default 2e6)")
    parser.add_argument("--pool-difficulty", type=float, default=0.002)
    parser.add_argument("--ticket-difficulty", type=float, default=0.0005)
    parser.add_argument("--api-latency-ms", type=float, default=100,
                        help="goal for the worst API or /metrics answer (default 100)")
    args = parser.parse_args()
    if args.dir is None:
        args.dir = f"/tmp/hashrig-soak.{os.getpid()}"
    soak = Soak(args)
    try:
        soak.start()
        soak.soak()
    finally:
        soak.stop.set()
        for process in [getattr(soak, "run", None), getattr(soak, "fw", None),
                        getattr(soak, "proxy", None), soak.pool] + list(soak.chains.values()):
            if process is not None and process.poll() is None:
                process.kill()
    ledger, goals = soak.ledger()
    print_ledger(ledger, goals, args.dir)
    sys.exit(0 if all(goals.values()) else 1)


if __name__ == "__main__":
    main()
