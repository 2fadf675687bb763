#!/usr/bin/python3
"""The comparison table of make test-srt, from the results of one run.

    table.py RESULTS.tsv "VERSION..." HEADER-LINE...

RESULTS.tsv holds one line per recorded fact: helper (ours or srt), srt
version, context, key, value. Prints Markdown: the header lines, then one
row per fact and context where our apply-seccomp and srt's own helper
differ in any version, rows with the same values in several contexts merged.
"""
import collections
import sys

NAMES = {
    "proof-filters": "Seccomp_filters of the command",
    "proof-pid1": "PID 1 in the command's /proc",
    "caps-inh": "capabilities: inheritable",
    "caps-prm": "capabilities: permitted",
    "caps-eff": "capabilities: effective",
    "caps-bnd": "capabilities: bounding set",
    "caps-amb": "capabilities: ambient",
    "socket-unix": "socket(AF_UNIX)",
    "socket-unix-junk": "socket(AF_UNIX | junk << 32)",
    "socket-inet": "socket(AF_INET)",
    "socketpair-dgram": "socketpair(AF_UNIX, SOCK_DGRAM)",
    "socketpair-stream": "socketpair(AF_UNIX, SOCK_STREAM)",
    "socket-vsock": "socket(AF_VSOCK)",
    "io_uring-setup": "io_uring_setup",
    "io_uring-enter": "io_uring_enter",
    "io_uring-register": "io_uring_register",
    "keyctl": "keyctl (session keyring)",
    "tiocsti": "ioctl(TIOCSTI)",
    "userns": "unshare(CLONE_NEWUSER)",
    "clone-userns": "clone(CLONE_NEWUSER)",
    "mount-missing": "mount(2)",
    "umount-proc": "umount2(/proc)",
    "ptrace-attach-1": "ptrace PID 1 (the helper)",
    "proc1-mem-write": "open /proc/1/mem for writing",
    "kill-1": "signal PID 1 (the helper)",
    "max-userns": "user.max_user_namespaces seen",
    "proc-writable": "kernel files in /proc that open for writing",
    "sysctl-write": "write kernel.core_uses_pid (its own value back)",
    "outer-count": "outer processes listed in /proc",
    "outer-reach": "outer processes reached through /proc",
    "outer-comms": "outer processes' names",
    "write-allowed": "write to allowWrite",
    "write-denied": "write to denyWrite",
    "read-denied": "read a denyRead file",
    "relay": "AF_INET through srt's relay",
    "direct": "AF_INET straight to the host",
    "env-nested": "SRT_ALLOW_NESTED_USERNS in the command",
}
# Kernel files in /proc worth naming when a command can open them for writing.
NOTABLE = ["/proc/sysrq-trigger", "/proc/sys/kernel/core_pattern", "/proc/sys/kernel/modprobe"]
USERS = {"root": "root", "nobody": "uid 65534"}
MODES = {"relays-strict": "", "norelays-strict": "no relays", "relays-weaker": "weaker",
         "relays-strict-allow": "nested userns allowed"}


def context_name(ctx):
    user, mode = ctx.split("-", 1)
    return USERS[user] + (", " + MODES[mode] if MODES[mode] else "")


def compatible(a, b):
    return all(x == y for x, y in zip(a, b) if x is not None and y is not None)


def merged(a, b):
    return [x if x is not None else y for x, y in zip(a, b)]


def contexts_name(ctxs, every):
    """Names a set of contexts, shortest first."""
    unless = ", unless nested userns allowed"
    base = [c for c in every if not c.endswith("-allow")]
    if set(ctxs) == set(every):
        return "every context"
    if set(ctxs) == set(base):
        return "every context" + unless
    for user in USERS:
        if set(ctxs) == {c for c in every if c.startswith(user + "-")}:
            return USERS[user] + ", every mode"
        if set(ctxs) == {c for c in base if c.startswith(user + "-")}:
            return USERS[user] + ", every mode" + unless
    return "; ".join(context_name(c) for c in ctxs)


def cell(key, value):
    if value is None:
        return "n/a"
    if key.startswith("caps-"):
        return value.lstrip("0") or "0"
    if key == "proc-writable" and value != "none":
        files = value.split()
        shown = [f for f in NOTABLE if f in files] or files[:2]
        return "%d files, e.g. %s" % (len(files), " ".join(shown))
    if key == "outer-reach":
        hit = [f for f in value.split() if not f.endswith("=0")]
        return " ".join(hit) or "none"
    return value or "(empty)"


def ours_cell(key, values, versions):
    """Our value, or where it depends on the release, each with its releases."""
    groups = collections.OrderedDict()
    for v, value in zip(versions, values):
        if value is not None:
            groups.setdefault(value, []).append(v)
    if len(groups) == 1:
        return cell(key, next(iter(groups)))
    return "; ".join("%s (%s)" % (cell(key, value), ", ".join(vs)) for value, vs in groups.items())


def main():
    results, versions, header = sys.argv[1], sys.argv[2].split(), sys.argv[3:]
    facts = collections.OrderedDict()
    contexts = []
    for line in open(results):
        helper, version, ctx, key, value = line.rstrip("\n").split("\t")
        ctx = ctx.replace("-deny", "")
        if ctx not in contexts:
            contexts.append(ctx)
        facts.setdefault(key, collections.OrderedDict()).setdefault(ctx, {})[(helper, version)] = value
    print("\n".join(header))
    print()
    print("| what the command tries | where | apply-seccomp | " +
          " | ".join("srt %s's own" % v for v in versions) + " |")
    print("|---|---|---|" + "---|" * len(versions))
    for key, by_ctx in facts.items():
        # Contexts with the same values (n/a matching anything: the nested
        # userns contexts exist in 0.0.80+ only) share a row. A context
        # where the helpers agree joins a row only where that names the row
        # more simply; rows where they agree are left out.
        rows, agreed = [], []
        for ctx, got in by_ctx.items():
            ours = [got.get(("ours", v)) for v in versions]
            srt = [got.get(("srt", v)) for v in versions]
            if compatible(ours, srt):
                agreed.append((ours, srt, ctx))
                continue
            for row in rows:
                if compatible(row[0], ours) and compatible(row[1], srt):
                    row[0], row[1] = merged(row[0], ours), merged(row[1], srt)
                    row[2].append(ctx)
                    break
            else:
                rows.append([ours, srt, [ctx]])
        for row in rows:
            fits = [ctx for ours, srt, ctx in agreed
                    if compatible(row[0], ours) and compatible(row[1], srt)]
            for extra in [fits] + [[ctx] for ctx in fits]:
                joined = [c for c in contexts if c in row[2] or c in extra]
                if len(contexts_name(joined, contexts)) < len(contexts_name(row[2], contexts)):
                    row[2][:] = joined
        for ours, srt, ctxs in rows:
            print("| %s | %s | %s | %s |" % (
                NAMES.get(key, key), contexts_name(ctxs, contexts), ours_cell(key, ours, versions),
                " | ".join(cell(key, s) for s in srt)))

main()
