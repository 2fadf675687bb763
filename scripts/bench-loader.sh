#!/bin/bash
# Loader benchmark (`make bench-loader`; run as root). In ONE interleaved run
# (build/tests/loader-bench, round-robin, every command once per round), as
# root and as uid 65534, the start-up-to-exit time of:
#   /bin/true; apply-seccomp /bin/true (glibc and musl builds, the COMMAND
#   form: the built-in filter, every protection on); srt 0.0.83's own helper
#   /bin/true; unshare --user --pid --mount --fork --mount-proc /bin/true;
#   bwrap with the arguments srt 0.0.83 gives it (less the network proxy's)
#   around /bin/true, around apply-seccomp /bin/true and around srt's helper.
# Each loader's overhead over /bin/true (and each bwrap payload's over bwrap
# alone) is taken round by round and divided by srt's helper's; issue 12's
# goal is <= 0.75 for the glibc build, as root and as uid 65534. Then the
# peak RSS of each loader process, the stripped sizes and the syscall counts.
# A benchmark, not a test: it fails only on a broken setup, never on figures.
#
# Environment: LOADER (glibc build), MUSL_LOADER (musl build), BENCH (the
# harness), RUNS and WARMUP (rounds), SRT_VERSION (0.0.83).
set -euo pipefail
cd "$(dirname "$0")/.."
LOADER=${LOADER:-build/apply-seccomp}
MUSL_LOADER=${MUSL_LOADER:-build/musl/apply-seccomp}
BENCH=${BENCH:-build/tests/loader-bench}
RUNS=${RUNS:-400}
WARMUP=${WARMUP:-20}
SRT_VERSION=${SRT_VERSION:-0.0.83}
NOBODY=65534

broken() { echo "bench-loader: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || broken "run as root (it also runs everything as uid $NOBODY)"
for tool in bwrap unshare setpriv strace file; do
	command -v "$tool" > /dev/null || broken "$tool not found (scripts/install-test-deps.sh installs it)"
done
for f in "$LOADER" "$MUSL_LOADER" "$BENCH"; do
	[ -x "$f" ] || broken "$f missing (make bench-loader builds it)"
done
case $(uname -m) in
x86_64) SRT_ARCH=x64 ;;
aarch64) SRT_ARCH=arm64 ;;
*) broken "srt ships no helper for $(uname -m)" ;;
esac
PKG=$(scripts/fetch-srt.sh "$SRT_VERSION") || broken "cannot fetch srt $SRT_VERSION"
SRT_HELPER=$PKG/vendor/seccomp/$SRT_ARCH/apply-seccomp
[ -x "$SRT_HELPER" ] || broken "srt $SRT_VERSION has no $SRT_HELPER"

# uid 65534 cannot enter /root or (perhaps) the tree: stage what it runs.
T=$(mktemp -d /tmp/bench-loader.XXXXXX)
trap 'rm -rf "$T"' EXIT
chmod 755 "$T"
install -m 755 "$LOADER" "$T/apply-seccomp"
install -m 755 "$MUSL_LOADER" "$T/apply-seccomp-musl"
install -m 755 "$SRT_HELPER" "$T/srt-helper"
AS_NOBODY=(setpriv --reuid "$NOBODY" --regid "$NOBODY" --clear-groups)

# Every loader must work here, as root and as uid 65534, before any figure.
for l in apply-seccomp apply-seccomp-musl srt-helper; do
	"$T/$l" /bin/true || broken "$l /bin/true fails as root"
	"${AS_NOBODY[@]}" "$T/$l" /bin/true || broken "$l /bin/true fails as uid $NOBODY"
done

# bwrap as srt 0.0.83 runs it (dist/sandbox/linux-sandbox-utils.js, and its
# SRT_DEBUG log) for `srt -c CMD` with no allowed domain, less the proxy's
# socket binds and environment: --unshare-net stays, the home directory's
# write binds (~/.npm/_logs) go. A uid-0 caller holding CAP_SETFCAP also
# gets --cap-add CAP_SETFCAP (the helper maps uid 0 in its own user
# namespace); bwrap alone keeps the same arguments, so that the difference
# is the helper's. srt hands the helper `SHELL -c CMD`; here it gets
# /bin/true, as without bwrap.
bwrap_args() { # UID
	local a=(--new-session --die-with-parent --unshare-net
		--setenv SANDBOX_RUNTIME 1 --setenv TMPDIR /tmp/claude --ro-bind / /)
	[ ! -d /etc/ssh/ssh_config.d ] || a+=(--tmpfs /etc/ssh/ssh_config.d)
	a+=(--dev /dev --unshare-pid --unshare-user --cap-drop ALL)
	[ "$1" != 0 ] || a+=(--cap-add CAP_SETFCAP)
	a+=(--proc /proc --unsetenv SRT_ALLOW_NESTED_USERNS --setenv SRT_ALLOW_NESTED_USERNS 0 --)
	printf '%s\n' "${a[@]}"
}

# The commands of one identity; $1 is the number of the first, so that -b
# and -r name commands of the same identity.
specs() { # UID FIRST
	local uid=$1 n=$2 u=() b
	[ "$uid" = 0 ] || u=(-u "$uid")
	mapfile -t b < <(bwrap_args "$uid")
	spec+=("${u[@]}" "/bin/true" /bin/true ::
		"${u[@]}" -b "$n" -r $((n + 3)) "apply-seccomp (glibc) /bin/true" "$T/apply-seccomp" /bin/true ::
		"${u[@]}" -b "$n" -r $((n + 3)) "apply-seccomp (musl) /bin/true" "$T/apply-seccomp-musl" /bin/true ::
		"${u[@]}" -b "$n" "srt $SRT_VERSION helper /bin/true" "$T/srt-helper" /bin/true ::
		"${u[@]}" -b "$n" -r $((n + 3)) "unshare -U -p -m --fork --mount-proc /bin/true"
			/usr/bin/unshare --user --pid --mount --fork --mount-proc /bin/true ::
		"${u[@]}" -n -b "$n" "bwrap (srt's arguments) /bin/true" /usr/bin/bwrap "${b[@]}" /bin/true ::
		"${u[@]}" -n -b $((n + 5)) -r $((n + 8)) "bwrap + apply-seccomp (glibc)"
			/usr/bin/bwrap "${b[@]}" "$T/apply-seccomp" /bin/true ::
		"${u[@]}" -n -b $((n + 5)) -r $((n + 8)) "bwrap + apply-seccomp (musl)"
			/usr/bin/bwrap "${b[@]}" "$T/apply-seccomp-musl" /bin/true ::
		"${u[@]}" -n -b $((n + 5)) "bwrap + srt helper" /usr/bin/bwrap "${b[@]}" "$T/srt-helper" /bin/true)
}

echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(nproc) CPUs," \
	"kernel $(uname -r), $(uname -m)"
echo "loaders: apply-seccomp $(cat VERSION) (glibc $(ldd --version 2>&1 | head -n1 | awk '{print $NF}')," \
	"and musl), srt $SRT_VERSION's vendor/seccomp/$SRT_ARCH/apply-seccomp"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo

spec=()
specs 0 1
spec+=(::)
specs "$NOBODY" 10
echo "== one interleaved run: $RUNS rounds after $WARMUP of warm-up; commands 1-9 as root," \
	"10-18 as uid $NOBODY"
echo "   over(base): median of (time - time of command base) round by round; overhead/ref: that over"
echo "   the reference's own (loaders: srt's helper; bwrap payloads: bwrap + srt's helper); cpu: user+system"
"$BENCH" "$RUNS" "$WARMUP" "${spec[@]}" | tee "$T/table"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo

# Issue 12's goal, read off the table: commands 2 (root) and 11 (uid 65534);
# the first bracketed interval follows the wall-clock ratio, the third the
# CPU-time one.
goal() { # ROW WHO
	awk -v row="$1" -v who="$2" '$1 == row {
		n = 0
		for (i = 1; i <= NF; i++) if ($i ~ /^\[/) r[++n] = $(i - 1)
		printf "goal: apply-seccomp (glibc) overhead / srt helper overhead, %s: %s wall, %s cpu" \
			" (goal <= 0.75: %s)\n", who, r[1], r[3], (r[1] + 0 <= 0.75 ? "met" : "not met") }' "$T/table"
}
goal 2 root
goal 11 "uid $NOBODY"
echo

# Peak RSS of each loader process: VmHWM of the outer process (the stub) and
# of PID 1, read once COMMAND (a shell waiting on a pipe) runs. From then on
# both only wait for signals and children and map nothing new, so this is
# their peak over their whole life. (wait4's ru_maxrss would also count, for
# the stub, the pages of the harness that spawned it, and for PID 1 those of
# COMMAND.)
echo "== peak RSS (VmHWM, kB) of the loader's processes"
printf '%-22s %-10s %8s %8s\n' loader user stub "PID 1"
for l in apply-seccomp apply-seccomp-musl srt-helper; do
	for who in root "$NOBODY"; do
		w=()
		[ "$who" = root ] || w=("${AS_NOBODY[@]}")
		coproc RUN { exec "${w[@]}" "$T/$l" /bin/sh -c 'echo ready; read -r x'; }
		exec {out}<&"${RUN[0]}" {in}>&"${RUN[1]}"
		read -r -u "$out" _ || broken "$l as $who: COMMAND did not start"
		stub=$RUN_PID
		pid1=$(cut -d' ' -f1 "/proc/$stub/task/$stub/children")
		printf '%-22s %-10s %8s %8s\n' "$l" "$who" \
			"$(awk '/^VmHWM/ {print $2}' "/proc/$stub/status")" \
			"$(awk '/^VmHWM/ {print $2}' "/proc/$pid1/status")"
		echo >&"$in"
		wait "$stub" || broken "$l as $who: exit status $?"
		exec {out}<&- {in}>&-
	done
done
echo

echo "== size (stripped, static)"
for l in apply-seccomp apply-seccomp-musl srt-helper; do
	printf '%-22s %8d bytes  %s\n' "$l" "$(stat -c %s "$T/$l")" "$(file -b "$T/$l" | cut -d, -f1-2)"
done
echo

# System calls the loader's own processes make (strace -f): from the exec of
# the loader (setpriv's before it left out) to the exec of /bin/true, whose
# own calls are left out too. An interrupted call counts once.
echo "== system calls of one run of LOADER /bin/true, the loader's processes only (strace -f)"
for l in apply-seccomp apply-seccomp-musl srt-helper; do
	for who in root "$NOBODY"; do
		w=()
		[ "$who" = root ] || w=("${AS_NOBODY[@]}")
		strace -f -qq -o "$T/strace" "${w[@]}" "$T/$l" /bin/true || broken "$l under strace as $who"
		awk -v exe="execve(\"$T/$l\"" -v l="$l" -v who="$who" '
			index($0, exe) { on = 1; next }
			/ execve\("\/bin\/true"/ { cmd = $1; next }
			!on || $1 == cmd || /resumed>/ || / \+\+\+ / || / --- / { next }
			{ n++; split($2, a, "("); c[a[1]]++ }
			END { printf "%-20s %-6s %4d calls; the most frequent:", l, who, n
				for (m = 0; m < 6; m++) {
					best = ""
					for (k in c) if (best == "" || c[k] > c[best]) best = k
					if (best == "" || c[best] < 2) break
					printf " %s %d", best, c[best]; delete c[best]
				}
				print "" }' "$T/strace"
	done
done
