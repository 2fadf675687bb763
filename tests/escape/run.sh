#!/bin/bash
# The escape suite (`make test-escape`; run as root). escape-attack, a hostile
# command, runs inside the sandbox in every context and tries every way out;
# each attack prints one line, BLOCKED and by what, or OPEN. Every cell of
# the table (context x attack) must be BLOCKED, but for the one kind the
# README names as outside the loader's promise: root without bwrap writing a
# root-owned host file (hostfile-write, dev-block-write in root-direct).
#
# Real targets outside, made here: Unix stream and datagram daemons on a path
# and an abstract name that answer with a token (escape-daemon, which also
# logs every answer); a secret under a deny-read bind and a deny-write
# directory; a key in a session keyring made for the run (escape-session);
# the pty whose outer side proves nothing was injected (escape-pty); a
# setuid-root binary on a filesystem without nosuid. Controls first: without
# the sandbox the same attacks must get through, so that BLOCKED means the
# sandbox did it.
#
# Environment (the Makefile sets them): LOADER, EB (the escape-* programs),
# FILTER (a blob for this machine); ESCAPE_BUILTIN (arguments that select the
# built-in filter; default none: the COMMAND form), ESCAPE_SRT_OPTIONS
# (loader options srt's applyPath adds, through a wrapper script; default
# none), ESCAPE_TABLE (where the table goes; default build/escape/escape.md),
# ESCAPE_CONTEXTS (a subset of the contexts, by name).
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
SUITE=escape
ROOT=$(pwd)
ARCH=$(uname -m)
LOADER=${LOADER:-build/apply-seccomp}
EB=${EB:-build/tests/escape}
FILTER=${FILTER:-filters/$ARCH/unix-block.bpf}
BUILTIN=${ESCAPE_BUILTIN:-}
SRT_OPTIONS=${ESCAPE_SRT_OPTIONS:-}
TABLE=${ESCAPE_TABLE:-build/escape/escape.md}
SRT_VERSION=0.0.83
NOBODY=(setpriv --reuid 65534 --regid 65534 --clear-groups)
RUN_TIMEOUT=90
START=$SECONDS

bail() { finish; exit 1; }

prerequisites test-escape "$LOADER" "$FILTER" "$EB"/escape-{attack,suid,session,pty,daemon} -- \
	bwrap setpriv unshare timeout mount node npm socat rg findmnt
if ! SRT_PKG=$(scripts/fetch-srt.sh "$SRT_VERSION" 2> "$TMPDIR_T/fetch.err"); then
	fail "srt $SRT_VERSION could not be installed" "$(tail -n 5 "$TMPDIR_T/fetch.err")"
	bail
fi
SRT_MODULES=$(dirname "$(dirname "$SRT_PKG")")

# --- the targets, in a world-readable scratch directory ---------------------------
T=$TMPDIR_T
if findmnt -no OPTIONS -T "$T" | grep -qw nosuid; then
	fail "$T is on a nosuid filesystem: the setuid-root attack needs one without"
	bail
fi
BIN=$T/bin
mkdir -p "$BIN" "$T/suid" "$T/secretdir" "$T/rw/denied" "$T/sock" "$T/work" "$T/home" "$T/tmp"
cp "$LOADER" "$BIN/apply-seccomp"
cp "$FILTER" "$BIN/filter.bpf"
cp "$EB"/escape-{attack,session,pty} "$BIN/"
cp "$EB/escape-suid" "$T/suid/escape-suid"
chown root:root "$T/suid/escape-suid"
chmod 4755 "$T/suid/escape-suid"
chmod 755 "$BIN" "$BIN"/* "$T/suid" "$T/secretdir" "$T/sock" "$T/work"
chmod 644 "$BIN/filter.bpf"
chmod 777 "$T/rw" "$T/rw/denied" "$T/home" "$T/tmp"
L=$BIN/apply-seccomp
A=$BIN/escape-attack
TOKEN=escape-token-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
SECRET=$T/secretdir/secret.txt
printf '%s\n' "$TOKEN" > "$SECRET"
chmod 644 "$SECRET"
: > "$T/empty"
chmod 644 "$T/empty"
DENYDIR=$T/rw/denied
echo existing > "$DENYDIR/existing"
chmod 666 "$DENYDIR/existing"
HOSTFILE=$T/hostfile
echo host > "$HOSTFILE"
chmod 644 "$HOSTFILE"
KEY_DESC=escape-key-$$

tag=$$-$RANDOM
DAEMON_LOG=$T/daemon.log
"$EB/escape-daemon" "$TOKEN" 600 "$T/sock/stream.sock" "@escape-stream-$tag" \
	"$T/sock/dgram.sock" "@escape-dgram-$tag" > "$DAEMON_LOG" 2>&1 &
DAEMON=$!
trap 'kill "$DAEMON" 2> /dev/null; wait "$DAEMON" 2> /dev/null; rm -rf "$TMPDIR_T"' EXIT
for _ in $(seq 50); do
	grep -q '^ready$' "$DAEMON_LOG" && break
	kill -0 "$DAEMON" 2> /dev/null || break
	sleep 0.1
done
if ! grep -q '^ready$' "$DAEMON_LOG"; then
	fail "escape-daemon did not start" "$(cat "$DAEMON_LOG")"
	bail
fi

CONF=$T/escape.conf
{
	echo "token=$TOKEN"
	echo "stream_path=$T/sock/stream.sock"
	echo "stream_abstract=@escape-stream-$tag"
	echo "dgram_path=$T/sock/dgram.sock"
	echo "dgram_abstract=@escape-dgram-$tag"
	echo "secret=$SECRET"
	echo "secretdir=$T/secretdir"
	echo "denydir=$DENYDIR"
	echo "rwdir=$T/rw"
	echo "hostfile=$HOSTFILE"
	echo "suid=$T/suid/escape-suid"
	echo "key_desc=$KEY_DESC"
	echo "loader=$L"
	echo "conf=$T/escape.conf"
	"$A" --handle "$SECRET" || fail "name_to_handle_at on the secret"
} > "$CONF"
# What the kernel itself answers to each proof call, unfiltered and without
# capabilities (escape-attack's who() compares with it).
proofs=$("${NOBODY[@]}" "$A" --proofs)
expect_match "control: every proof call answered" '^(PROOF [a-z0-9_-]+ E[A-Z0-9]+
?)+$' "$proofs"
printf '%s\n' "$proofs" | sed -n 's/^PROOF \([^ ]*\) \(.*\)$/proof.\1=\2/p' >> "$CONF"
chmod 644 "$CONF"

ATTACKS="unix-stream-path unix-stream-abstract unix-stream-junk-domain unix-dgram-path
unix-dgram-abstract socketpair-dgram-path socketpair-dgram-abstract socketpair-dgram-flags
socketpair-dgram-junk socketpair-raw-path vsock-stream vsock-dgram vsock-junk-domain
io_uring-setup io_uring-enter io_uring-register"
[ "$ARCH" = x86_64 ] && ATTACKS+=" x32-socket int80-socket"
ATTACKS+=" userns-unshare userns-clone userns-clone-junk userns-clone3 mntns-unshare
userns-unmask-binds nested-loader mount-remount-rw umount2-secret open_tree-move_mount pivot_root mount_setattr
fsopen ptrace-attach-pid1 ptrace-seize-pid1 pid1-environ pid1-mem-write process_vm_writev-pid1
pidfd_getfd-pid1 setns-pid1 secret-read open_by_handle denywrite hostfile-write dev-block-write
setuid-root keyring-search request_key add_key tiocsti tiocsti-junk tioclinux tty-steal proc-core_pattern
proc-sysrq-trigger proc-writable proc-net-writable sys-writable outer-mem outer-environ outer-fd outer-root
outer-ptrace outer-pidfd_getfd outer-signal"
ATTACKS=$(echo $ATTACKS)

# verdict OUTPUT NAME: "BLOCKED detail", "OPEN detail" or "" (no report).
verdict() {
	printf '%s\n' "$1" | sed -n "s/^ESCAPE $2 \(BLOCKED\|OPEN\) /\1 /p" | head -n 1
}

# The state outside that no attack may change.
outside_state() {
	echo "denied: $(ls -A "$DENYDIR" | tr '\n' ' ')"
	echo "secret: $(cat "$SECRET")"
	echo "hostfile: $(cat "$HOSTFILE")"
	echo "daemon answers: $(grep -c '^served ' "$DAEMON_LOG")"
}

# run_attack OUTFILE [AS...] -- LAUNCHER...: the attack in a session keyring
# of its own on a new pty; stdout (with the pty's report) in OUTFILE.
run_attack() {
	local outfile=$1 as=()
	shift
	while [ "$1" != -- ]; do as+=("$1"); shift; done
	shift
	timeout -k 5 "$RUN_TIMEOUT" "$BIN/escape-pty" "${as[@]}" "$BIN/escape-session" "$KEY_DESC" "$TOKEN" \
		"$@" > "$outfile" 2> "$outfile.err"
}

# --- controls: without the sandbox the doors are open -------------------------------
out=$T/control.out
run_attack "$out" "${NOBODY[@]}" -- "$A" "$CONF"
control=$(cat "$out")
must_open="unix-stream-path unix-stream-abstract unix-stream-junk-domain unix-dgram-path
unix-dgram-abstract socketpair-dgram-path socketpair-dgram-abstract socketpair-dgram-flags
socketpair-dgram-junk socketpair-raw-path io_uring-setup io_uring-enter io_uring-register userns-unshare userns-clone
userns-clone-junk userns-clone3 nested-loader open_tree-move_mount secret-read denywrite setuid-root
keyring-search request_key add_key tiocsti tiocsti-junk"
[ -e /dev/vsock ] && must_open+=" vsock-stream vsock-junk-domain"
[ "$ARCH" = x86_64 ] && must_open+=" int80-socket"
for a in $must_open; do
	expect_match "control (uid 65534, no sandbox): $a gets through" '^OPEN ' "$(verdict "$control" "$a")"
done
expect_match "control: the pty's outer side sees the injected line" '^PTY injected=[1-9][0-9]* .*escape-tiocsti' \
	"$(grep '^PTY ' "$out")"
expect_match "control: the daemons answered" '^[1-9]' "$(grep -c '^served ' "$DAEMON_LOG")"
# As root without the sandbox, the knobs and the handle are open.
run_attack "$out" -- "$A" "$CONF" fs proc sys
control=$(cat "$out")
root_open="proc-core_pattern proc-writable sys-writable open_by_handle hostfile-write setuid-root"
[ -e /proc/sysrq-trigger ] && root_open+=" proc-sysrq-trigger"
for a in $root_open; do
	expect_match "control (root, no sandbox): $a gets through" '^OPEN ' "$(verdict "$control" "$a")"
done
# An outer process of the same uid and user namespace, seen through a /proc
# that is not the command's own, is open to it.
"${NOBODY[@]}" sleep 60 &
sleeper=$!
for _ in $(seq 50); do [ "$(cat "/proc/$sleeper/comm" 2> /dev/null)" = sleep ] && break; sleep 0.1; done
run_attack "$out" -- unshare --pid --fork "${NOBODY[@]}" "$A" "$CONF" outer
kill "$sleeper"
wait "$sleeper" 2> /dev/null
control=$(cat "$out")
for a in outer-mem outer-environ outer-fd; do
	expect_match "control (uid 65534, a stale /proc): $a gets through" '^OPEN ' "$(verdict "$control" "$a")"
done
rm -f "$DENYDIR/escape-new" "$T/rw/escape-control"

# --- the contexts ----------------------------------------------------------------------
# srt's settings: network restrictions (so that the socat relays run), the
# deny binds, and our loader (through a wrapper when ESCAPE_SRT_OPTIONS asks
# for options).
APPLY=$L
if [ -n "$SRT_OPTIONS" ]; then
	APPLY=$BIN/apply-seccomp-options
	printf '#!/bin/sh\nexec %s %s "$@"\n' "$L" "$SRT_OPTIONS" > "$APPLY"
	chmod 755 "$APPLY"
fi
cp -a "$SRT_MODULES" "$T/node_modules"
chmod -R a+rX "$T/node_modules"
SRT=$T/node_modules/.bin/srt
node -e '
	const [file, apply, secret, rw, denied] = process.argv.slice(1);
	require("fs").writeFileSync(file, JSON.stringify({
		network: { allowedDomains: ["example.com"], deniedDomains: [] },
		filesystem: { denyRead: [secret], allowWrite: [rw], denyWrite: [denied] },
		seccomp: { applyPath: apply },
	}, null, 2) + "\n");
' "$T/srt.json" "$APPLY" "$SECRET" "$T/rw" "$DENYDIR"
chmod 644 "$T/srt.json"

BWRAP=(bwrap --ro-bind / / --dev /dev --proc /proc --unshare-pid --bind "$T/rw" "$T/rw"
	--ro-bind "$DENYDIR" "$DENYDIR" --ro-bind "$T/empty" "$SECRET")
USERNS=(--unshare-user --cap-add CAP_SYS_ADMIN)
# Root without bwrap: the caller sets the deny binds in a mount namespace of
# its own, and the command shares its session and terminal.
DIRECT=(unshare --mount --propagation private /bin/sh -c
	'mount --bind "$1" "$2" && mount --bind "$3" "$3" && mount -o remount,bind,ro "$3" && shift 3 && exec "$@"'
	sh "$T/empty" "$SECRET" "$DENYDIR")
SRT_ENV=(env HOME="$T/home" TMPDIR="$T/tmp")

# name uid form launcher... (form: builtin, filter or srt)
CONTEXTS=(
	"bwrap-nobody|65534|builtin|${NOBODY[*]} -- ${BWRAP[*]} --"
	"bwrap-nobody|65534|filter|${NOBODY[*]} -- ${BWRAP[*]} --"
	"bwrap-userns-nobody|65534|builtin|${NOBODY[*]} -- ${BWRAP[*]} ${USERNS[*]} --"
	"bwrap-userns-nobody|65534|filter|${NOBODY[*]} -- ${BWRAP[*]} ${USERNS[*]} --"
	"bwrap-root|0|builtin|-- ${BWRAP[*]} --"
	"bwrap-root|0|filter|-- ${BWRAP[*]} --"
	"root-direct|0|builtin|-- DIRECT"
	"root-direct|0|filter|-- DIRECT"
	"srt-root-net|0|srt|-- SRT"
	"srt-nobody-net|65534|srt|${NOBODY[*]} -- SRT"
)

mkdir -p "$(dirname "$TABLE")"
CELLS=$T/cells
: > "$CELLS"
COLUMNS_DONE=()
for ctx in "${CONTEXTS[@]}"; do
	IFS='|' read -r name uid form launch <<< "$ctx"
	col="$name $form"
	if [ -n "${ESCAPE_CONTEXTS:-}" ] && [[ " $ESCAPE_CONTEXTS " != *" $name "* ]]; then
		continue
	fi
	COLUMNS_DONE+=("$col")
	# The launcher words: the AS part before "--", the wrapper after it.
	as=()
	read -r -a words <<< "$launch"
	i=0
	while [ "${words[$i]}" != -- ]; do as+=("${words[$i]}"); i=$((i + 1)); done
	wrap=("${words[@]:$((i + 1))}")
	case $form in
	builtin) loader_args=($BUILTIN) ;;
	filter) loader_args=("$BIN/filter.bpf") ;;
	esac
	before=$(outside_state)
	out=$T/$name-$form.out
	case ${wrap[0]:-} in
	DIRECT) cmd=("${DIRECT[@]}" "$L" "${loader_args[@]}" "$A" "$CONF") ;;
	SRT) cmd=("${SRT_ENV[@]}" "$SRT" -s "$T/srt.json" -c "$A $CONF") ;;
	*) cmd=("${wrap[@]}" "$L" "${loader_args[@]}" "$A" "$CONF") ;;
	esac
	(cd "$T/work" && run_attack "$out" "${as[@]}" -- "${cmd[@]}") && status=0 || status=$?
	result=$(cat "$out")
	after=$(outside_state)
	label="[$col]"
	expect_eq "$label the attack ran to the end (status)" 0 "$status"
	[ "$status" = 0 ] || printf '       stderr: %s\n' "$(tail -c 1500 "$out.err")"
	id=$(printf '%s\n' "$result" | grep '^ESCAPE-ID ' | head -n 1)
	want_filters=1
	[ "$form" = filter ] && want_filters=2
	expect_match "$label our loader is the command's parent" \
		"^ESCAPE-ID pid=2 parent=apply-seccomp loader=$L filters=[0-9]+ nnp=1 capeff=0000000000000000 .* uid=$uid\$" "$id"
	expect_match "$label Seccomp_filters is $want_filters" " filters=$want_filters " "$id"
	expect_match "$label every attack reported" '^ESCAPE-END [0-9]+$' "$(grep '^ESCAPE-END' "$out")"
	expect_eq "$label the pty's outer side: nothing injected" "PTY injected=0" "$(grep '^PTY ' "$out")"
	expect_eq "$label nothing changed outside (deny-write dir, secret, host file, daemons)" "$before" "$after"
	for a in $ATTACKS; do
		v=$(verdict "$result" "$a")
		case $v in
		BLOCKED*) pass "$label $a"; cell=BLOCKED ;;
		OPEN*)
			if [ "$name" = root-direct ] && [[ $a == hostfile-write || $a == dev-block-write ]]; then
				pass "$label $a: open, outside the loader's promise (README)"
				cell=EXCEPTION
			else
				fail "$label $a is OPEN" "${v#OPEN }"
				cell=OPEN
			fi ;;
		*) fail "$label $a did not report"; cell=MISSING; v="MISSING no report" ;;
		esac
		printf '%s\t%s\t%s\t%s\n' "$col" "$a" "$cell" "${v#* }" >> "$CELLS"
	done
	printf '%s\t%s\n' "$col" "$id" >> "$T/ids"
	rm -f "$DENYDIR/escape-new" "$DENYDIR/escape-mount" "$DENYDIR/escape-unmask" "$T/rw/escape-control"
done

# --- the table -------------------------------------------------------------------------
short() { case $1 in BLOCKED) echo B ;; OPEN) echo '**OPEN**' ;; EXCEPTION) echo 'E' ;; *) echo '**?**' ;; esac; }
{
	echo "# The escape suite's table"
	echo
	echo "Generated by \`make test-escape\` (tests/escape/run.sh) on $(date -u +%Y-%m-%d),"
	echo "kernel $(uname -r) ($ARCH), $("$L" --version 2> /dev/null || echo 'apply-seccomp ?')"
	echo "(binary sha256 $(sha256sum < "$L" | cut -c1-16); suite at $(git describe --always --dirty 2> /dev/null || echo '?')),"
	echo "$(bwrap --version), srt $SRT_VERSION; the built-in filter selected by"
	echo "${BUILTIN:+\`$BUILTIN\`}${BUILTIN:-the COMMAND form}${SRT_OPTIONS:+, the srt applyPath adding \`$SRT_OPTIONS\`}."
	echo "B: blocked; E: open, outside the loader's promise (README: root without"
	echo "bwrap is no filesystem boundary); **OPEN**: a door."
	echo
	echo "Contexts: bwrap-nobody = \`bwrap --ro-bind / / --dev /dev --proc /proc --unshare-pid\`"
	echo "as uid 65534; bwrap-userns-nobody = the same with \`--unshare-user --cap-add"
	echo "CAP_SYS_ADMIN\`; bwrap-root = bwrap as root; root-direct = apply-seccomp as root"
	echo "without bwrap, in the caller's session and terminal (deny binds set by the"
	echo "caller in a mount namespace); srt-*-net = srt $SRT_VERSION with network"
	echo "restrictions (socat relays running), as root and as uid 65534. Forms:"
	echo "builtin = \`apply-seccomp ${BUILTIN:+$BUILTIN }ATTACK\`, filter = \`apply-seccomp"
	echo "filters/$ARCH/unix-block.bpf ATTACK\`, srt = srt's own call."
	echo
	printf '| attack |'
	for c in "${COLUMNS_DONE[@]}"; do printf ' %s |' "$c"; done
	printf '\n|---|'
	for _ in "${COLUMNS_DONE[@]}"; do printf -- '---|'; done
	printf '\n'
	for a in $ATTACKS; do
		printf '| %s |' "$a"
		for c in "${COLUMNS_DONE[@]}"; do
			printf ' %s |' "$(short "$(awk -F'\t' -v c="$c" -v a="$a" '$1 == c && $2 == a {print $3}' "$CELLS")")"
		done
		printf '\n'
	done
	for c in "${COLUMNS_DONE[@]}"; do
		echo
		echo "## $c"
		echo
		echo "\`$(awk -F'\t' -v c="$c" '$1 == c {print $2}' "$T/ids")\`"
		echo
		echo "| attack | verdict | by what, or what got through |"
		echo "|---|---|---|"
		awk -F'\t' -v c="$c" '$1 == c {gsub(/\|/, "\\|", $4); print "| " $2 " | " $3 " | " $4 " |"}' "$CELLS"
	done
} > "$TABLE"
echo "escape: the table is in $TABLE"
awk -F'\t' '$3 != "BLOCKED" {print "  " $3 ": [" $1 "] " $2}' "$CELLS" | sort -u
echo "escape: $((SECONDS - START)) s"
finish
