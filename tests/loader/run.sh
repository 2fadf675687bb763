#!/bin/bash
# The loader's test suite (`make test-loader`; run as root). It runs the
# behaviour checks of cases.sh in six contexts: as root and as uid 65534, each
# directly, inside bwrap, and inside bwrap --unshare-user --cap-add
# CAP_SYS_ADMIN; then the checks that need root to set up: bad input, an
# execute-only binary, user namespaces made unavailable, a forced fallback,
# and fault injection into every setup step (as root and as uid 65534).
#
# Environment (the Makefile sets them): LOADER, PROBE, INJECT, GEN, FILTER (a blob
# for this machine), FOREIGN (a valid blob for another architecture),
# LOADER_LIBC (glibc or musl), FAULT_LOADER (the loader that fault injection
# runs: it counts every syscall, so a sanitized, dynamic LOADER will not do).
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
SUITE=loader
ARCH=$(uname -m)
case $ARCH in x86_64) OTHER=aarch64 ;; *) OTHER=x86_64 ;; esac
LOADER=${LOADER:-build/apply-seccomp}
FAULT_LOADER=${FAULT_LOADER:-$LOADER}
PROBE=${PROBE:-build/tests/probe}
INJECT=${INJECT:-build/tests/inject}
GEN=${GEN:-build/seccomp-gen}
FILTER=${FILTER:-filters/$ARCH/unix-block.bpf}
FOREIGN=${FOREIGN:-filters/$OTHER/unix-block.bpf}
NOBODY=(setpriv --reuid 65534 --regid 65534 --clear-groups)
ZERO=0000000000000000

prerequisites test-loader "$LOADER" "$FAULT_LOADER" "$PROBE" "$INJECT" "$GEN" "$FILTER" "$FOREIGN" -- \
	bwrap setpriv unshare timeout /usr/bin/python3 /usr/bin/node

# Everything uid 65534 and the sandboxes need, in a world-readable place.
BIN=$TMPDIR_T/bin
mkdir -p "$BIN"
cp "$LOADER" "$BIN/apply-seccomp"
cp "$FAULT_LOADER" "$BIN/fault-apply-seccomp"
cp "$PROBE" "$BIN/probe"
cp "$INJECT" "$BIN/inject"
cp "$FILTER" "$BIN/filter.bpf"
cp "$FOREIGN" "$BIN/foreign.bpf"
cp tests/lib.sh tests/loader/cases.sh tests/loader/terminal.py "$BIN/"
chmod 755 "$BIN" "$BIN/apply-seccomp" "$BIN/fault-apply-seccomp" "$BIN/probe" "$BIN/inject"
chmod 644 "$BIN/filter.bpf" "$BIN/foreign.bpf" "$BIN/lib.sh" "$BIN/cases.sh" "$BIN/terminal.py"
L=$BIN/apply-seccomp
F=$BIN/filter.bpf
P=$BIN/probe
I=$BIN/inject
SCRATCH=$TMPDIR_T/scratch
mkdir -p "$SCRATCH"
chmod 777 "$SCRATCH"
MARKER=$SCRATCH/marker

# --- the seven contexts ------------------------------------------------------------
LANDLOCK=$("$P" landlock-abi)
LL="Landlock ABI $LANDLOCK"
[ "$LANDLOCK" != 0 ] || LL="no Landlock"
# run_context NAME WANT_CHECK WANT_BND WANT_SECBITS NESTED STALE WRAPPER...
run_context() {
	local name=$1 check=$2 bnd=$3 secbits=$4 nested=$5 stale=$6 output status tally
	shift 6
	output=$("$@" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 \
		BIN="$BIN" CTX="$name" WANT_CHECK="$check" WANT_BND="$bnd" WANT_SECBITS="$secbits" \
		NESTED="$nested" STALE="$stale" LANDLOCK="$LANDLOCK" /bin/bash "$BIN/cases.sh" 2>&1) &&
		status=0 || status=$?
	[ -z "$output" ] || printf '%s\n' "$output" | grep -v '^loader\[.*passed, .* failed$' |
		sed "s/^  FAIL /  FAIL [$name] /"
	tally=$(printf '%s\n' "$output" | sed -n 's/^loader\[.*\]: \([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p')
	if [ -z "$tally" ]; then
		fail "context $name: cases.sh did not finish (status $status)"
		return
	fi
	n_pass=$((n_pass + ${tally% *}))
	n_fail=$((n_fail + ${tally#* }))
	[ "$status" = 0 ] || [ "${tally#* }" != 0 ] || fail "context $name: status $status"
}
BWRAP=(bwrap --ro-bind / / --dev /dev --proc /proc --unshare-pid --tmpfs /tmp --ro-bind "$BIN" "$BIN")
CAPADD=(--unshare-user --cap-add CAP_SYS_ADMIN)
# How srt 0.0.77+ runs its helper for uid 0: no CAP_SYS_ADMIN, CAP_SETFCAP to
# map uid 0, and bwrap's /proc, over which no fresh one can be mounted.
SRTROOT=(--unshare-user --cap-drop ALL --cap-add CAP_SETFCAP)
BUILTIN="built-in filter for $ARCH"
DIRECT="direct (CAP_SYS_ADMIN held), fresh /proc read-only, $LL, $BUILTIN"
NESTED="nested user namespace, fresh /proc read-only, $LL, $BUILTIN"
STALEP="nested user namespace, old /proc read-only, outer processes out of reach, $LL, $BUILTIN"
# Without CAP_SETPCAP the bounding set cannot be emptied: bwrap as uid 65534
# keeps exactly CAP_SYS_ADMIN (bit 21) there.
run_context root "$DIRECT" $ZERO ef 0 0
run_context nobody "$NESTED" $ZERO ef 1 0 "${NOBODY[@]}"
run_context bwrap-root "$DIRECT" $ZERO ef 0 0 "${BWRAP[@]}"
run_context bwrap-nobody "$NESTED" $ZERO ef 1 0 "${NOBODY[@]}" "${BWRAP[@]}"
run_context bwrap-userns-root "$DIRECT" $ZERO ef 0 0 "${BWRAP[@]}" "${CAPADD[@]}"
run_context bwrap-userns-nobody "$DIRECT" 0000000000200000 0 0 0 "${NOBODY[@]}" "${BWRAP[@]}" "${CAPADD[@]}"
if [ "$LANDLOCK" != 0 ]; then
	run_context bwrap-srt-root "$STALEP" $ZERO ef 1 1 "${BWRAP[@]}" "${SRTROOT[@]}"
else
	fail "context bwrap-srt-root: this kernel has no Landlock, which that context needs"
fi

# --- controls: the checks can tell a working call from a refused one -----------------
expect_eq "control: socket(AF_UNIX) works without the loader" ok "$("$P" socket-unix)"
expect_eq "control: socketpair(AF_UNIX, SOCK_DGRAM) works without the loader" ok "$("$P" socketpair-dgram)"
expect_eq "control: io_uring_setup is not refused without the loader" EFAULT "$("$P" io_uring-setup)"
expect_match "control: io_uring_enter is not refused without the loader" '^(EBADF|EINVAL)$' "$("$P" io_uring-enter)"
expect_match "control: io_uring_register is not refused without the loader" '^(EBADF|EINVAL)$' "$("$P" io_uring-register)"
expect_eq "control: capabilities without the loader" \
	"inh=$ZERO prm=$(awk '/^CapPrm/ {print $2}' /proc/self/status)" "$("$P" caps | cut -d' ' -f1-2)"
# In a plain PID namespace, root can reach its PID 1 (sh here).
out=$(unshare --pid --fork --mount-proc /bin/sh -c \
	"$P ptrace-attach-1; $P proc1-mem-write; $P vm-writev-1; $P umount-proc; true" | tr '\n' ' ')
expect_eq "control: PID 1 of a plain PID namespace is reachable" "ok ok EFAULT EINVAL " "$out"
if [ "$ARCH" = x86_64 ]; then
	expect_eq "control: int 0x80 works without the loader" ok "$("$P" int80-socket)"
fi

# --- command line and bad input (as root and as uid 65534) -------------------------
expect_status "--version" 0 "$L" --version
expect_eq "--version prints the version" "apply-seccomp $(cat VERSION)" "$out"
expect_status "--help" 0 "$L" --help
expect_match "--help shows the usage" '^usage: apply-seccomp ' "$out"
expect_match "--help documents --allow-stale-proc as weaker" 'allow-stale-proc.*WEAKER' "$(echo $out)"

# bad NAME WRAPPER... -- ARGS: status 125, one "apply-seccomp: " line, and
# COMMAND (which would create the marker) never runs.
bad() {
	local name=$1 wrap=() status
	shift
	while [ "$1" != -- ]; do wrap+=("$1"); shift; done
	shift
	rm -f "$MARKER"
	expect_status "$name: 125" 125 "${wrap[@]}" "$L" "$@"
	expect_match "$name: one apply-seccomp: line" '^apply-seccomp: [^
]*$' "$err"
	expect_eq "$name: COMMAND did not run" no "$([ -e "$MARKER" ] && echo yes || echo no)"
}
head -c 12 "$FILTER" > "$BIN/truncated.bpf"
: > "$BIN/empty.bpf"
# 4097 instructions of "ret ALLOW": one more than the kernel takes.
printf '\x06\x00\x00\x00\x00\x00\xff\x7f%.0s' $(seq 4097) > "$BIN/oversized.bpf"
# A lone "ret ALLOW": the kernel would take it, the verifier wants an arch check.
printf '\x06\x00\x00\x00\x00\x00\xff\x7f' > "$BIN/no-arch.bpf"
# An arch check for i386: valid BPF for an unsupported target.
printf '\x20\x00\x00\x00\x04\x00\x00\x00\x15\x00\x01\x00\x03\x00\x00\x40\x06\x00\x00\x00\x00\x00\x00\x80\x06\x00\x00\x00\x00\x00\xff\x7f' \
	> "$BIN/i386.bpf"
# An executable file that starts like a blob but is one instruction short of
# a whole one: the loader must refuse it, never exec it.
{ head -c 8 "$FILTER"; printf '#!/bin/sh\ntouch %s\n' "$MARKER"; } > "$BIN/exec-broken.bpf"
chmod 644 "$BIN"/*.bpf
chmod 755 "$BIN/exec-broken.bpf"
mkdir -p "$BIN/dir.bpf"
TOUCH=(/usr/bin/touch "$MARKER")
for who in root nobody; do
	w=()
	[ $who = root ] || w=("${NOBODY[@]}")
	bad "$who: missing filter" "${w[@]}" -- --filter "$BIN/missing.bpf" "${TOUCH[@]}"
	expect_eq "$who: missing filter message" "apply-seccomp: $BIN/missing.bpf: No such file or directory" "$err"
	bad "$who: empty filter" "${w[@]}" -- --filter "$BIN/empty.bpf" "${TOUCH[@]}"
	bad "$who: truncated filter" "${w[@]}" -- --filter "$BIN/truncated.bpf" "${TOUCH[@]}"
	bad "$who: oversized filter" "${w[@]}" -- --filter "$BIN/oversized.bpf" "${TOUCH[@]}"
	bad "$who: directory as filter" "${w[@]}" -- --filter "$BIN/dir.bpf" "${TOUCH[@]}"
	bad "$who: filter without an arch check" "${w[@]}" -- --filter "$BIN/no-arch.bpf" "${TOUCH[@]}"
	bad "$who: i386 filter" "${w[@]}" -- "$BIN/i386.bpf" "${TOUCH[@]}"
	# A first operand that starts like a blob is FILTER, never COMMAND,
	# even executable, and an error when it does not verify.
	bad "$who: a truncated blob as first operand" "${w[@]}" -- "$BIN/truncated.bpf" "${TOUCH[@]}"
	expect_match "$who: ... is read as a filter" 'truncated\?\)$' "$err"
	bad "$who: an executable broken blob as first operand" "${w[@]}" -- "$BIN/exec-broken.bpf" "${TOUCH[@]}"
	bad "$who: --filter without FILE" "${w[@]}" -- --filter
	bad "$who: --builtin with --filter" "${w[@]}" -- --builtin --filter "$F" "${TOUCH[@]}"
	bad "$who: wrong-arch filter" "${w[@]}" -- "$BIN/foreign.bpf" "${TOUCH[@]}"
	expect_eq "$who: wrong-arch message" \
		"apply-seccomp: $BIN/foreign.bpf: filter is for $OTHER, this machine is $ARCH" "$err"
	bad "$who: no COMMAND" "${w[@]}" -- "$F"
	bad "$who: no FILTER" "${w[@]}" --
	bad "$who: --builtin without COMMAND" "${w[@]}" -- --builtin
	bad "$who: unknown option" "${w[@]}" -- --frobnicate "$F" "${TOUCH[@]}"
	bad "$who: --check with a COMMAND" "${w[@]}" -- --check "$F" "${TOUCH[@]}"
	bad "$who: --check with a wrong-arch filter" "${w[@]}" -- --check "$BIN/foreign.bpf"
done

# --- an execute-only binary (mode 0111) as uid 65534 --------------------------------
mkdir -p "$BIN/xo"
install -m 0111 "$L" "$BIN/xo/apply-seccomp"
expect_status "execute-only: --check" 0 "${NOBODY[@]}" "$BIN/xo/apply-seccomp" --check
expect_eq "execute-only: nested path works" "apply-seccomp: ok: $NESTED" "$out"
expect_status "execute-only: run" 0 "${NOBODY[@]}" "$BIN/xo/apply-seccomp" "$F" /bin/sh -c \
	"echo \$\$; $P caps; $P socket-unix; $P userns; $P max-userns"
expect_eq "execute-only: COMMAND is PID 2, capability-free, filtered, no user namespaces" \
	"2 inh=$ZERO prm=$ZERO eff=$ZERO bnd=$ZERO amb=$ZERO EPERM EPERM 0" "$(echo $out)"

# --- PID 1 is not dumpable -----------------------------------------------------------
# Seen from outside, /proc/PID of a non-dumpable process belongs to root, and
# that of a dumpable one to its user: so run as uid 65534.
coproc NOBODY_RUN { exec "${NOBODY[@]}" "$L" "$F" /bin/sh -c 'echo ready; read -r x'; }
stub=$NOBODY_RUN_PID
exec {cofd}<&"${NOBODY_RUN[0]}" {cowfd}>&"${NOBODY_RUN[1]}"
line=
read -r -t 20 -u "$cofd" line
expect_eq "dumpable test: COMMAND is ready" ready "${line:-}"
pid1=$(cut -d' ' -f1 "/proc/$stub/task/$stub/children" 2> /dev/null)
cmd=$(cut -d' ' -f1 "/proc/$pid1/task/$pid1/children" 2> /dev/null)
expect_eq "PID 1 is not dumpable (its /proc entry is root's)" 0 "$(stat -c %u "/proc/${pid1:-none}/mem" 2>&1)"
expect_eq "control: COMMAND is dumpable (its /proc entry is uid 65534's)" 65534 \
	"$(stat -c %u "/proc/${cmd:-none}/mem" 2>&1)"
# (in a subshell: if the loader is gone, SIGPIPE ends only that)
(echo >&"$cowfd") 2> /dev/null
wait "$stub" && status=0 || status=$?
exec {cofd}<&- {cowfd}>&-
expect_eq "dumpable test: status" 0 "$status"

# --- user namespaces unavailable -------------------------------------------------------
# For real: a caller without capabilities (root with an empty bounding set)
# where user.max_user_namespaces is 0 (set inside a user namespace of the test's
# own; the host's setting is untouched).
nouserns() {
	unshare --user --map-root-user /bin/sh -c \
		'echo 0 > /proc/sys/user/max_user_namespaces && exec "$@"' sh \
		setpriv --bounding-set=-all --inh-caps=-all "$@"
}
rm -f "$MARKER"
expect_status "no user namespaces: 125" 125 nouserns "$L" "$F" "${TOUCH[@]}"
expect_match "no user namespaces: the message names the step, the cause and the remedy" \
	'^apply-seccomp: unshare\(CLONE_NEWUSER\): No space left on device: .*user namespaces are disabled or restricted.*run apply-seccomp as root, or under bwrap --unshare-user --cap-add CAP_SYS_ADMIN$' "$err"
expect_eq "no user namespaces: COMMAND did not run" no "$([ -e "$MARKER" ] && echo yes || echo no)"
msg=$err
expect_status "no user namespaces: --check fails" 125 nouserns "$L" --check
expect_eq "no user namespaces: --check gives the same message" "$msg" "$(tail -n 1 <<< "$err")"
# Refused with EPERM (sysctl, AppArmor's userns creation mediation, seccomp).
INJ=$SCRATCH/inject.report
expect_status "userns refused: --check fails" 125 "${NOBODY[@]}" "$I" "$INJ" unshare 2 1 "$L" --check
expect_match "userns refused: message" \
	'^apply-seccomp: unshare\(CLONE_NEWUSER\): Operation not permitted: .*run apply-seccomp as root, or under bwrap' "$err"
# A user namespace without capabilities (AppArmor's restrict_unprivileged_userns).
expect_status "userns without capabilities: --check fails" 125 "${NOBODY[@]}" "$I" "$INJ" unshare 3 1 "$L" --check
expect_match "userns without capabilities: message" \
	'^apply-seccomp: unshare\(CLONE_NEWPID\|CLONE_NEWNS\) in a new user namespace: Operation not permitted: .*AppArmor.*run apply-seccomp as root' "$err"

# --- fallbacks that must still give the full sandbox ---------------------------------
# Root whose first unshare is refused takes the nested path.
expect_status "root forced onto the nested path: --check" 0 "$I" "$INJ" unshare 1 1 "$L" --check
expect_eq "root forced onto the nested path: --check says so" "apply-seccomp: ok: $NESTED" "$out"
expect_status "root forced onto the nested path: run" 0 "$I" "$INJ" unshare 1 1 "$L" "$F" /bin/sh -c \
	"echo \$\$; $P caps; $P socket-unix; $P userns; $P max-userns; $P ptrace-attach-1"
expect_eq "root forced onto the nested path: full sandbox" \
	"2 inh=$ZERO prm=$ZERO eff=$ZERO bnd=$ZERO amb=$ZERO EPERM EPERM 0 EPERM" "$(echo $out)"
# A kernel without mount_setattr(2) (before 5.12): every mount under /sys is
# remounted read-only one by one, from /proc/self/mountinfo.
expect_status "mount_setattr ENOSYS: run" 0 "$I" "$INJ" mount_setattr 1 38 "$L" /usr/bin/awk \
	'$5 ~ "^/sys(/|$)" { n++ } $5 ~ "^/sys(/|$)" && $6 !~ /^ro(,|$)/ { print $5, $6 } END { print n, "mounts" }' \
	/proc/self/mountinfo
expect_match "mount_setattr ENOSYS: every /sys mount is read-only all the same" '^[1-9][0-9]* mounts$' "$out"
expect_eq "mount_setattr ENOSYS: the injection hit" hit "$(cut -d' ' -f1 "$INJ")"
# ... a mount point whose name mountinfo escapes (a space, a backslash).
expect_status "mount_setattr ENOSYS: an escaped mount point" 0 unshare --mount /bin/sh -c '
	mount -t tmpfs none /sys/kernel/debug && mkdir "/sys/kernel/debug/a b\\c" &&
	mount -t tmpfs none "/sys/kernel/debug/a b\\c" && exec "$@"' sh "$I" "$INJ" mount_setattr 1 38 "$L" \
	/usr/bin/awk '$5 ~ "^/sys(/|$)" && $6 !~ /^ro(,|$)/ { print $5, $6 } $5 ~ /a\\040b/ { print "seen", $5, $6 }' \
	/proc/self/mountinfo
expect_match "mount_setattr ENOSYS: ... is found and made read-only" '^seen /sys/kernel/debug/a\\040b\\134c ro,' "$out"
# A kernel without seccomp(2): the prctl interface installs the same filter.
expect_status "seccomp() ENOSYS: run" 0 "$I" "$INJ" seccomp 1 38 "$L" "$F" "$P" socket-unix
expect_eq "seccomp() ENOSYS: the filter is installed with prctl" EPERM "$out"
# --- no fresh /proc -----------------------------------------------------------------
# The kernel refuses the proc mount with EPERM (as in a user namespace where
# the old /proc is partly covered). In the loader's own user namespace, or
# with Landlock, no outer process is within reach: the old /proc stays,
# read-only. Otherwise (the direct path without Landlock), 125 unless
# --allow-stale-proc. To take Landlock away, the loader runs under a filter
# (bwrap --seccomp) that answers landlock_create_ruleset with ENOSYS, as a
# kernel without it does, and refuses just the proc mount (flags
# MS_NOSUID|MS_NODEV|MS_NOEXEC, 0xe, and with MS_RDONLY, 0xf) with EPERM.
printf 'default allow\nerrno ENOSYS landlock_create_ruleset\nerrno EPERM mount a3 == 0xe\nerrno EPERM mount a3 == 0xf\n' \
	> "$SCRATCH/nolandlock.policy"
"$GEN" compile --arch "$ARCH" -o "$BIN/nolandlock.bpf" "$SCRATCH/nolandlock.policy" && chmod 644 "$BIN/nolandlock.bpf" ||
	fail "compiling the no-Landlock test filter"
NOLL=(bwrap --ro-bind / / --dev /dev --bind /proc /proc --seccomp 9)
OLDOK='old /proc read-only, outer processes out of reach'
for who in root nobody; do
	w=()
	[ $who = root ] || w=("${NOBODY[@]}")
	if [ "$LANDLOCK" != 0 ]; then
		expect_status "$who: proc mount refused: --check" 0 "${w[@]}" "$I" "$INJ" mount 2 1 "$L" --check
		expect_match "$who: proc mount refused: --check says so" "^apply-seccomp: ok: .*, $OLDOK, Landlock " "$out"
		expect_status "$who: proc mount refused: run" 0 "${w[@]}" "$I" "$INJ" mount 2 1 "$L" "$F" \
			/bin/sh -c "echo \$\$; $P socket-unix; $P proc-writable; cat /proc/1/comm; $P proc1-mem-read; $P proc1-mem-write"
		expect_match "$who: proc mount refused: filtered PID 2, read-only /proc, /proc/1 out of reach" \
			'^2 EPERM none [^ ]+ EACCES (EROFS|EACCES)$' "$(echo $out)"
	fi
	# Any other error than EPERM is not the kernel's visibility rule.
	expect_status "$who: proc mount failing with ENOSPC: 125" 125 "${w[@]}" "$I" "$INJ" mount 2 28 "$L" --check
done
# Without Landlock: the loader's own user namespace keeps the outer
# processes out of reach (uid 65534), the direct path cannot (root).
expect_status "nobody: proc mount refused, no Landlock: --check" 0 "${NOBODY[@]}" "${NOLL[@]}" "$L" --check \
	9< "$BIN/nolandlock.bpf"
expect_match "nobody: proc mount refused, no Landlock: the old /proc, out of reach all the same" \
	"^apply-seccomp: ok: nested user namespace, $OLDOK, no Landlock, " "$out"
expect_status "root: proc mount refused, no Landlock: --check fails" 125 "${NOLL[@]}" "$L" --check 9< "$BIN/nolandlock.bpf"
expect_match "root: ... and says what to change" \
	'^apply-seccomp: cannot mount a fresh /proc: .*Operation not permitted, and the outer processes .* within COMMAND.s reach; .*--allow-stale-proc' \
	"$(tail -n 1 <<< "$err")"
rm -f "$MARKER"
expect_status "root: ... a run fails closed" 125 "${NOLL[@]}" "$L" "${TOUCH[@]}" 9< "$BIN/nolandlock.bpf"
expect_eq "root: ... COMMAND did not run" no "$([ -e "$MARKER" ] && echo yes || echo no)"
expect_status "root: --allow-stale-proc --check" 0 "${NOLL[@]}" "$L" --allow-stale-proc --check 9< "$BIN/nolandlock.bpf"
expect_match "root: --allow-stale-proc --check says the outer processes are in reach" \
	'^apply-seccomp: ok: direct .*, old /proc read-only, outer processes in reach \(--allow-stale-proc\), no Landlock, ' "$out"
expect_status "root: --allow-stale-proc run" 0 "${NOLL[@]}" "$L" --allow-stale-proc "$F" \
	/bin/sh -c "echo \$\$; $P socket-unix; $P proc-writable; cat /proc/1/comm" 9< "$BIN/nolandlock.bpf"
expect_match "root: --allow-stale-proc: COMMAND is a filtered PID 2, /proc read-only" '^2 EPERM none [^ ]+$' "$(echo $out)"
comm1=$(echo $out | cut -d' ' -f4)
if [ -n "$comm1" ] && [ "$comm1" != apply-seccomp ]; then
	pass "root: --allow-stale-proc: /proc is the outer one, as documented ($comm1)"
else
	fail "root: --allow-stale-proc: /proc is the outer one" "/proc/1/comm: $comm1"
fi

# --- uid 0 -----------------------------------------------------------------------------
expect_status "--check as the host's root" 0 "$L" --check
expect_match "--check warns that COMMAND would run as the host's uid 0" \
	'^apply-seccomp: warning: COMMAND would run as the host.s uid 0: .*no file system boundary' "$err"
expect_status "--check as uid 65534" 0 "${NOBODY[@]}" "$L" --check
expect_eq "--check as uid 65534 warns of nothing" "" "$err"
# Mapping uid 0 into a user namespace needs CAP_SETFCAP (Linux 5.12+).
rm -f "$MARKER"
expect_status "root without CAP_SETFCAP or CAP_SYS_ADMIN: 125" 125 \
	bwrap --ro-bind / / --dev /dev --proc /proc --unshare-pid --unshare-user --cap-drop ALL "$L" "${TOUCH[@]}"
expect_match "... the message names CAP_SETFCAP" \
	'^apply-seccomp: setting up the user namespace: writing "0 0 1" to /proc/self/uid_map: Operation not permitted: mapping uid 0 into a user namespace needs CAP_SETFCAP' "$err"
expect_eq "... COMMAND did not run" no "$([ -e "$MARKER" ] && echo yes || echo no)"

# --- fault injection: every setup step, made to fail in turn --------------------------
# For each syscall the setup makes, fail its 1st call (counted across the
# loader's three processes, before COMMAND starts), then its 2nd, and so on,
# until a run makes fewer calls than that. Every run with a failed call must
# exit 125, say why, and not run COMMAND; the last run (nothing injected) must
# work. The errno is ENOSPC: EPERM from the first unshare would only (and
# rightly) make root take the nested path, tested above.
# COMMAND leaves the marker only if it finds itself in the whole sandbox, so
# that the known exceptions below can be told apart from an open door.
[ "$FAULT_LOADER" = "$LOADER" ] || echo "  NOTE fault injection runs $FAULT_LOADER (static), not $LOADER"
ENOSPC=28
STEPS="fcntl unshare openat read pread64 write close mount prctl clone,clone3,fork,vfork pipe2 poll,ppoll seccomp capget capset rt_sigprocmask rt_sigaction getdents64 newfstatat,fstat landlock_create_ruleset landlock_restrict_self mount_setattr"
[ "$ARCH" = x86_64 ] || STEPS=${STEPS/clone,clone3,fork,vfork/clone,clone3}
[ "$ARCH" = x86_64 ] || STEPS=${STEPS/poll,ppoll/ppoll}
SANDBOXED="[ \$\$ = 2 ] && [ \"\$($P socket-unix)\" = EPERM ] &&
	[ \"\$($P caps)\" = 'inh=$ZERO prm=$ZERO eff=$ZERO bnd=$ZERO amb=$ZERO' ] && : > $MARKER"
# Failures that the loader cannot see, each of which left the sandbox whole:
# known(SYSCALL N) says whether that one is expected and prints why.
known() {
	if [ "$1" = rt_sigprocmask ] && [ "${LOADER_LIBC:-glibc}" = musl ]; then
		# musl's fork() blocks and restores the mask itself, ignoring
		# errors; the loader sets the mask it needs again afterwards.
		echo "rt_sigprocmask #$2 is one of musl's fork(), which ignores errors"
	elif [ "$1" = fcntl ] && [ "$2" -gt 3 ] && [ "${LOADER_LIBC:-glibc}" = musl ]; then
		# The loader's own are the first 3 (fds 0-2); musl's open()
		# repeats O_CLOEXEC with fcntl(F_SETFD) and ignores errors.
		echo "fcntl #$2 is musl's open() setting FD_CLOEXEC again, which ignores errors"
	else
		return 1
	fi
}
for who in root nobody; do
	w=()
	[ $who = root ] || w=("${NOBODY[@]}")
	for sc in $STEPS; do
		n=1
		while :; do
			rm -f "$MARKER" "$INJ"
			"${w[@]}" "$I" "$INJ" "$sc" "$n" "$ENOSPC" "$BIN/fault-apply-seccomp" "$F" /bin/sh -c "$SANDBOXED" \
				> /dev/null 2> "$SCRATCH/err" && status=0 || status=$?
			report=$(cat "$INJ" 2> /dev/null)
			ran=$([ -e "$MARKER" ] && echo yes || echo no)
			msg=$(head -n 1 "$SCRATCH/err")
			case $report in
			hit*)
				if [ "$status" = 125 ] && [ "$ran" = no ] && [[ $msg == "apply-seccomp: "* ]]; then
					pass "fault: $who: $sc #$n fails closed"
				elif [ "$status" = 0 ] && [ "$ran" = yes ] && why=$(known "$sc" "$n"); then
					printf '  NOTE fault: %s: %s: the run went on, in the whole sandbox\n' "$who" "$why"
				else
					fail "fault: $who: $sc #$n fails closed" \
						"status $status (want 125), COMMAND ran sandboxed: $ran, stderr: $msg"
				fi ;;
			miss*)
				if [ "$status" = 0 ] && [ "$ran" = yes ]; then
					pass "fault: $who: $sc: all $((n - 1)) calls covered, and the run without a fault works"
				else
					fail "fault: $who: $sc: run without a fault" "status $status, sandboxed: $ran, stderr: $msg"
				fi
				break ;;
			*)
				fail "fault: $who: $sc #$n: no report from inject (status $status)" "$msg"
				break ;;
			esac
			n=$((n + 1))
		done
	done
done

finish
