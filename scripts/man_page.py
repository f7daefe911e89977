#!/usr/bin/env python3
"""Writes hashrig(1), gzipped, from the built binary's own help texts.

usage: man_page.py --binary PATH [--emulator CMD] --out hashrig.1.gz

The page is `hashrig --help` followed by every command's `--help`, verbatim (preformatted),
plus the sections an operator looks for (files, environment, exit status). Made at build
time by packaging/CMakeLists.txt so the page never says other than the program does.
The output is byte-for-byte reproducible (no date, gzip mtime 0).
"""
import argparse
import gzip
import shlex
import subprocess
import sys


def run(command, args):
    done = subprocess.run(command + args, capture_output=True, text=True, timeout=60)
    if done.returncode != 0:
        sys.exit(f"man_page.py: {' '.join(command + args)} exited {done.returncode}: "
                 f"{done.stderr.strip()}")
    return done.stdout


def escape(line):
    """One line of help text as roff: backslashes escaped, no line read as a request."""
    line = line.replace("\\", "\\e")
    if line.startswith((".", "'")):
        line = "\\&" + line
    return line


def verbatim(text):
    lines = [".nf"] + [escape(l) for l in text.rstrip("\n").split("\n")] + [".fi"]
    return "\n".join(lines) + "\n"


def commands_of(top_help):
    """The command names listed under 'commands:' in `hashrig --help`."""
    names, inside = [], False
    for line in top_help.split("\n"):
        if line.startswith("commands:"):
            inside = True
        elif inside and line.startswith("  ") and line.strip():
            names.append(line.split()[0])
        elif inside and not line.strip():
            break
    return names


def page(command):
    top = run(command, ["--help"])
    version = run(command, ["--version"]).strip()
    names = commands_of(top)
    if not names:
        sys.exit("man_page.py: no commands found in 'hashrig --help'")
    out = [f'.TH HASHRIG 1 "" "{version}" "User Commands"',
           ".SH NAME",
           "hashrig \\- native Bitcoin ASIC miner for BM13xx hashboards",
           ".SH SYNOPSIS",
           ".B hashrig",
           ".I COMMAND",
           ".RI [ OPTIONS ]",
           ".SH DESCRIPTION",
           verbatim(top).rstrip("\n"),
           ".SH COMMANDS"]
    for name in names:
        out.append(f'.SS "hashrig {name}"')
        out.append(verbatim(run(command, [name, "--help"])).rstrip("\n"))
    out += [".SH FILES",
            ".TP", ".I /etc/hashrig/rig.json",
            "The configuration hashrig.service runs with (JSON, the long options as keys;"
            " see CONFIG.md in /usr/share/doc/hashrig).",
            ".TP", ".I /usr/lib/systemd/system/hashrig.service",
            "The service: restarted on failure, not on a configuration error (exit 2);"
            " reload (SIGHUP) re-reads the configuration.",
            ".TP", ".I /usr/lib/sysusers.d/hashrig.conf",
            "The hashrig system user, in groups dialout and plugdev.",
            ".TP", ".I /usr/lib/udev/rules.d/60-hashrig.rules",
            "Group plugdev may open the USB-UART bridges hashrig drives through libusb.",
            ".SH ENVIRONMENT",
            ".TP", ".B HASHRIG_SHA256_BACKEND",
            "Forces a SHA-256 backend (as --backend does); see hashrig bench --list.",
            ".SH EXIT STATUS",
            "0 when the command did its work (a miner stopped by SIGINT or SIGTERM included);"
            " 1 when it failed at run time; 2 for a bad option or configuration, before"
            " anything started.",
            ".SH SIGNALS",
            "SIGHUP re-reads the configuration given with --config (pools, log level)"
            " without a pause in mining. SIGINT and SIGTERM stop: nothing more is"
            " submitted, the answers to the shares already sent are awaited (at most 2 s;"
            " a second signal ends the wait), then the summary is logged.",
            ".SH SEE ALSO",
            "systemctl(1), journalctl(1), systemd-sysusers(8)"]
    return "\n".join(out) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--binary", required=True)
    parser.add_argument("--emulator", default="")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    command = shlex.split(args.emulator.replace(";", " ")) + [args.binary]
    text = page(command).encode()
    with open(args.out, "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=9,
                           mtime=0) as out:
            out.write(text)


if __name__ == "__main__":
    main()
