#!/usr/bin/env python3
"""Function sizes of C++ sources: lines from a function's opening brace to its closing one.

Usage: scripts/function_sizes.py DIR... [--max N] [--p99 N]
Prints the count, median, p90, p99 and max of function body lengths (in lines, braces
included) and the longest functions; exits 1 when --max or --p99 is exceeded. A function
is a `{` that closes a line looking like a definition (a `)` before it, optionally followed
by const/override/noexcept/-> type/initializer list), at namespace or class scope; lambdas
and control statements are part of the function they are in.
"""
import re
import sys
from pathlib import Path

CONTROL = re.compile(r'^\s*(if|else|for|while|switch|do|try|catch|return)\b')
HEAD = re.compile(r'\)\s*(const|override|final|noexcept|mutable|\s|->\s*[\w:<>,\s*&]+)*\s*\{\s*$')


def strip(line):
    line = re.sub(r'"(\\.|[^"\\])*"', '""', line)
    line = re.sub(r"'(\\.|[^'\\])*'", "''", line)
    return line.split('//')[0]


def functions(path):
    text = path.read_text(errors='replace').splitlines()
    depth = 0
    stack = []  # (depth at open, start line, name, is_function)
    out = []
    in_comment = False
    for number, raw in enumerate(text, 1):
        line = raw
        if in_comment:
            if '*/' not in line:
                continue
            line = line.split('*/', 1)[1]
            in_comment = False
        if '/*' in line and '*/' not in line.split('/*', 1)[1]:
            in_comment = True
            line = line.split('/*', 1)[0]
        line = strip(line)
        inside_function = any(f for _, _, _, f in stack)
        for i, ch in enumerate(line):
            if ch == '{':
                head = line[: i + 1]
                is_function = (not inside_function and HEAD.search(head) is not None
                               and not CONTROL.match(head) and '=' not in head.split('(')[0])
                # a definition whose signature started on an earlier line
                if not inside_function and not is_function and line[:i].strip() == '' and number > 1:
                    prev = strip(text[number - 2])
                    is_function = prev.rstrip().endswith(')') or re.search(r'\)\s*(const|override|noexcept)', prev) is not None
                    is_function = is_function and not CONTROL.match(prev)
                stack.append((depth, number, head.strip()[:60], is_function))
                inside_function = inside_function or is_function
                depth += 1
            elif ch == '}':
                depth -= 1
                if stack:
                    _, start, name, is_function = stack.pop()
                    if is_function:
                        out.append((number - start + 1, f'{path}:{start}', name))
                inside_function = any(f for _, _, _, f in stack)
    return out


def main():
    args = sys.argv[1:]
    limit_max = limit_p99 = None
    dirs = []
    while args:
        a = args.pop(0)
        if a == '--max':
            limit_max = int(args.pop(0))
        elif a == '--p99':
            limit_p99 = int(args.pop(0))
        else:
            dirs.append(Path(a))
    found = []
    for d in dirs:
        for p in sorted(list(d.rglob('*.cc')) + list(d.rglob('*.h'))):
            found += functions(p)
    sizes = sorted(n for n, _, _ in found)
    if not sizes:
        print('no functions')
        return 0
    pick = lambda q: sizes[min(len(sizes) - 1, int(q * len(sizes)))]
    print(f'{len(sizes)} functions: median {pick(0.5)}, p90 {pick(0.9)}, p99 {pick(0.99)}, '
          f'max {sizes[-1]} lines')
    for n, where, name in sorted(found, reverse=True)[:8]:
        print(f'  {n:4d}  {where}  {name}')
    failed = (limit_max is not None and sizes[-1] > limit_max) or \
             (limit_p99 is not None and pick(0.99) > limit_p99)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
