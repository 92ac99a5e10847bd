#!/usr/bin/env python3
"""No two files of libixy call each other in a loop (issue 15), directly or through others.

Reads the symbol tables of libixy.a (nm): each member's defined and undefined global symbols
give the file-to-file call graph; any cycle in it fails the test, naming the files and the
functions that close it. Usage: test_file_loops.py LIBIXY.A"""
import subprocess
import sys


def graph(lib):
    out = subprocess.run(["nm", "-A", lib], capture_output=True, text=True, check=True).stdout
    defs, uses = {}, {}
    for line in out.splitlines():
        # "LIB:MEMBER.o:ADDR T name" or "LIB:MEMBER.o:          U name"
        where, _, rest = line.partition(".o:")
        member = where.split(":")[-1]
        f = rest.split()
        if len(f) == 3 and f[1] in "TDBRC":
            defs[f[2]] = member
        elif len(f) == 2 and f[0] == "U":
            uses.setdefault(member, set()).add(f[1])
    edges = {}
    for member, syms in uses.items():
        for s in syms:
            target = defs.get(s)
            if target and target != member:
                edges.setdefault(member, {}).setdefault(target, []).append(s)
    return defs, edges


def find_cycle(edges):
    state, stack = {}, []

    def visit(v):
        state[v] = 1
        stack.append(v)
        for w in sorted(edges.get(v, {})):
            if state.get(w) == 1:
                return stack[stack.index(w):] + [w]
            if not state.get(w):
                c = visit(w)
                if c:
                    return c
        stack.pop()
        state[v] = 2
        return None

    for v in sorted(edges):
        if not state.get(v):
            c = visit(v)
            if c:
                return c
    return None


def main():
    defs, edges = graph(sys.argv[1])
    if len(set(defs.values())) < 20:
        print(f"FAIL: {sys.argv[1]} defines symbols in only {len(set(defs.values()))} files: not libixy.a?")
        return 1
    cycle = find_cycle(edges)
    if cycle:
        steps = [f"{a} -> {b} ({', '.join(sorted(edges[a][b]))})" for a, b in zip(cycle, cycle[1:])]
        print("FAIL: files that call each other in a loop:\n  " + "\n  ".join(steps))
        print("Move the shared piece below both (a header the files share, or a file of its own).")
        return 1
    print(f"ok: {len(set(defs.values()))} files of libixy.a, no call loop between files")
    return 0


if __name__ == "__main__":
    sys.exit(main())
