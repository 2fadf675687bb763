#!/bin/bash
# make test-srt: apply-seccomp as the helper of the sandbox runtime's real CLI,
# srt (npm @anthropic-ai/sandbox-runtime), in pinned releases of both calling
# conventions (SRT.md): 0.0.46 (`helper FILTER SHELL -c SCRIPT`, settings
# seccomp.applyPath and seccomp.bpfPath) and 0.0.55, 0.0.65, 0.0.83
# (`helper SHELL -c SCRIPT`, the filter built in; 0.0.83 prefixes
# SRT_ALLOW_NESTED_USERNS=0|1 and runs bwrap --unshare-user --cap-drop ALL
# --cap-add CAP_SETFCAP for uid 0). Each release is installed once with
# scripts/fetch-srt.sh into build/srt/VERSION.
#
# Every release runs in every context below twice: with OUR apply-seccomp as
# seccomp.applyPath (the checks are our contract, DESIGN.md), and with srt's
# own bundled helper (settings without seccomp paths). The second column is
# checked only where srt's helper promises the same thing; everything both
# show is written to a comparison table (SRT_REPORT, build/srt/comparison.md),
# the source of docs/srt.md.
#
# Contexts, as root and as uid 65534 (setpriv; everything staged
# world-readable in a scratch directory):
#   USER-relays-strict     the CLI with network restrictions: srt's shell
#                          starts two socat relays, then the helper
#   USER-norelays-strict   no network restriction: the helper straight under
#                          bwrap. The CLI always restricts the network (its
#                          schema asks for allowedDomains), so this drives
#                          srt's own library the way the CLI does
#                          (tests/srt/srt-lib.mjs)
#   USER-relays-weaker     enableWeakerNestedSandbox
#   0.0.80+: the contexts above with allowNestedUserNamespaces false (and the
#   caller's own SRT_ALLOW_NESTED_USERNS=1 in srt's environment, which must not
#   count), and USER-relays-strict-allow with it true.
# In each: one run of report.sh (every probe of tests/probe.c, the outer
# process walk of outer.c, the filesystem denies, AF_INET through the relay
# and straight); in the USER-relays-strict ones also exit statuses 0, 1, 127,
# 128+N, stdin/stdout/stderr, SIGTERM to srt and Ctrl-C on a real pty. Then:
# the helper failing (a truncated bpfPath under 0.0.46; user namespaces
# exhausted under the others): ours exits 125 and the command never runs; and
# under 0.0.46 srt's own blob with our loader.
#
# Every srt run proves which helper ran it: the command's shell first sources
# proof.sh, which records its parent process's argv and comm (the helper's
# PID 1), PID 1 of its /proc, its PID in its own namespace (2) and its
# Seccomp_filters count (1: our built-in program; 2: FILTER and the guard
# under 0.0.46). srt silently falls back to its bundled helper when applyPath
# does not exist, so no check counts without that proof.
#
# Environment (the Makefile sets the first five): SRT_LOADER, SRT_PROBE,
# SRT_OUTER (build/tests/srt-outer), SRT_REPORT, SRT_HELPERS ("ours srt", or
# "ours" alone: no table); SRT_VERSIONS (default "0.0.46 0.0.55 0.0.65
# 0.0.83"); VERBOSE=1 lists passing checks too.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
SUITE=srt
ROOT=$PWD
read -r -a VERSIONS <<< "${SRT_VERSIONS:-0.0.46 0.0.55 0.0.65 0.0.83}"
read -r -a HELPERS <<< "${SRT_HELPERS:-ours srt}"
LOADER=${SRT_LOADER:-build/apply-seccomp}
PROBE=${SRT_PROBE:-build/tests/probe}
OUTER=${SRT_OUTER:-build/tests/srt-outer}
REPORT=${SRT_REPORT:-build/srt/comparison.md}
case $(uname -m) in
x86_64) ARCH=x86_64 VENDOR_ARCH=x64 ;;
aarch64) ARCH=aarch64 VENDOR_ARCH=arm64 ;;
*) ARCH=$(uname -m) VENDOR_ARCH=$ARCH ;;
esac
BLOB=filters/$ARCH/unix-block.bpf
U=65534
TIMEOUT=60
ZERO=0000000000000000
BODY=srt-test-server
started=$(date +%s)

# --- prerequisites: a missing one fails the suite --------------------------------

prerequisites test-srt "$LOADER" "$PROBE" "$OUTER" "$BLOB" -- \
	node npm bwrap socat rg setpriv unshare timeout /usr/bin/python3
SHELL_PATH=$(command -v bash)
for v in "${VERSIONS[@]}"; do
	if ! scripts/fetch-srt.sh "$v" > /dev/null 2> "$TMPDIR_T/fetch.err"; then
		fail "srt $v could not be installed" "$(tail -n 5 "$TMPDIR_T/fetch.err")"
		finish
		exit
	fi
done

# --- staging: everything the sandboxes and uid 65534 use, world-readable --------

S=$TMPDIR_T/stage
mkdir -p "$S/srt"
cp "$LOADER" "$S/apply-seccomp"
cp "$PROBE" "$S/probe"
cp "$OUTER" "$S/outer"
cp "$BLOB" "$S/unix-block.bpf"
# Starts like a blob (the arch load) but is cut short: FILTER that fails.
head -c 12 "$BLOB" > "$S/truncated.bpf"
cp tests/srt/proof.sh tests/srt/report.sh tests/srt/fetch.py tests/srt/sig.py \
	tests/srt/srt-lib.mjs "$S/"
for v in "${VERSIONS[@]}"; do
	mkdir -p "$S/srt/$v"
	cp -a "build/srt/$v/node_modules" "$S/srt/$v/"
done
chmod -R a+rX "$S"
OURS=$S/apply-seccomp
pkg() { echo "$S/srt/$1/node_modules/@anthropic-ai/sandbox-runtime"; }
vendor() { echo "$(pkg "$1")/vendor/seccomp/$VENDOR_ARCH/$2"; }
# at_least VERSION MIN: VERSION is MIN or later
at_least() { [ "$(printf '%s\n' "$2" "$1" | sort -V | head -n 1)" = "$2" ]; }

# The server that commands reach through srt's proxy, on a free loopback port.
/usr/bin/python3 tests/srt/serve.py "$BODY" 1800 > "$TMPDIR_T/port" &
SERVER=$!
trap 'kill "$SERVER" 2> /dev/null; rm -rf "$TMPDIR_T"' EXIT
for _ in $(seq 200); do [ -s "$TMPDIR_T/port" ] && break; sleep 0.05; done
PORT=$(cat "$TMPDIR_T/port")
[ -n "$PORT" ] || { fail "the test's HTTP server did not start"; finish; exit; }

# --- controls: what EPERM inside is compared with --------------------------------

# Outside any sandbox these calls work (or fail for another reason): EPERM
# inside is the helper's doing, not the host's.
for c in socket-unix socket-unix-junk socketpair-dgram socket-vsock io_uring-setup \
	keyctl tiocsti userns clone-userns; do
	r=$("$S/probe" "$c" 2>&1)
	if [ "$r" != EPERM ] && [[ $r =~ ^(ok|E[A-Z0-9]+)$ ]]; then pass "control: $c is not refused outside ($r)"; else
		fail "control: $c is not refused outside" "got: $r (EPERM inside would prove nothing)"
	fi
done
LANDLOCK=$("$S/probe" landlock-abi)
# outer.c finds and reaches processes of an outer PID namespace through an
# old /proc (root, unshare --pid without a new /proc) ...
r=$(unshare --pid --fork "$S/outer")
if [[ $r =~ ^outer=([0-9]+)\ mem=([0-9]+)\ environ=([0-9]+)\ fdlist=[0-9]+\ fd=([0-9]+)\ root=([0-9]+) ]] &&
	[ "${BASH_REMATCH[1]}" -gt 0 ] && [ "${BASH_REMATCH[2]}" -gt 0 ] && [ "${BASH_REMATCH[3]}" -gt 0 ] &&
	[ "${BASH_REMATCH[4]}" -gt 0 ] && [ "${BASH_REMATCH[5]}" -gt 0 ]; then
	pass "control: outer sees and opens outer processes through an old /proc"
else
	fail "control: outer sees and opens outer processes through an old /proc" "got: $r"
fi
# ... and none through a fresh one.
expect_eq "control: outer finds none through a fresh /proc" \
	"outer=0 mem=0 environ=0 fdlist=0 fd=0 root=0 signal=0 comms=-" "$(unshare --pid --fork --mount-proc "$S/outer")"
# proof.sh names the shell's parent: our loader when it runs the shell,
# the caller's shell otherwise.
"$OURS" --builtin "$SHELL_PATH" -c ". $S/proof.sh $TMPDIR_T/proof.control"
expect_eq "control: proof.sh under apply-seccomp --builtin" \
	"nspid=2 filters=1 comm=apply-seccomp argv0=$OURS argv1=--builtin" \
	"$(grep -E '^(nspid|filters|comm|argv0|argv1)=' "$TMPDIR_T/proof.control" | tr '\n' ' ' | sed 's/ $//')"
"$SHELL_PATH" -c ". $S/proof.sh $TMPDIR_T/proof.control"
expect_match "control: proof.sh without a helper" "comm=(bash|run.sh)" "$(grep '^comm=' "$TMPDIR_T/proof.control")"

# --- contexts ----------------------------------------------------------------------

# contexts VERSION: the contexts the release is run in (see the top).
contexts() {
	local suffix='' u
	at_least "$1" 0.0.80 && suffix=-deny
	for u in root nobody; do
		echo "$u-relays-strict$suffix $u-norelays-strict$suffix $u-relays-weaker$suffix"
		at_least "$1" 0.0.80 && echo "$u-relays-strict-allow"
	done
}

# enter VERSION HELPER CONTEXT: makes the context's work directory W and
# settings, and sets V H CTX W HELPER_PATH RUN (the argv that runs srt, to
# which the command string is appended).
enter() {
	V=$1 H=$2 CTX=$3
	W=$TMPDIR_T/work/$V/$H/$CTX
	# srt's own temporary files (its proxy's sockets, named by its PID, and
	# the rest), in a directory of the context's own: a socket a killed srt
	# left behind in /tmp would make a later srt with that PID fail.
	contexts_entered=$((contexts_entered + 1))
	SRT_TMP=$TMPDIR_T/t$contexts_entered
	mkdir -p "$W/ro" "$SRT_TMP"
	echo x > "$W/ro/file"
	echo top-secret > "$W/secret.txt"
	[[ $CTX != nobody-* ]] || chown -R "$U:$U" "$W" "$SRT_TMP"
	local seccomp='' network='"allowedDomains": ["127.0.0.1"], "deniedDomains": []' extra=''
	if [ "$H" = ours ]; then
		HELPER_PATH=$OURS
		# One settings file for every generation: 0.0.47+ ignore bpfPath.
		seccomp="\"applyPath\": \"$OURS\", \"bpfPath\": \"$S/unix-block.bpf\""
	else
		HELPER_PATH=$(vendor "$V" apply-seccomp)
	fi
	[[ $CTX != *-norelays-* ]] || network='"deniedDomains": []'
	[[ $CTX != *-weaker* ]] || extra+=', "enableWeakerNestedSandbox": true'
	[[ $CTX != *-allow ]] || extra+=', "allowNestedUserNamespaces": true'
	[[ $CTX != *-deny ]] || extra+=', "allowNestedUserNamespaces": false'
	settings "{\"network\": {$network}, \"filesystem\": {\"denyRead\": [\"$W/secret.txt\"],
		\"allowWrite\": [\"$W\"], \"denyWrite\": [\"$W/ro\"]}, \"seccomp\": {$seccomp}$extra}"
}

# settings JSON: writes W/settings.json and sets RUN for the context.
settings() {
	printf '%s\n' "$1" > "$W/settings.json"
	chmod 644 "$W/settings.json"
	RUN=()
	[[ $CTX != nobody-* ]] || RUN=(setpriv --reuid="$U" --regid="$U" --clear-groups)
	RUN+=(env HOME="$W" TMPDIR="$SRT_TMP")
	[[ $CTX != *-deny ]] || RUN+=(SRT_ALLOW_NESTED_USERNS=1)
	if [[ $CTX == *-norelays-* ]]; then
		RUN+=(node "$S/srt-lib.mjs" "$(pkg "$V")" "$W/settings.json")
	else
		RUN+=("$S/srt/$V/node_modules/.bin/srt" -s "$W/settings.json" -c)
	fi
}

contexts_entered=0
LABEL() { echo "$V $H $CTX"; }
# tail_of TEXT: its last 600 characters, for failure reports.
tail_of() { if [ "${#1}" -gt 600 ]; then printf '...%s' "${1: -600}"; else printf '%s' "$1"; fi; }
runs=0

# srt_run COMMAND-STRING: runs ". proof.sh PROOF; COMMAND-STRING" through srt in
# the current context, stdin from $STDIN (default /dev/null); sets status, out,
# err, PROOF and LAST (the command line, for failure reports).
srt_run() {
	runs=$((runs + 1))
	PROOF=$W/proof.$runs
	rm -f "$PROOF"
	local cmd=". $S/proof.sh $PROOF; $1"
	LAST="cd $W && ${RUN[*]@Q} ${cmd@Q}"
	status=0
	out=$(cd "$W" && timeout -k 5 "$TIMEOUT" "${RUN[@]}" "$cmd" < "${STDIN:-/dev/null}" 2> "$W/stderr") ||
		status=$?
	err=$(cat "$W/stderr")
}

# stale_proc_case: ours keeps bwrap's /proc (under Landlock) only where no
# fresh one can be mounted: uid 0 under srt 0.0.77+ without the weaker mode.
stale_proc_case() { [[ $CTX == root-*-strict* ]] && at_least "$V" 0.0.77; }

# check_proof NAME: the run's proof shows the helper under test ran the
# command as the contract says. srt's own helper: its binary, PID 2.
check_proof() {
	local name want got
	name="$(LABEL): $1: run by $H helper"
	if [ ! -s "$PROOF" ]; then
		fail "$name" "the command left no proof (did it run?)" "status $status" "stderr: $(tail_of "$err")" "$LAST"
		return 1
	fi
	local -A p=()
	local key value
	while IFS='=' read -r key value; do p[$key]=$value; done < "$PROOF"
	if at_least "$V" 0.0.47; then
		want="argv0=$HELPER_PATH argv1=$SHELL_PATH argv2=-c comm=apply-seccomp nspid=2"
	elif [ "$H" = ours ]; then
		want="argv0=$HELPER_PATH argv1=$S/unix-block.bpf argv2=$SHELL_PATH comm=apply-seccomp nspid=2"
	else
		want="argv0=$HELPER_PATH argv1=$(vendor "$V" unix-block.bpf) argv2=$SHELL_PATH comm=apply-seccomp nspid=2"
	fi
	got="argv0=${p[argv0]-} argv1=${p[argv1]-} argv2=${p[argv2]-} comm=${p[comm]-} nspid=${p[nspid]-}"
	if [ "$H" = ours ]; then
		# 1: the built-in program; 2: FILTER and the guard stacked on it.
		want+=" nnp=1 filters=$(at_least "$V" 0.0.47 && echo 1 || echo 2)"
		got+=" nnp=${p[nnp]-} filters=${p[filters]-}"
		# PID 1 of the /proc in view is our loader, save where bwrap's old
		# /proc is kept on purpose.
		if ! stale_proc_case; then
			want+=" pid1=apply-seccomp:$HELPER_PATH"
			got+=" pid1=${p[pid1-comm]-}:${p[pid1-argv0]-}"
		fi
	fi
	record proof-filters "${p[filters]-}"
	record proof-pid1 "${p[pid1-comm]-}"
	if [ "$want" = "$got" ]; then pass "$name"; else
		fail "$name" "expected: $want" "got:      $got" "$LAST"
		return 1
	fi
}

# record KEY VALUE: one cell of the comparison table.
record() { printf '%s\t%s\t%s\t%s\t%s\n' "$H" "$V" "$CTX" "$1" "$2" >> "$TMPDIR_T/results.tsv"; }

# expected KEY: what the report's KEY must be in the current context ("" for
# a value only recorded; a leading ~ makes the rest a regex). Ours: the
# contract. srt's own helper: only what it promises too.
expected() {
	local allow=EPERM
	[[ $CTX != *-allow ]] || allow=ok
	if [ "$H" = srt ]; then
		case $1 in
		socket-unix | io_uring-setup) echo EPERM ;;
		socket-inet | socketpair-stream) echo ok ;;
		userns) at_least "$V" 0.0.80 && echo "$allow" ;;
		env-nested) at_least "$V" 0.0.80 && echo unset ;;
		write-allowed | write-denied | read-denied | relay | direct) expected_sandbox "$1" ;;
		esac
		return 0
	fi
	case $1 in
	caps-inh | caps-prm | caps-eff | caps-amb) echo "$ZERO" ;;
	socket-unix | socket-unix-junk | socketpair-dgram | socket-vsock | io_uring-setup | \
		io_uring-enter | io_uring-register | keyctl | tiocsti | umount-proc | \
		ptrace-attach-1) echo EPERM ;;
	socket-inet | socketpair-stream) echo ok ;;
	userns | clone-userns) echo "$allow" ;;
	# Without the guard a mount reaches the kernel, which finds no mount point.
	mount-missing) if [[ $CTX == *-allow ]]; then echo ENOENT; else echo EPERM; fi ;;
	# A read-only /proc refuses first (EROFS) where its superblock is
	# read-only; otherwise PID 1's not being dumpable does (EACCES).
	proc1-mem-write) echo "~^(EACCES|EROFS)$" ;;
	# Landlock scopes signals from ABI 6 on: PID 1 is outside COMMAND's domain.
	kill-1) [ "$LANDLOCK" -lt 6 ] || echo EPERM ;;
	proc-writable) echo none ;;
	sysctl-write) echo refused ;;
	# The fd numbers (fdlist) follow the directory's mode; the rest needs
	# ptrace access.
	outer-reach) echo "~^mem=0 environ=0 fdlist=[0-9]+ fd=0 root=0 signal=0$" ;;
	outer-count) stale_proc_case || echo 0 ;;
	env-nested) echo unset ;;
	write-allowed | write-denied | read-denied | relay | direct) expected_sandbox "$1" ;;
	esac
	return 0
}

# What srt's own bwrap arguments decide, whichever helper runs inside them.
expected_sandbox() {
	case $1 in
	write-allowed) echo ok ;;
	write-denied) echo refused ;;
	read-denied) echo hidden ;;
	relay) [[ $CTX == *-norelays-* ]] || echo "$BODY" ;;
	# No network namespace without the relays: the host's loopback.
	direct) if [[ $CTX == *-norelays-* ]]; then echo "$BODY"; else echo "~^error "; fi ;;
	esac
}

REPORT_KEYS=(caps-inh caps-prm caps-eff caps-bnd caps-amb socket-unix socket-unix-junk
	socket-inet socketpair-dgram socketpair-stream socket-vsock io_uring-setup io_uring-enter
	io_uring-register keyctl tiocsti userns clone-userns mount-missing umount-proc
	ptrace-attach-1 proc1-mem-write kill-1 max-userns proc-writable sysctl-write outer-count outer-reach
	outer-comms write-allowed write-denied read-denied relay direct env-nested)

# identity: one run of report.sh; every key checked against expected().
identity() {
	srt_run "bash $S/report.sh $S $W $PORT; exit 42"
	check_proof report || return 0
	if [ "$status" != 42 ]; then
		fail "$(LABEL): the report run exits 42" "got $status" "stderr: $(tail_of "$err")" "$LAST"
		return 0
	fi
	local -A r=()
	local key value want
	while IFS='=' read -r key value; do r[$key]=$value; done <<< "$out"
	if [[ ${r[caps]-} =~ ^inh=([0-9a-f]+)\ prm=([0-9a-f]+)\ eff=([0-9a-f]+)\ bnd=([0-9a-f]+)\ amb=([0-9a-f]+)$ ]]; then
		r[caps-inh]=${BASH_REMATCH[1]} r[caps-prm]=${BASH_REMATCH[2]} r[caps-eff]=${BASH_REMATCH[3]}
		r[caps-bnd]=${BASH_REMATCH[4]} r[caps-amb]=${BASH_REMATCH[5]}
	fi
	if [[ ${r[outer]-} =~ ^outer=([0-9]+)\ (.*)\ comms=(.*)$ ]]; then
		r[outer-count]=${BASH_REMATCH[1]} r[outer-reach]=${BASH_REMATCH[2]} r[outer-comms]=${BASH_REMATCH[3]}
	fi
	for key in "${REPORT_KEYS[@]}"; do
		value=${r[$key]-(missing)}
		record "$key" "$value"
		want=$(expected "$key")
		if [[ $want == "~"* ]]; then
			expect_match "$(LABEL): $key" "${want#"~"}" "$value"
		elif [ -n "$want" ]; then
			expect_eq "$(LABEL): $key" "$want" "$value"
		fi
	done
	# Where ours keeps bwrap's /proc, outer processes are in sight but out of
	# reach: the point of that case is that they are there to be tried.
	if [ "$H" = ours ] && stale_proc_case; then
		if [ "${r[outer-count]-0}" -gt 0 ]; then
			pass "$(LABEL): old /proc kept: outer processes listed (${r[outer-comms]-}), none reachable"
		else
			fail "$(LABEL): old /proc kept: outer processes listed" "outer: ${r[outer]-}" \
				"(a fresh /proc here would be better than the contract; update the suite)"
		fi
	fi
}

# exits: exit statuses through srt, the proof in each run.
exits() {
	local c want
	for c in "exit 0:0" "exit 1:1" "no-such-command-xyz:127" 'kill -TERM $$:143' 'kill -KILL $$:137'; do
		want=${c##*:}
		srt_run "${c%:*}"
		record "exit status of '${c%:*}'" "$status"
		check_proof "${c%:*}" || continue
		if [ "$status" = "$want" ]; then pass "$(LABEL): srt -c '${c%:*}' exits $want"; else
			fail "$(LABEL): srt -c '${c%:*}' exits $want" "got $status" "stderr: $(tail_of "$err")" "$LAST"
		fi
	done
	printf 'from-stdin\n' > "$TMPDIR_T/stdin"
	chmod 644 "$TMPDIR_T/stdin"
	STDIN=$TMPDIR_T/stdin srt_run 'cat; echo to-stderr >&2'
	check_proof stdin || return 0
	expect_eq "$(LABEL): stdin reaches the command, stdout comes back" from-stdin "$out"
	expect_match "$(LABEL): stderr comes back" "(^|"$'\n'")to-stderr$" "$err"
}

# holders TOKEN: the processes whose command line holds TOKEN (the pattern
# is spelt so that grep's own command line does not match it).
holders() {
	grep -l -a -e "${1:0:1}[${1:1:1}]${1:2}" /proc/[0-9]*/cmdline 2> /dev/null |
		sed 's|^/proc/\([0-9]*\)/cmdline$|\1|' | tr '\n' ' ' | sed 's/ $//'
}

# signals: SIGTERM to srt, then Ctrl-C on a real terminal. srt forwards both
# to its shell (sh -c 'bwrap ...'): SIGTERM ends it, and bwrap
# --die-with-parent takes the whole sandbox down; the terminal's SIGINT ends
# the foreground bwrap the same way (the sandbox runs in bwrap's own
# session). So srt exits 0 and nothing of the run may survive it, with either
# helper; the command itself is killed, never signalled.
signals() {
	local log=$W/sig.log token pid left
	token=sig-$V-$H-$CTX-$RANDOM
	: > "$log"
	[[ $CTX != nobody-* ]] || chown "$U:$U" "$log"
	runs=$((runs + 1))
	PROOF=$W/proof.$runs
	local cmd=". $S/proof.sh $PROOF; /usr/bin/python3 $S/sig.py $log $token"
	LAST="cd $W && ${RUN[*]@Q} ${cmd@Q}"
	(cd "$W" && exec "${RUN[@]}" "$cmd" < /dev/null > "$W/sig.out" 2>&1) &
	pid=$!
	for _ in $(seq 400); do grep -q ready "$log" && break; sleep 0.05; done
	kill -TERM "$pid"
	for _ in $(seq 400); do kill -0 "$pid" 2> /dev/null || break; sleep 0.05; done
	kill -KILL "$pid" 2> /dev/null
	status=0
	wait "$pid" || status=$?
	for _ in $(seq 100); do [ -z "$(holders "$token")" ] && break; sleep 0.05; done
	left=$(holders "$token")
	# shellcheck disable=SC2086 # a list of PIDs
	[ -z "$left" ] || kill -KILL $left 2> /dev/null
	err=$(cat "$W/sig.out")
	record "SIGTERM to srt: srt's status" "$status"
	record "SIGTERM to srt: the command saw" "$(grep -v ready "$log" | tr '\n' ' ')"
	if check_proof "SIGTERM to srt"; then
		expect_eq "$(LABEL): SIGTERM to srt: srt exits 0" 0 "$status"
		expect_eq "$(LABEL): SIGTERM to srt: no process of the run outlives srt" "" "$left"
	fi

	: > "$log"
	token=pty-$V-$H-$CTX-$RANDOM
	runs=$((runs + 1))
	PROOF=$W/proof.$runs
	cmd=". $S/proof.sh $PROOF; /usr/bin/python3 $S/sig.py $log $token"
	LAST="cd $W && ${RUN[*]@Q} ${cmd@Q}"
	out=$(cd "$W" && /usr/bin/python3 "$ROOT/tests/srt/ctrl-c.py" "$log" "$token" "${RUN[@]}" "$cmd")
	check_proof "Ctrl-C" || return 0
	local -A r=()
	local key value
	while IFS='=' read -r key value; do r[$key]=$value; done <<< "$out"
	record "Ctrl-C on a pty: srt's status" "${r[exit]-}"
	record "Ctrl-C on a pty: the command saw" "${r[saw]-}"
	expect_eq "$(LABEL): Ctrl-C: the command was running" yes "${r[ready]-}"
	expect_eq "$(LABEL): Ctrl-C: srt exits 0" 0 "${r[exit]-}"
	expect_eq "$(LABEL): Ctrl-C: no process of the run outlives srt" none "${r[left]-}"
}

# failure: the helper cannot set up (a PID namespace limit of 1, in a user
# namespace made for the purpose: bwrap's own PID namespace takes it). Ours
# exits 125 without running the command; srt passes the status on.
failure() {
	local -a inner=("${RUN[@]}")
	RUN=(unshare --user --map-root-user sh -c \
		'echo 1 > /proc/sys/user/max_pid_namespaces && exec "$@"' sh "${inner[@]}")
	srt_run 'echo command-ran'
	RUN=("${inner[@]}")
	helper_failed "PID namespaces exhausted"
}

# helper_failed WHAT: the last run was one where the helper cannot work.
helper_failed() {
	record "exit status when the helper fails ($1)" "$status"
	expect_eq "$(LABEL): $1: the command did not run" "" "$out"
	[ ! -e "$PROOF" ] || fail "$(LABEL): $1: the command did not run" "it left a proof: $(cat "$PROOF")"
	[ "$H" = ours ] || return 0
	if [ "$status" = 125 ] && [[ $err == *"apply-seccomp: "* ]]; then
		pass "$(LABEL): $1: exit 125 with apply-seccomp's message"
	else
		fail "$(LABEL): $1: exit 125 with apply-seccomp's message" "status $status" "stderr: $(tail_of "$err")" "$LAST"
	fi
}

# filter_cases: 0.0.46 only, as root: a bpfPath that starts like a blob but
# is cut short, and (ours) srt's own blob under our loader.
filter_cases() {
	local apply=''
	[ "$H" = srt ] || apply="\"applyPath\": \"$OURS\", "
	settings "{\"network\": {\"allowedDomains\": [], \"deniedDomains\": []},
		\"filesystem\": {\"denyRead\": [], \"allowWrite\": [\"$W\"], \"denyWrite\": []},
		\"seccomp\": {$apply\"bpfPath\": \"$S/truncated.bpf\"}}"
	srt_run 'echo command-ran'
	helper_failed "truncated bpfPath"
	[ "$H" = ours ] || return 0
	settings "{\"network\": {\"allowedDomains\": [], \"deniedDomains\": []},
		\"filesystem\": {\"denyRead\": [], \"allowWrite\": [\"$W\"], \"denyWrite\": []},
		\"seccomp\": {\"applyPath\": \"$OURS\"}}"
	srt_run "$S/probe socket-unix; exit 7"
	local want got
	want="filters=2 comm=apply-seccomp argv0=$OURS argv1=$(vendor "$V" unix-block.bpf) status=7 socket-unix=EPERM"
	got="$(grep -E '^(filters|comm|argv0|argv1)=' "$PROOF" 2> /dev/null | tr '\n' ' ')status=$status socket-unix=$out"
	expect_eq "$(LABEL): applyPath alone: our loader runs srt's own blob, the guard stacked" "$want" "$got"
}

# argv0_mode: 0.0.55+ with seccomp.argv0 (multicall helpers) run
# `ARGV0=NAME applyPath ...` without checking that applyPath exists; ours
# ignores ARGV0 and runs as usual.
argv0_mode() {
	settings "{\"network\": {\"allowedDomains\": [], \"deniedDomains\": []},
		\"filesystem\": {\"denyRead\": [], \"allowWrite\": [\"$W\"], \"denyWrite\": []},
		\"seccomp\": {\"applyPath\": \"$OURS\", \"argv0\": \"apply-seccomp\"}}"
	srt_run "$S/probe socketpair-dgram; exit 9"
	check_proof "seccomp.argv0 set" || return 0
	expect_eq "$(LABEL): seccomp.argv0 set: status and filter" "9 EPERM" "$status $out"
}

# distro_layout: what a distribution ships. srt looks for its helper (and,
# up to 0.0.46, its blob) at vendor/seccomp/ARCH/ inside its package; with
# symlinks there to the system's apply-seccomp and blob, srt runs ours with no
# settings at all. The proof's argv0 is then the vendor path; the filter count
# and a datagram socketpair refused tell ours from srt's.
distro_layout() {
	ln -sf "$OURS" "$(vendor "$V" apply-seccomp)"
	at_least "$V" 0.0.47 || ln -sf "$S/unix-block.bpf" "$(vendor "$V" unix-block.bpf)"
	settings "{\"network\": {\"allowedDomains\": [], \"deniedDomains\": []},
		\"filesystem\": {\"denyRead\": [], \"allowWrite\": [\"$W\"], \"denyWrite\": []}}"
	srt_run "$S/probe socketpair-dgram; exit 9"
	local want got
	want="argv0=$(vendor "$V" apply-seccomp) filters=$(at_least "$V" 0.0.47 && echo 1 || echo 2) 9 EPERM"
	got="$(grep -E '^(argv0|filters)=' "$PROOF" 2> /dev/null | sort | tr '\n' ' ')$status $out"
	expect_eq "$(LABEL): vendor/seccomp symlinked to ours, no seccomp settings: ours runs" "$want" "$got"
}

# --- the runs ----------------------------------------------------------------------

for V in "${VERSIONS[@]}"; do
	t0=$(date +%s)
	for H in "${HELPERS[@]}"; do
		for CTX in $(contexts "$V"); do
			enter "$V" "$H" "$CTX"
			identity
			if [[ $CTX == *-relays-strict && $CTX != *-allow ]] || [[ $CTX == *-relays-strict-deny ]]; then
				exits
				signals
			fi
			if [[ $CTX == root-relays-strict* && $CTX != *-allow ]]; then
				failure
				at_least "$V" 0.0.47 || filter_cases
				[ "$H" = srt ] || ! at_least "$V" 0.0.55 || argv0_mode
			fi
		done
	done
	# Last: it replaces srt's own helper in the staged package.
	H=ours
	enter "$V" ours root-relays-strict
	distro_layout
	echo "srt $V: $(($(date +%s) - t0)) s"
done

# --- the comparison table: where ours and srt's own helper differ -----------------

mkdir -p "$(dirname "$REPORT")"
if [ "${HELPERS[*]}" != "ours srt" ]; then
	echo "srt: helpers ${HELPERS[*]} only: no comparison table"
elif /usr/bin/python3 tests/srt/table.py "$TMPDIR_T/results.tsv" "${VERSIONS[*]}" \
	"Written by \`make test-srt\` on $(date -u +%Y-%m-%d): srt ${VERSIONS[*]}," \
	"$("$OURS" --version) ($LOADER), $(bwrap --version), node $(node --version)," \
	"Linux $(uname -r) $(uname -m), Landlock ABI $LANDLOCK. Rows: where the two helpers differ." \
	> "$REPORT.tmp" 2> "$TMPDIR_T/table.err"; then
	mv "$REPORT.tmp" "$REPORT"
	cp "$TMPDIR_T/results.tsv" "${REPORT%.md}.tsv"
	pass "comparison table written"
	echo "srt: the comparison table is in $REPORT"
else
	fail "comparison table" "$(cat "$TMPDIR_T/table.err")"
fi
echo "srt: $runs srt runs in $(($(date +%s) - started)) s"
finish
