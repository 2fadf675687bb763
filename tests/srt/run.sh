#!/bin/bash
# Integration test: apply-seccomp as the loader of a real sandbox runtime.
#
# Installs @anthropic-ai/sandbox-runtime (its CLI is `srt`) at one exact
# version into build/srt (once; later runs reuse it), points srt at OUR loader
# and OUR blob through its settings file:
#     "seccomp": {"applyPath": "<repo>/build/apply-seccomp",
#                 "bpfPath":   "<repo>/filters/<arch>/unix-block.bpf"}
# and checks, through srt, that commands run with their exit status, stdio,
# environment and cwd passed back and forth; that PID 1 inside is our
# apply-seccomp and the command PID 2; that AF_UNIX sockets and io_uring_setup
# fail with EPERM while AF_INET works. The same is done as root and as an
# unprivileged user (the nested user namespace path).
#
# srt silently falls back to its own bundled loader and blob when a configured
# path does not exist, so every run also proves that ours was used: srt's debug
# log names our paths, /proc/1/cmdline inside is our loader and our blob, and
# the command holds no capability even as root (the bundled loader leaves
# root's capabilities in place).
#
# Environment: SRT_LOADER, SRT_BPF override the loader and blob under test
# (`make test-srt` passes the loader of the build variant, LIBC=musl for
# example; point them at srt's bundled ones to see every way those differ from
# our contract). VERBOSE=1 lists passing checks too.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/lib.sh"

SRT_PKG=@anthropic-ai/sandbox-runtime
SRT_VERSION=0.0.46
SRT_PREFIX=$ROOT/build/srt
SRT_DIR=$SRT_PREFIX/node_modules/$SRT_PKG

case $(uname -m) in
x86_64) ARCH=x86_64 ;;
aarch64 | arm64) ARCH=aarch64 ;;
*) ARCH=$(uname -m) ;;
esac
LOADER=${SRT_LOADER:-$ROOT/build/apply-seccomp}
BLOB=${SRT_BPF:-$ROOT/filters/$ARCH/unix-block.bpf}
# srt resolves relative paths against its own cwd: hand it absolute ones.
[[ $LOADER == /* ]] || LOADER=$PWD/$LOADER
[[ $BLOB == /* ]] || BLOB=$PWD/$BLOB
PROBE=${SRT_PROBE:-$ROOT/build/tests/probe}
PYTHON=/usr/bin/python3
SRT_TIMEOUT=120

bail() { # a prerequisite failed: nothing below could mean anything
	finish || true
	exit 1
}

# --- prerequisites: all of them are failures when missing, never skips -------

need_cmd() { # NAME WHY
	if command -v "$1" > /dev/null 2>&1; then pass "prerequisite: $1"; else
		fail "prerequisite: $1 not found" "$2"; fi
}
need_cmd node "install nodejs (srt is a node program)"
need_cmd npm "install npm (to install $SRT_PKG@$SRT_VERSION)"
need_cmd bwrap "install bubblewrap (srt runs every command under bwrap)"
need_cmd socat "install socat (srt's network bridge)"
need_cmd rg "install ripgrep (srt refuses to start without it)"
need_cmd which "install debianutils (srt looks its tools up with which)"
need_cmd bash "srt runs commands with bash -c"
need_cmd setpriv "install util-linux (the unprivileged run)"
need_cmd timeout "install coreutils"
if [ -x "$PROBE" ]; then pass "prerequisite: probe"; else
	need_cmd "$PYTHON" "install python3 (socket probes; or build build/tests/probe)"
fi
for f in "$LOADER" "$BLOB"; do
	if [ -f "$f" ]; then pass "prerequisite: $f"; else
		fail "prerequisite: $f missing" "run make first; srt would silently use its bundled copy instead"
	fi
done
[ "$n_fail" -eq 0 ] || bail

# --- install srt at the exact version, once -----------------------------------

installed_version() {
	node -e 'try { process.stdout.write(require(process.argv[1]).version) } catch (e) {}' \
		"$SRT_DIR/package.json" 2> /dev/null || true
}
if [ "$(installed_version)" != "$SRT_VERSION" ]; then
	echo "srt: installing $SRT_PKG@$SRT_VERSION into ${SRT_PREFIX#"$ROOT"/}"
	mkdir -p "$SRT_PREFIX"
	if ! npm install --prefix "$SRT_PREFIX" --no-audit --no-fund "$SRT_PKG@$SRT_VERSION" \
		> "$TMPDIR_T/npm.log" 2>&1; then
		fail "npm install $SRT_PKG@$SRT_VERSION" "$(tail -n 20 "$TMPDIR_T/npm.log")"
		bail
	fi
fi
expect_eq "srt version installed" "$SRT_VERSION" "$(installed_version)"
SRT=$SRT_PREFIX/node_modules/.bin/srt
if [ -x "$SRT" ]; then pass "srt CLI present"; else fail "srt CLI present" "no $SRT"; bail; fi

# --- helpers --------------------------------------------------------------------

# The probe, or when build/tests/probe was not built, a stand-in with the same
# interface for the checks used here (tests/probe.c): prints `ok` or the errno
# name.
cat > "$TMPDIR_T/probe.py" << 'EOF'
import ctypes, errno, os, socket, sys

libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
NR = {"x86_64": {"socket": 41, "io_uring_setup": 425},
      "aarch64": {"socket": 198, "io_uring_setup": 425}}[os.uname().machine]

def syscall(name, *args):
    r = libc.syscall(ctypes.c_long(NR[name]), *[ctypes.c_long(a) for a in args])
    if r < 0:
        raise OSError(ctypes.get_errno(), name)
    return r

def run(what):
    if what == "socket-unix":
        socket.socket(socket.AF_UNIX, socket.SOCK_STREAM).close()
    elif what == "socket-unix-junk":  # AF_UNIX with junk in the upper 32 bits
        os.close(syscall("socket", 0xdeadbeef00000001 - (1 << 64), socket.SOCK_STREAM, 0))
    elif what == "socket-inet":
        socket.socket(socket.AF_INET, socket.SOCK_STREAM).close()
    elif what in ("socketpair-dgram", "socketpair-stream"):
        kind = socket.SOCK_DGRAM if what == "socketpair-dgram" else socket.SOCK_STREAM
        for s in socket.socketpair(socket.AF_UNIX, kind):
            s.close()
    elif what == "io_uring-setup":  # io_uring_setup(1, NULL): EFAULT when allowed
        syscall("io_uring_setup", 1, 0)
    else:
        sys.exit("probe.py: unknown check " + what)

try:
    run(sys.argv[1])
    print("ok")
except OSError as e:
    print(errno.errorcode.get(e.errno, "E%d" % e.errno))
EOF
chmod 644 "$TMPDIR_T/probe.py"
if [ -x "$PROBE" ]; then PROBE_CMD=$PROBE; else PROBE_CMD="$PYTHON $TMPDIR_T/probe.py"; fi
PROBES="socket-unix socket-unix-junk socketpair-dgram socketpair-stream socket-inet io_uring-setup"

# write_settings FILE LOADER BLOB [WEAKER]: srt's settings; an empty LOADER or
# BLOB leaves that key out (srt then uses its bundled one); WEAKER=1 sets
# enableWeakerNestedSandbox (bwrap --unshare-user --bind /proc /proc instead of
# --proc /proc, srt's mode for unprivileged containers).
write_settings() {
	node -e '
		const [file, applyPath, bpfPath, weaker] = process.argv.slice(1);
		const seccomp = {};
		if (applyPath) seccomp.applyPath = applyPath;
		if (bpfPath) seccomp.bpfPath = bpfPath;
		const settings = {
			network: { allowedDomains: [], deniedDomains: [] },
			filesystem: { denyRead: [], allowWrite: [], denyWrite: [] },
			seccomp,
		};
		if (weaker === "1") settings.enableWeakerNestedSandbox = true;
		require("fs").writeFileSync(file, JSON.stringify(settings, null, 2) + "\n");
	' "$1" "$2" "$3" "${4:-0}"
	chmod 644 "$1"
}

# srt_run SETTINGS WORKDIR TMP COMMAND-STRING [AS...]: runs COMMAND-STRING
# through srt (srt -c: handed to bash -c unchanged) from WORKDIR with srt's
# debug log on and its temporary files in TMP, stdin from $SRT_STDIN (default
# /dev/null), optionally as another user (AS: a setpriv prefix). Sets $out,
# $err, $status.
srt_run() {
	local settings=$1 workdir=$2 tmp=$3 cmd=$4
	shift 4
	status=0
	out=$(cd "$workdir" && "$@" env TMPDIR="$tmp" SRT_DEBUG=1 \
		timeout "$SRT_TIMEOUT" "$SRT_CLI" -s "$settings" -c "$cmd" \
		< "${SRT_STDIN:-/dev/null}" 2> "$TMPDIR_T/srt.err") || status=$?
	err=$(cat "$TMPDIR_T/srt.err")
	# srt's debug lines are for us; what the command wrote to stderr is the rest.
	cmd_err=$(grep -v '^\[SandboxDebug\]' "$TMPDIR_T/srt.err" || true)
}

# expect_contains NAME NEEDLE HAYSTACK (a literal substring, not a regex)
expect_contains() {
	if [[ $3 == *"$2"* ]]; then pass "$1"; else fail "$1" "expected to contain: $2" "got: ${3: -1500}"; fi
}

# get KEY: the value of the first KEY=... line of $out
get() {
	printf '%s\n' "$out" | sed -n "s/^$1=//p" | head -n 1
}

# info_cmd PROBE-COMMAND: the command run inside for the identity checks, one
# line per fact. srt always runs commands as bash -c, so $$ is the PID
# apply-seccomp gave to the command.
info_cmd() {
	# shellcheck disable=SC2016 # expanded inside the sandbox, not here
	printf '%s\n' 'echo "pid=$$"
echo "comm1=$(cat /proc/1/comm)"
echo "argv0=$(tr "\0" "\n" < /proc/1/cmdline | sed -n 1p)"
echo "argv1=$(tr "\0" "\n" < /proc/1/cmdline | sed -n 2p)"
echo "argv2=$(tr "\0" "\n" < /proc/1/cmdline | sed -n 3p)"
echo "capeff=$(sed -n "s/^CapEff:[[:space:]]*//p" /proc/self/status)"
echo "capprm=$(sed -n "s/^CapPrm:[[:space:]]*//p" /proc/self/status)"
echo "nnp=$(sed -n "s/^NoNewPrivs:[[:space:]]*//p" /proc/self/status)"
echo "seccomp=$(sed -n "s/^Seccomp:[[:space:]]*//p" /proc/self/status)"
echo "uid=$(id -u)"
echo "cwd=$(pwd)"
echo "env=$SANDBOX_RUNTIME"
echo "visible=$(cat /proc/[0-9]*/comm 2>/dev/null | sort -u | tr "\n" " ")"
for p in '"$PROBES"'; do echo "probe-$p=$('"$1"' $p)"; done'
}

# The exit statuses checked: all of them in the first context, two after.
EXIT_CASES=("exit 0:0" "exit 1:1" "exit 42:42" "no-such-command-xyz:127" 'kill -KILL $$:137' 'kill -TERM $$:143')

# check_run LABEL SETTINGS WORKDIR TMP LOADER BLOB UID PROBE-COMMAND [AS...]
# Everything the issue asks for, through srt, in one context.
check_run() {
	local label=$1 settings=$2 workdir=$3 tmp=$4 loader=$5 blob=$6 uid=$7 probe=$8
	shift 8

	# A command runs and its status comes back.
	local c want
	for c in "${EXIT_CASES[@]}"; do
		want=${c##*:}
		srt_run "$settings" "$workdir" "$tmp" "${c%:*}" "$@"
		if [ "$status" = "$want" ]; then pass "$label: srt -c '${c%:*}' exits $want"; else
			fail "$label: srt -c '${c%:*}' exits $want" "got status $status" \
				"stdout: ${out:0:300}" "stderr: ${cmd_err:0:600}"
		fi
	done

	# stdin, stdout and stderr pass through srt, bwrap and the loader.
	SRT_STDIN=$TMPDIR_T/stdin srt_run "$settings" "$workdir" "$tmp" 'cat; echo to-stderr >&2' "$@"
	expect_eq "$label: stdin reaches the command, stdout comes back" "from-stdin" "$out"
	expect_eq "$label: stderr comes back" "to-stderr" "$cmd_err"

	# Identity, process model and filter, in one run.
	srt_run "$settings" "$workdir" "$tmp" "$(info_cmd "$probe")" "$@"
	if [ "$status" != 0 ]; then
		fail "$label: identity run" "status $status" "stdout: ${out:0:600}" "stderr: ${err: -1500}"
		return
	fi
	# srt took our paths (it silently falls back to its bundled copies when a
	# configured path does not exist) ...
	expect_contains "$label: srt uses our loader" \
		"Using apply-seccomp binary from explicit path: $loader"$'\n' "$err"$'\n'
	expect_contains "$label: srt uses our blob" \
		"Using BPF filter from explicit path: $blob"$'\n' "$err"$'\n'
	expect_match "$label: srt wraps with seccomp" "Wrapped command with bwrap \(.*seccomp\(unix-block\)" "$err"
	# ... and PID 1 inside really is that loader, run on that blob.
	expect_eq "$label: PID 1 inside is apply-seccomp (/proc/1/comm)" "apply-seccomp" "$(get comm1)"
	expect_eq "$label: PID 1 runs our loader (/proc/1/cmdline argv[0])" "$loader" "$(get argv0)"
	expect_eq "$label: PID 1 runs our blob (/proc/1/cmdline argv[1])" "$blob" "$(get argv1)"
	expect_match "$label: srt hands the loader its shell" "^/.*/bash$" "$(get argv2)"
	expect_eq "$label: the command is PID 2" "2" "$(get pid)"
	expect_eq "$label: uid inside" "$uid" "$(get uid)"
	expect_eq "$label: no capability effective" "0000000000000000" "$(get capeff)"
	expect_eq "$label: no capability permitted" "0000000000000000" "$(get capprm)"
	expect_eq "$label: no_new_privs" "1" "$(get nnp)"
	expect_eq "$label: seccomp filter mode" "2" "$(get seccomp)"
	expect_eq "$label: cwd passes through" "$workdir" "$(get cwd)"
	expect_eq "$label: environment passes through (SANDBOX_RUNTIME set by srt)" "1" "$(get env)"
	local visible
	visible=" $(get visible)"
	if [[ $visible == *" apply-seccomp "* && $visible != *" bwrap "* && $visible != *" socat "* ]]; then
		pass "$label: only the inner PID namespace is visible"
	else
		fail "$label: only the inner PID namespace is visible" "comms in /proc:$visible"
	fi
	expect_eq "$label: socket(AF_UNIX) fails with EPERM" "EPERM" "$(get probe-socket-unix)"
	expect_eq "$label: socket(AF_UNIX | junk << 32) fails with EPERM" "EPERM" "$(get probe-socket-unix-junk)"
	expect_eq "$label: socketpair(AF_UNIX, SOCK_DGRAM) fails with EPERM" "EPERM" "$(get probe-socketpair-dgram)"
	expect_eq "$label: socketpair(AF_UNIX, SOCK_STREAM) works" "ok" "$(get probe-socketpair-stream)"
	expect_eq "$label: socket(AF_INET) works" "ok" "$(get probe-socket-inet)"
	expect_eq "$label: io_uring_setup fails with EPERM" "EPERM" "$(get probe-io_uring-setup)"
}

# --- controls: outside any sandbox the probes succeed, so EPERM inside means
# --- the filter ------------------------------------------------------------------

for p in socket-unix socket-unix-junk socketpair-dgram io_uring-setup; do
	r=$($PROBE_CMD "$p" 2>&1 || true)
	if [[ $r != EPERM && $r =~ ^(ok|E[A-Z0-9]+)$ ]]; then pass "control: $p allowed outside the sandbox"; else
		fail "control: $p allowed outside the sandbox" "got: $r" \
			"(the host itself refuses it: EPERM inside would prove nothing)"
	fi
done

printf 'from-stdin' > "$TMPDIR_T/stdin"
chmod 644 "$TMPDIR_T/stdin"

# --- as the invoking user (root in CI) --------------------------------------------

mkdir -p "$TMPDIR_T/work" "$TMPDIR_T/tmp"
write_settings "$TMPDIR_T/settings.json" "$LOADER" "$BLOB"
SRT_CLI=$SRT
check_run "$(id -un)" "$TMPDIR_T/settings.json" "$TMPDIR_T/work" "$TMPDIR_T/tmp" \
	"$LOADER" "$BLOB" "$(id -u)" "$PROBE_CMD"

EXIT_CASES=("exit 42:42" 'kill -TERM $$:143')

# --- srt's mode for unprivileged containers: bwrap makes a user namespace and
# --- binds the host /proc, the loader mounts the fresh one --------------------

write_settings "$TMPDIR_T/weaker.json" "$LOADER" "$BLOB" 1
check_run "enableWeakerNestedSandbox" "$TMPDIR_T/weaker.json" "$TMPDIR_T/work" "$TMPDIR_T/tmp" \
	"$LOADER" "$BLOB" "$(id -u)" "$PROBE_CMD"

# --- mixed setups a user of srt can end up with ------------------------------------

SRT_VENDOR=$SRT_DIR/vendor/seccomp/$( [ "$ARCH" = aarch64 ] && echo arm64 || echo x64)

# Only applyPath set: srt hands OUR loader ITS bundled blob, which must load.
write_settings "$TMPDIR_T/apply-only.json" "$LOADER" ""
srt_run "$TMPDIR_T/apply-only.json" "$TMPDIR_T/work" "$TMPDIR_T/tmp" "$(info_cmd "$PROBE_CMD")"
expect_eq "applyPath only: srt's bundled blob runs under our loader" "0" "$status"
expect_eq "applyPath only: PID 1 runs our loader" "$LOADER" "$(get argv0)"
expect_eq "applyPath only: on srt's blob" "$SRT_VENDOR/unix-block.bpf" "$(get argv1)"
expect_eq "applyPath only: the command is PID 2" "2" "$(get pid)"
expect_eq "applyPath only: socket(AF_UNIX) fails with EPERM" "EPERM" "$(get probe-socket-unix)"

# Only bpfPath set: srt's bundled loader runs OUR blob (what a packager
# shipping only the blobs gets), so the blob must suit that loader too.
write_settings "$TMPDIR_T/bpf-only.json" "" "$BLOB"
srt_run "$TMPDIR_T/bpf-only.json" "$TMPDIR_T/work" "$TMPDIR_T/tmp" "$(info_cmd "$PROBE_CMD")"
expect_eq "bpfPath only: our blob runs under srt's bundled loader" "0" "$status"
expect_eq "bpfPath only: PID 1 runs srt's loader" "$SRT_VENDOR/apply-seccomp" "$(get argv0)"
expect_eq "bpfPath only: on our blob" "$BLOB" "$(get argv1)"
for p in socket-unix socket-unix-junk socketpair-dgram io_uring-setup; do
	expect_eq "bpfPath only: $p fails with EPERM" "EPERM" "$(get "probe-$p")"
done
expect_eq "bpfPath only: socket-inet works" "ok" "$(get probe-socket-inet)"

# A blob for the other architecture: our loader refuses it (125, the command
# never runs) and srt passes that status on.
case $ARCH in x86_64) OTHER=aarch64 ;; *) OTHER=x86_64 ;; esac
[ -f "$ROOT/filters/$OTHER/unix-block.bpf" ] ||
	fail "wrong-arch blob: filters/$OTHER/unix-block.bpf missing" "srt would silently use its bundled blob"
write_settings "$TMPDIR_T/wrong-arch.json" "$LOADER" "$ROOT/filters/$OTHER/unix-block.bpf"
srt_run "$TMPDIR_T/wrong-arch.json" "$TMPDIR_T/work" "$TMPDIR_T/tmp" 'echo command-ran'
expect_contains "wrong-arch blob: srt passes it on" \
	"Using BPF filter from explicit path: $ROOT/filters/$OTHER/unix-block.bpf"$'\n' "$err"$'\n'
expect_eq "wrong-arch blob: srt exits 125" "125" "$status"
expect_eq "wrong-arch blob: the command did not run" "" "$out"
expect_match "wrong-arch blob: the loader says why" "apply-seccomp: " "$cmd_err"

# --- as an unprivileged user: the loader makes its own user namespace -------------
# The repository may sit where that user cannot read (/root), so it gets
# copies of the loader, the blob and srt in the scratch directory.

if [ "$(id -u)" = 0 ]; then
	U=65534
	UD=$TMPDIR_T/unpriv
	mkdir -p "$UD/work" "$UD/tmp"
	cp "$LOADER" "$UD/apply-seccomp"
	cp "$BLOB" "$UD/unix-block.bpf"
	cp -a "$SRT_PREFIX/node_modules" "$UD/node_modules"
	UPROBE=$PROBE_CMD
	if [ -x "$PROBE" ]; then cp "$PROBE" "$UD/probe" && UPROBE=$UD/probe; fi
	chmod -R a+rX "$UD"
	chown "$U:$U" "$UD/work" "$UD/tmp"
	write_settings "$UD/settings.json" "$UD/apply-seccomp" "$UD/unix-block.bpf"
	SRT_CLI=$UD/node_modules/.bin/srt
	check_run "uid $U" "$UD/settings.json" "$UD/work" "$UD/tmp" \
		"$UD/apply-seccomp" "$UD/unix-block.bpf" "$U" "$UPROBE" \
		setpriv --reuid="$U" --regid="$U" --clear-groups env HOME="$UD/work"
else
	echo "srt: not root; the run above was the unprivileged one"
fi

finish
