#!/usr/bin/env python3
# tests/integration/layers.py - the call graph between the object files of
# libmcp, read with nm, checked against the layer rules of
# shared/architecture.md section 1 and the "never" rules of
# architecture-parts.json: calls go down base < schema < core < transport,
# store and auth use only base, and no two .c files call each other in a
# circle. Used by test_layers.sh; prints one line per finding.
#
#   layers.py OBJDIR SRCDIR          check; exit 1 on any cycle or forbidden edge
#   layers.py OBJDIR SRCDIR --count    print "<files in cycles> <cycles (SCCs)> <forbidden edges>"
import os
import subprocess
import sys

# Which layers a layer may call (besides itself).
ALLOWED = {
    "base": set(),
    "schema": {"base"},
    "store": {"base"},
    "auth": {"base"},
    "core": {"base", "schema", "store"},
    "transport": {"base", "schema", "core", "store", "auth"},
}


def layer_of(rel):
    # rel: path under src/, e.g. "core/dispatch.c"
    top = rel.split("/", 1)[0]
    return top if top in ALLOWED else None


def objects(objdir, srcdir):
    # Only objects whose source still exists (a build tree keeps stale ones).
    out = []
    for root, _, files in os.walk(objdir):
        for f in files:
            if f.endswith(".c.o"):
                path = os.path.join(root, f)
                rel = os.path.relpath(path, objdir)[:-2]  # strip ".o"
                if os.path.exists(os.path.join(srcdir, rel)):
                    out.append((rel, path))
    return sorted(out)


def symbols(path):
    res = subprocess.run(["nm", "--format=posix", path], capture_output=True, text=True, check=True)
    defined, undefined = set(), set()
    for line in res.stdout.splitlines():
        parts = line.split()
        if len(parts) < 2:
            continue
        name, kind = parts[0], parts[1]
        if kind == "U":
            undefined.add(name)
        elif kind in "TDBRGSVW" and kind.isupper():
            defined.add(name)
    return defined, undefined


def graph(objdir, srcdir):
    objs = objects(objdir, srcdir)
    if not objs:
        sys.exit("layers: no object files under " + objdir)
    defs, undefs, owner = {}, {}, {}
    for rel, path in objs:
        d, u = symbols(path)
        defs[rel], undefs[rel] = d, u
        for s in d:
            owner[s] = rel
    edges = {rel: {} for rel, _ in objs}
    for rel in edges:
        for s in undefs[rel]:
            o = owner.get(s)
            if o and o != rel:
                edges[rel].setdefault(o, []).append(s)
    return edges


def sccs(edges):
    index, low, stack, on, out, n = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = n[0]
        n[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def forbidden(edges):
    bad = []
    for a, outs in sorted(edges.items()):
        la = layer_of(a)
        for b, syms in sorted(outs.items()):
            lb = layer_of(b)
            if la is None or lb is None or la == lb:
                continue
            if lb not in ALLOWED[la]:
                bad.append((a, la, b, lb, sorted(syms)))
    return bad


def main():
    objdir, srcdir = sys.argv[1], sys.argv[2]
    edges = graph(objdir, srcdir)
    cycles = sccs(edges)
    bad = forbidden(edges)
    if "--count" in sys.argv:
        print(sum(len(c) for c in cycles), len(cycles), len(bad))
        return 0
    for c in cycles:
        detail = []
        for a in c:
            for b in c:
                if b in edges[a]:
                    detail.append("%s->%s (%s)" % (a, b, edges[a][b][0]))
        print("cycle: " + " ".join(c) + " :: " + ", ".join(detail))
    for a, la, b, lb, syms in bad:
        print("forbidden %s->%s: %s -> %s (%s)" % (la, lb, a, b, ", ".join(syms[:3])))
    print("%d files, %d cycles, %d forbidden edges" % (len(edges), len(cycles), len(bad)))
    return 1 if cycles or bad else 0


if __name__ == "__main__":
    sys.exit(main())
