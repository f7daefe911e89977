#!/usr/bin/env python3
"""Issue 12, point 1: what `cmake --install` and the .deb put on a control board.

usage: package_test.py --build BUILD_DIR --source SOURCE_DIR

1. `cmake --install` into a staging root (prefix /usr/local): every file in its place,
   the unit naming the installed binary and configuration, an operator's rig.json kept
   on a second install.
2. `cpack -G DEB`: the package's control fields, conffiles, maintainer scripts and
   file list (dpkg-deb), every dependency satisfied on this machine.
3. `dpkg --root` installs it into an empty root (maintainer scripts run chroot-less):
   the hashrig user exists in dialout and plugdev; the unit's ExecStart starts the miner,
   ExecReload's SIGHUP re-reads its configuration, SIGTERM stops it with its summary and
   exit 0; remove keeps the configuration, purge takes it.
Exit 0 when every check passed; each failure is printed.
"""
import argparse
import gzip
import os
import re
import select
import signal
import subprocess
import sys
import tempfile
import time

failures = []


def check(condition, what):
    if not condition:
        failures.append(what)
        print(f"FAIL: {what}", flush=True)
    return condition


def run(args, **kw):
    done = subprocess.run(args, capture_output=True, text=True, timeout=300, **kw)
    if done.returncode != 0:
        print(f"$ {' '.join(args)}\n{done.stdout}{done.stderr}", flush=True)
    return done


def commands_of(binary):
    top = run([binary, "--help"]).stdout
    return re.findall(r"^  ([a-z-]+)  ", top.split("commands:")[1].split("\n\n")[0], re.M)


def unit_exec_start(path):
    text = open(path).read()
    start = re.search(r"^ExecStart=(.*)$", text, re.M)
    return text, start.group(1).split() if start else []


def check_man_page(path, binary):
    page = gzip.open(path).read().decode()
    check(page.startswith(".TH HASHRIG 1"), "man page starts with .TH HASHRIG 1")
    for name in commands_of(binary):
        check(f'.SS "hashrig {name}"' in page, f"man page has a section for 'hashrig {name}'")
    check("--pool-difficulty" in page, "man page carries run's options")


def check_staged_install(build, source, stage):
    env = dict(os.environ, DESTDIR=stage)
    done = run(["cmake", "--install", build, "--prefix", "/usr/local"], env=env)
    if not check(done.returncode == 0, "cmake --install succeeds"):
        return
    root = stage + "/usr/local"
    expected = {
        "bin/hashrig": 0o755,
        "share/man/man1/hashrig.1.gz": 0o644,
        "lib/systemd/system/hashrig.service": 0o644,
        "lib/sysusers.d/hashrig.conf": 0o644,
        "lib/udev/rules.d/60-hashrig.rules": 0o644,
        "etc/hashrig/rig.json": 0o644,
        "share/doc/hashrig/hashrig.sample.json": 0o644,
        "share/doc/hashrig/CONFIG.md": 0o644,
        "share/doc/hashrig/METRICS.md": 0o644,
    }
    for rel, mode in expected.items():
        path = f"{root}/{rel}"
        if check(os.path.isfile(path), f"installed {rel}"):
            check(os.stat(path).st_mode & 0o777 == mode, f"{rel} has mode {oct(mode)}")
    binary = f"{root}/bin/hashrig"
    check(run([binary, "--version"]).stdout.startswith("hashrig "), "installed binary runs")
    check_man_page(f"{root}/share/man/man1/hashrig.1.gz", binary)
    text, start = unit_exec_start(f"{root}/lib/systemd/system/hashrig.service")
    check(start == ["/usr/local/bin/hashrig", "run", "--config",
                    "/usr/local/etc/hashrig/rig.json"],
          f"unit's ExecStart names the installed binary and config: {start}")
    for line in ["User=hashrig", "RestartPreventExitStatus=2", "Restart=on-failure",
                 "ExecReload=/bin/kill -HUP $MAINPID", "WantedBy=multi-user.target"]:
        check(line in text.split("\n"), f"unit has '{line}'")
    check(open(f"{root}/etc/hashrig/rig.json").read() ==
          open(f"{source}/docs/hashrig.sample.json").read(), "rig.json is the sample")
    sysusers = open(f"{root}/lib/sysusers.d/hashrig.conf").read()
    for line in ["m hashrig dialout", "m hashrig plugdev"]:
        check(line in sysusers, f"sysusers has '{line}'")
    check(re.search(r"^u hashrig ", sysusers, re.M), "sysusers creates user hashrig")
    rules = open(f"{root}/lib/udev/rules.d/60-hashrig.rules").read()
    for vendor in ["0403", "10c4"]:
        check(f'ATTRS{{idVendor}}=="{vendor}"' in rules and 'GROUP="plugdev"' in rules,
              f"udev gives plugdev the bridges of vendor {vendor}")
    # An operator's configuration survives a second install.
    with open(f"{root}/etc/hashrig/rig.json", "w") as f:
        f.write('{"url": "stratum+tcp://mine.example:3333"}\n')
    run(["cmake", "--install", build, "--prefix", "/usr/local"], env=env)
    check("mine.example" in open(f"{root}/etc/hashrig/rig.json").read(),
          "a second install keeps the operator's rig.json")


def build_deb(build, out):
    done = run(["cpack", "-G", "DEB", "-B", out], cwd=build)
    if not check(done.returncode == 0, "cpack -G DEB succeeds"):
        return None
    debs = [f for f in os.listdir(out) if f.endswith(".deb")]
    return f"{out}/{debs[0]}" if check(len(debs) == 1, "cpack made one .deb") else None


def check_deb_contents(deb, work):
    info = run(["dpkg-deb", "-f", deb]).stdout
    fields = dict(re.findall(r"^([A-Za-z-]+): (.*)$", info, re.M))
    check(fields.get("Package") == "hashrig", "package name hashrig")
    depends = fields.get("Depends", "")
    for lib in ["libusb-1.0-0", "libssl3", "libc6"]:
        check(lib in depends, f"Depends names {lib}: {depends}")
    arch = fields.get("Architecture", "")
    for dep in [d.split()[0] for d in depends.split(", ") if d]:
        # For the package's architecture (a machine may also hold other arches' copies).
        status = run(["dpkg-query", "-W", "-f=${Status}", f"{dep}:{arch}"]).stdout
        check(status == "install ok installed", f"dependency {dep} is installable here")
    control = f"{work}/control"
    run(["dpkg-deb", "-e", deb, control])
    check(open(f"{control}/conffiles").read().split() == ["/etc/hashrig/rig.json"],
          "conffiles: /etc/hashrig/rig.json")
    for script in ["postinst", "prerm", "postrm"]:
        path = f"{control}/{script}"
        if check(os.path.isfile(path), f"maintainer script {script}"):
            check(os.stat(path).st_mode & 0o111, f"{script} is executable")
            check(run(["sh", "-n", path]).returncode == 0, f"{script} is valid sh")
    listing = run(["dpkg-deb", "-c", deb]).stdout
    for path in ["./usr/bin/hashrig", "./usr/share/man/man1/hashrig.1.gz",
                 "./usr/lib/systemd/system/hashrig.service", "./usr/lib/sysusers.d/hashrig.conf",
                 "./usr/lib/udev/rules.d/60-hashrig.rules", "./etc/hashrig/rig.json"]:
        check(re.search(rf" {re.escape(path)}$", listing, re.M), f"package holds {path}")
    for line in listing.split("\n"):
        if line.strip():
            check(" root/root " in line, f"owned by root: {line}")


def dpkg(root, *args, env=None):
    return run(["dpkg", f"--root={root}", "--force-script-chrootless", "--force-not-root",
                "--force-depends", "--log=/dev/null", *args], env=env)


def path_without(work, program):
    """A PATH with every program of this machine's but `program` (as on a system without it)."""
    bin_dir = f"{work}/bin-without-{program}"
    os.makedirs(bin_dir, exist_ok=True)
    for directory in ["/usr/sbin", "/usr/bin", "/sbin", "/bin"]:
        for name in os.listdir(directory) if os.path.isdir(directory) else []:
            link = f"{bin_dir}/{name}"
            if name != program and not os.path.lexists(link):
                os.symlink(f"{directory}/{name}", link)
    return bin_dir


def wait_for(stream, pattern, seconds, seen):
    """Reads lines of `stream` into `seen` until one matches `pattern` (or `seconds`)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        ready, _, _ = select.select([stream], [], [], 0.5)
        if ready:
            line = stream.readline()
            if not line:
                return False
            seen.append(line)
            if re.search(pattern, line):
                return True
    return False


def check_service_command(root):
    """The unit's ExecStart, run in the installed root: starts, reloads, stops."""
    _, start = unit_exec_start(f"{root}/usr/lib/systemd/system/hashrig.service")
    command = [root + a if a.startswith(("/usr/", "/etc/")) else a for a in start]
    # Ports of our own so that parallel tests never collide; everything else as installed.
    command += ["--api-listen", "127.0.0.1:0", "--metrics-listen", "127.0.0.1:0"]
    miner = subprocess.Popen(command, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL,
                             text=True)
    seen = []
    try:
        check(wait_for(miner.stderr, r"cgminer API on port \d+", 30, seen),
              "the service command starts the miner")
        check(wait_for(miner.stderr, r"BM0: down: serial:/dev/ttyUSB0", 30, seen),
              "the sample's board is tried and its absence said")
        miner.send_signal(signal.SIGHUP)  # ExecReload
        check(wait_for(miner.stderr, r"re-read", 30, seen), "SIGHUP re-reads the configuration")
        miner.send_signal(signal.SIGTERM)  # systemctl stop
        check(wait_for(miner.stderr, r"signal 15; .* A:\d+ R:\d+", 15, seen),
              "SIGTERM stops with the summary")
        check(miner.wait(15) == 0, "the miner exits 0 on SIGTERM")
    finally:
        if miner.poll() is None:
            miner.kill()
        print("".join(seen[-20:]), end="")


def check_dpkg_install(deb, root, env=None, service=True):
    os.makedirs(f"{root}/var/lib/dpkg/info")
    os.makedirs(f"{root}/var/lib/dpkg/updates")
    os.makedirs(f"{root}/etc")
    open(f"{root}/var/lib/dpkg/status", "w").close()
    for name in ["passwd", "group", "shadow", "gshadow"]:
        # The base system's accounts (dialout, plugdev among them), as on a fresh install.
        if os.path.exists(f"/etc/{name}"):
            with open(f"/etc/{name}") as src, open(f"{root}/etc/{name}", "w") as dst:
                dst.write("".join(l for l in src if not l.startswith("hashrig:")))
    if not check(dpkg(root, "-i", deb, env=env).returncode == 0, "dpkg -i installs the package"):
        return
    check("Status: install ok installed" in run(["dpkg", f"--root={root}", "-s", "hashrig"]).stdout,
          "dpkg says hashrig is installed")
    check(re.search(r"^hashrig:x:\d+:\d+:", open(f"{root}/etc/passwd").read(), re.M),
          "postinst created the hashrig user")
    groups = open(f"{root}/etc/group").read()
    for group in ["dialout", "plugdev"]:
        check(re.search(rf"^{group}:x:\d+:.*\bhashrig\b", groups, re.M), f"hashrig is in {group}")
    if service:
        check_service_command(root)
    check(dpkg(root, "-r", "hashrig").returncode == 0, "dpkg -r removes the package")
    check(not os.path.exists(f"{root}/usr/bin/hashrig"), "remove takes the binary")
    check(os.path.exists(f"{root}/etc/hashrig/rig.json"), "remove keeps the configuration")
    check(dpkg(root, "-P", "hashrig").returncode == 0, "dpkg -P purges the package")
    check(not os.path.exists(f"{root}/etc/hashrig/rig.json"), "purge takes the configuration")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--build", required=True)
    parser.add_argument("--source", required=True)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="hashrig-package-") as work:
        check_staged_install(args.build, args.source, f"{work}/stage")
        deb = build_deb(args.build, f"{work}/deb")
        if deb:
            check_deb_contents(deb, work)
            check_dpkg_install(deb, f"{work}/root")
            # A control board without systemd: postinst makes the user with useradd.
            no_sysusers = dict(os.environ, PATH=path_without(work, "systemd-sysusers"))
            check_dpkg_install(deb, f"{work}/root-without-systemd", no_sysusers, service=False)
    if failures:
        print(f"{len(failures)} check(s) failed")
        return 1
    print("every packaging check passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
