#!/usr/bin/env python3
"""Checks that sandbox/ keeps the shape docs/architecture.md describes.

The stages of the flow are folders with a rank; code may only reach down:

  1. includes: a file may include headers of its own stage or of a lower
     one, never of a higher one or of another stage of the same rank;
  2. calls: in the built objects (nm), an object may use symbols defined
     by objects of its own stage or of a lower one, and no set of objects
     calls each other in a cycle (a.c -> b.c -> a.c), even within a stage;
  3. names: every source X.c has its header X.h beside it (main.c and the
     generated embedded_profiles.c aside), and a header without a source
     declares no functions (types, constants and static inline only).

Usage: check-layout.py SOURCE_DIR BUILD_DIR
Exits 0 when all holds, 1 with one line per violation otherwise.
"""
import os
import re
import subprocess
import sys

# Lower first. Stages of the same rank may not use each other.
RANKS = {
    "base": 0,
    "profile": 1,
    "findings": 2,
    "rules": 3,
    "supervise": 4,
    "launch": 5,
    "learn": 6,
    "review": 6,
    "convert": 6,
    "": 7,  # sandbox/main.c and cli.c: the top
}

# What a pure stage may use of the C library (and the sanitizers' hooks).
PURE_STAGES = {"rules"}
PURE_LIBC = {
    "calloc", "free", "malloc", "realloc", "memchr", "memcmp", "memcpy", "memmove", "memset",
    "snprintf", "vsnprintf", "strchr", "strcmp", "strlen", "strnlen", "strncmp", "strrchr", "strstr",
    "inet_ntop", "qsort", "bsearch", "__stack_chk_fail", "__ctype_b_loc",
    "htonl", "htons", "ntohl", "ntohs",  # functions, not macros, at -O0
    "asprintf", "vasprintf", "strdup", "strndup", "strerror", "strncpy", "strspn", "strcspn",
}

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
# A prototype at file scope: "type name(" at the start of a line, not static.
PROTOTYPE = re.compile(r"^(?!static)[A-Za-z_][\w \t\*]*\b(lp_\w+)\s*\(", re.M)


def stage_of(rel):
    """'profile/keys.c' -> 'profile'; 'main.c' -> ''."""
    return rel.split("/")[0] if "/" in rel else ""


def allowed(user, used):
    su, sd = stage_of(user), stage_of(used)
    if su == sd:
        return True
    return RANKS[sd] < RANKS[su]


def sources(sandbox):
    for root, _, files in os.walk(sandbox):
        for f in sorted(files):
            if f.endswith((".c", ".h")):
                path = os.path.join(root, f)
                yield os.path.relpath(path, sandbox), path


def check_includes(sandbox, errors):
    for rel, path in sources(sandbox):
        if stage_of(rel) not in RANKS:
            errors.append(f"{rel}: stage folder '{stage_of(rel)}' has no rank in tools/check-layout.py")
            continue
        text = open(path, encoding="utf-8").read()
        for inc in INCLUDE.findall(text):
            target = os.path.join(sandbox, inc)
            if not os.path.exists(target):
                errors.append(f"{rel}: #include \"{inc}\" is not rooted at sandbox/ (write \"stage/file.h\")")
                continue
            if not allowed(rel, inc):
                errors.append(f"{rel}: includes {inc}, a higher stage or a sibling of the same rank")


def check_names(sandbox, errors):
    for rel, path in sources(sandbox):
        base, ext = os.path.splitext(path)
        if ext == ".c" and rel != "main.c" and not os.path.exists(base + ".h"):
            errors.append(f"{rel}: no header {os.path.relpath(base + '.h', sandbox)} beside it")
        if ext == ".h" and not os.path.exists(base + ".c"):
            text = re.sub(r"/\*.*?\*/", "", open(path, encoding="utf-8").read(), flags=re.S)
            text = re.sub(r"static inline[^{]*\{.*?\n\}", "", text, flags=re.S)
            for name in PROTOTYPE.findall(text):
                errors.append(f"{rel}: declares {name}() but has no {os.path.basename(base)}.c beside it")


def symbols(obj):
    out = subprocess.run(["nm", "--defined-only", "-g", obj], capture_output=True, text=True,
                         check=True).stdout
    defined = {l.split()[-1] for l in out.splitlines() if l.strip()}
    out = subprocess.run(["nm", "-u", obj], capture_output=True, text=True, check=True).stdout
    used = {l.split()[-1] for l in out.splitlines() if l.strip()}
    return defined, used


def objects(build):
    core = os.path.join(build, "CMakeFiles", "lpcore.dir")
    main = os.path.join(build, "CMakeFiles", "leastpriv.dir")
    for top in (core, main):
        for root, _, files in os.walk(top):
            for f in files:
                if f.endswith(".c.o"):
                    path = os.path.join(root, f)
                    rel = os.path.relpath(path, top)
                    # sandbox/profile/keys.c.o -> profile/keys.c
                    rel = rel[:-2]
                    if rel.startswith("sandbox/"):
                        rel = rel[len("sandbox/"):]
                    elif rel == "embedded_profiles.c":
                        rel = "profile/embedded_profiles.c"
                    else:
                        continue
                    yield rel, path


def cycles(graph):
    """Strongly connected components of more than one object (Tarjan)."""
    index, low, on, stack, found, counter = {}, {}, set(), [], [], [0]

    def visit(n):
        index[n] = low[n] = counter[0]
        counter[0] += 1
        stack.append(n)
        on.add(n)
        for m in sorted(graph.get(n, ())):
            if m not in index:
                visit(m)
                low[n] = min(low[n], low[m])
            elif m in on:
                low[n] = min(low[n], index[m])
        if low[n] == index[n]:
            comp = []
            while True:
                m = stack.pop()
                on.discard(m)
                comp.append(m)
                if m == n:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    for n in sorted(graph):
        if n not in index:
            visit(n)
    return found


def check_calls(sandbox, build, errors):
    # Objects of sources that no longer exist (a renamed file in an old
    # build tree) are not part of the program.
    objs = {rel: path for rel, path in objects(build)
            if os.path.exists(os.path.join(sandbox, rel)) or rel.endswith("embedded_profiles.c")}
    if not objs:
        errors.append(f"{build}: no objects of lpcore found; build first")
        return
    owner, uses = {}, {}
    for rel, path in objs.items():
        defined, used = symbols(path)
        for s in defined:
            owner[s] = rel
        uses[rel] = used
    graph = {}
    for rel, used in uses.items():
        for s in used:
            if stage_of(rel) in PURE_STAGES and s not in owner and s not in PURE_LIBC and \
                    not s.startswith(("__asan", "__ubsan", "__sanitizer", "__tsan")):
                errors.append(f"{rel}: uses {s}, but rules/ is pure (no system calls, files or clocks)")
            o = owner.get(s)
            if not o or o == rel:
                continue
            graph.setdefault(rel, set()).add(o)
            if not allowed(rel, o):
                errors.append(f"{rel}: uses {s} of {o}, a higher stage or a sibling of the same rank")
    for comp in cycles(graph):
        errors.append("objects that use each other in a cycle: " + ", ".join(comp))


def main():
    if len(sys.argv) != 3:
        print(__doc__.strip().splitlines()[-2], file=sys.stderr)
        return 2
    sandbox = os.path.join(sys.argv[1], "sandbox")
    errors = []
    check_includes(sandbox, errors)
    check_names(sandbox, errors)
    check_calls(sandbox, sys.argv[2], errors)
    for e in errors:
        print(e)
    if errors:
        print(f"check-layout: {len(errors)} violation(s); see docs/architecture.md, \"Layout\"")
        return 1
    print("check-layout: the include and call graphs point one way, no cycles")
    return 0


if __name__ == "__main__":
    sys.exit(main())
