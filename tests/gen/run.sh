#!/usr/bin/env bash
# seccomp-gen's tests: semantics on both arches, the libseccomp oracle, the
# kernel in the loop, the command line, bad input, and reproducible output.
set -u
cd "$(dirname "$0")/../.."
. tests/lib.sh
SUITE=gen

GEN=${GEN:-build/seccomp-gen}
TB=${TB:-build/tests}
X86=filters/x86_64/unix-block.bpf
ARM=filters/aarch64/unix-block.bpf
T=$TMPDIR_T
SANDBOX_SPEC=filters/unix-block.policy+filters/namespaces.policy

# --- semantics, oracle, kernel ---------------------------------------------

expect_status "semantics on both arches" 0 "$TB/gen-semantics" filters/*.policy "$SANDBOX_SPEC" \
	tests/gen/policies/*.policy
[ "$n_fail" -eq 0 ] && printf '  %s\n' "$(tail -1 <<< "$out")"
expect_status "libseccomp oracle" 0 "$TB/gen-oracle" filters/*.policy "$SANDBOX_SPEC" tests/gen/policies/oracle.policy
[ "$n_fail" -eq 0 ] && printf '  %s\n' "$(tail -1 <<< "$out")"
expect_match "libseccomp oracle: every syscall name both know" \
	"x86_64: 3[0-9][0-9] syscall numbers agree.*aarch64: 3[0-9][0-9] syscall numbers agree" "$(tr '\n' ' ' <<< "$out")"
case $(uname -m) in
x86_64 | aarch64) host=$(uname -m) other=$([ "$(uname -m)" = x86_64 ] && echo aarch64 || echo x86_64) ;;
*) host= ;;
esac
if [ -n "$host" ]; then
	native=filters/$host/unix-block.bpf
	"$GEN" compile --arch "$host" -o "$T/actions.bpf" tests/gen/policies/actions.policy
	expect_status "kernel in the loop ($host): sandbox.bpf, observe.bpf (notify), trace" 0 "$TB/gen-kernel" \
		"filters/$host/sandbox.bpf" "filters/$other/sandbox.bpf" "filters/$host/observe.bpf" "$T/actions.bpf"
else
	native=
	fail "kernel in the loop" "no blob for this machine's architecture $(uname -m)"
fi

# The blob as bubblewrap takes it, with no loader: bwrap --seccomp FD.
py_sockets='import socket
for f in (socket.AF_INET, socket.AF_UNIX):
    try:
        socket.socket(f); print(f.name, "ok")
    except OSError as e:
        print(f.name, e.errno)'
if [ -n "$native" ]; then
	expect_status "bwrap --seccomp FD takes the blob" 0 \
		bwrap --ro-bind / / --dev /dev --seccomp 9 /usr/bin/python3 -c "$py_sockets" 9< "$native"
	expect_eq "bwrap --seccomp FD: AF_UNIX gets EPERM, AF_INET works" "AF_INET ok
AF_UNIX 1" "$out"
fi

# --- sim, verify, disasm on the committed blobs ----------------------------

sim_is() { # NAME EXPECTED_ACTION BLOB SYSCALL [ARGS...]
	local name=$1 want=$2
	shift 2
	expect_status "sim: $name" 0 "$GEN" sim "$@"
	expect_eq "sim: $name: action" "$want" "${out%% (*}"
}
for blob in $X86 $ARM; do
	a=$(basename "$(dirname "$blob")")
	sim_is "$a socket(AF_UNIX)" "errno EPERM" "$blob" socket 1 1
	sim_is "$a socket(AF_UNIX | junk)" "errno EPERM" "$blob" socket 0xdeadbeef00000001 1
	sim_is "$a socket(AF_UNIX as -1 sign junk)" "errno EPERM" "$blob" socket 0xffffffff00000001
	sim_is "$a socket(AF_INET)" "allow" "$blob" socket 2 1
	sim_is "$a socketpair(AF_UNIX, DGRAM|CLOEXEC|NONBLOCK)" "errno EPERM" "$blob" socketpair 1 0x80802
	sim_is "$a socketpair(AF_UNIX, RAW)" "errno EPERM" "$blob" socketpair 1 3
	sim_is "$a socketpair(AF_UNIX, STREAM)" "allow" "$blob" socketpair 1 1
	sim_is "$a socketpair(AF_UNIX, SEQPACKET)" "allow" "$blob" socketpair 1 5
	sim_is "$a socketpair(AF_INET, DGRAM)" "allow" "$blob" socketpair 2 2
	for s in io_uring_setup io_uring_enter io_uring_register; do
		sim_is "$a $s" "errno EPERM" "$blob" $s
	done
	sim_is "$a read" "allow" "$blob" read
	sim_is "$a nr -1" "allow" "$blob" -1
	sim_is "$a i386 arch" "kill-process" --arch-value 0x40000003 "$blob" 359 1
	sim_is "$a arm arch" "kill-process" --arch-value 0x40000028 "$blob" 281 1
	expect_status "verify $a" 0 "$GEN" verify "$blob"
	expect_match "verify $a: summary" "ok: $a, [0-9]+ instructions, longest path [0-9]+, 461 of 470 syscall numbers" "$out"
	# Every syscall the guard and unix-block decide by argument or deny: 24
	# (9 + 15) run the filter; the other 446 of 0-469 are cached.
	expect_status "verify $a sandbox" 0 "$GEN" verify filters/$a/sandbox.bpf
	expect_match "verify $a sandbox: summary" "ok: $a, [0-9]+ instructions, longest path [0-9]+, 446 of 470 syscall numbers" "$out"
	expect_status "disasm $a" 0 "$GEN" disasm "$blob"
	expect_match "disasm $a names syscalls" "; socket" "$out"
done
J=0xdeadbeef00000000
for a in x86_64 aarch64; do
	for f in unix-block sandbox; do
		blob=filters/$a/$f.bpf
		sim_is "$a $f socket(AF_VSOCK | junk)" "errno EPERM" "$blob" socket 0xdeadbeef00000028 1
		sim_is "$a $f socket(AF_VSOCK as -1 sign junk)" "errno EPERM" "$blob" socket 0xffffffff00000028
		for s in keyctl add_key request_key; do
			sim_is "$a $f $s" "errno EPERM" "$blob" $s
		done
		sim_is "$a $f ioctl(TIOCSTI)" "errno EPERM" "$blob" ioctl 0 0x5412
		sim_is "$a $f ioctl(TIOCSTI | junk)" "errno EPERM" "$blob" ioctl 0 0xdeadbeef00005412
		sim_is "$a $f ioctl(TIOCLINUX | junk)" "errno EPERM" "$blob" ioctl 3 0xffffffff0000541c
		sim_is "$a $f ioctl(TIOCGWINSZ)" "allow" "$blob" ioctl 0 0x5413
		sim_is "$a $f ioctl(junk only)" "allow" "$blob" ioctl 0 0x0000541200000000
	done
	for f in namespaces sandbox; do
		blob=filters/$a/$f.bpf
		for s in mount umount2 pivot_root setns open_tree open_tree_attr move_mount fsopen fsconfig \
			fsmount fspick mount_setattr; do
			sim_is "$a $f $s" "errno EPERM" "$blob" $s
		done
		sim_is "$a $f clone3" "errno ENOSYS" "$blob" clone3
		for s in clone unshare; do
			sim_is "$a $f $s(CLONE_NEWUSER)" "errno EPERM" "$blob" $s 0x10000000
			sim_is "$a $f $s(CLONE_NEWNS)" "errno EPERM" "$blob" $s 0x20000
			sim_is "$a $f $s(CLONE_NEWUSER|CLONE_NEWPID|CLONE_FILES | junk)" "errno EPERM" "$blob" $s 0xdeadbeef30000400
			sim_is "$a $f $s(CLONE_NEWNS|SIGCHLD | junk)" "errno EPERM" "$blob" $s 0xffffffff00020011
			sim_is "$a $f $s(CLONE_NEWPID|CLONE_NEWNET)" "allow" "$blob" $s 0x60000000
			sim_is "$a $f $s(thread flags)" "allow" "$blob" $s 0x3d0f00
			sim_is "$a $f $s(junk holding the bits)" "allow" "$blob" $s 0x1002000000000011
		done
	done
	sim_is "$a sandbox socket(AF_UNIX)" "errno EPERM" filters/$a/sandbox.bpf socket 0xdeadbeef00000001
	sim_is "$a sandbox io_uring_enter" "errno EPERM" filters/$a/sandbox.bpf io_uring_enter
	sim_is "$a sandbox read" "allow" filters/$a/sandbox.bpf read
	sim_is "$a unix-block mount (the guard's job)" "allow" filters/$a/unix-block.bpf mount
	obs=filters/$a/observe.bpf
	for s in openat2 unlinkat mkdirat mknodat symlinkat linkat renameat renameat2 fchmodat fchmodat2 \
		fchownat utimensat; do
		sim_is "$a observe $s" "notify" "$obs" $s
	done
	sim_is "$a observe openat(O_RDONLY)" "allow" "$obs" openat 3 0 0
	sim_is "$a observe openat(O_RDONLY|O_CLOEXEC|O_DIRECTORY | junk)" "allow" "$obs" openat 3 0 0xffffffff00084000
	for flag in 1 2 0x40 0x200 0x400 0x80241; do
		sim_is "$a observe openat(flags $flag | junk)" "notify" "$obs" openat 3 0 $((J | flag))
	done
	sim_is "$a observe read" "allow" "$obs" read
done
for s in creat unlink rmdir rename link symlink mkdir mknod truncate chmod chown lchown utime utimes; do
	sim_is "x86_64 observe $s" "notify" filters/x86_64/observe.bpf $s
done
sim_is "x86_64 observe open(O_WRONLY | junk)" "notify" filters/x86_64/observe.bpf open 0 0xdeadbeef00000001
sim_is "x86_64 observe open(O_RDONLY)" "allow" filters/x86_64/observe.bpf open 0 0 0x241
expect_status "aarch64 has no open" 1 "$GEN" sim filters/aarch64/observe.bpf open
sim_is "x86_64 x32 socket" "kill-process" $X86 0x40000029 1
sim_is "x86_64 x32 top" "kill-process" $X86 0xfffffffe
sim_is "aarch64 0x40000029 is an ordinary unknown number" "allow" $ARM 0x40000029
expect_match "sim says when the cache answers" "cached" "$("$GEN" sim $X86 read)"

# --- bad blobs --------------------------------------------------------------

bad_blob() { # NAME MESSAGE_REGEX FILE
	expect_status "verify refuses $1" 1 "$GEN" verify "$3"
	expect_match "verify refuses $1: message" "^seccomp-gen: $2" "$err"
}
: > "$T/empty.bpf"
head -c 13 $X86 > "$T/truncated.bpf"
head -c $((4097 * 8)) /dev/zero > "$T/oversized.bpf"
mkdir "$T/dir.bpf"
# A jump past the end: patch jt of instruction 1 to 250.
cp $X86 "$T/badjump.bpf" && printf '\372' | dd of="$T/badjump.bpf" bs=1 seek=10 conv=notrunc status=none
# No arch check: drop the first two instructions.
tail -c +17 $X86 > "$T/noarch.bpf"
# An opcode seccomp refuses (byte load, 0x30) in place of the first load.
cp $X86 "$T/badop.bpf" && printf '\060' | dd of="$T/badop.bpf" bs=1 seek=0 conv=notrunc status=none
# A foreign arch in the check (i386).
cp $X86 "$T/i386.bpf" && printf '\003\000\000\100' | dd of="$T/i386.bpf" bs=1 seek=12 conv=notrunc status=none
bad_blob "an empty blob" ".*empty.bpf: is empty" "$T/empty.bpf"
bad_blob "a truncated blob" ".*truncated.bpf: size 13 is not a multiple of 8" "$T/truncated.bpf"
bad_blob "an oversized blob" ".*oversized.bpf: 4097 instructions, more than the kernel's 4096" "$T/oversized.bpf"
bad_blob "a directory" ".*dir.bpf: is a directory" "$T/dir.bpf"
bad_blob "a missing file" ".*missing.bpf: No such file" "$T/missing.bpf"
bad_blob "a jump out of the program" ".*badjump.bpf: instruction 1: jump out of the program" "$T/badjump.bpf"
bad_blob "a blob without the arch check" ".*noarch.bpf: does not begin by checking seccomp_data.arch" "$T/noarch.bpf"
bad_blob "a refused opcode" ".*badop.bpf: instruction 0: opcode 0x0030 is not allowed" "$T/badop.bpf"
bad_blob "an i386 blob" ".*i386.bpf: is built for i386, which is not a supported target" "$T/i386.bpf"

# --- bad policies: FILE:LINE:COL: message, status 1, no output file ------------

bad_policy() { # NAME ARCH EXPECTED_MESSAGE POLICY_TEXT (printf format)
	local name=$1 arch=$2 want=$3
	printf "$4" > "$T/p.policy"
	rm -f "$T/out.bpf"
	expect_status "refuses $name" 1 "$GEN" compile --arch "$arch" -o "$T/out.bpf" "$T/p.policy"
	expect_eq "refuses $name: message" "seccomp-gen: $T/p.policy$want" "$err"
	[ ! -e "$T/out.bpf" ] && [ -z "$(ls "$T" | grep '\.tmp\.')" ] && pass "refuses $name: nothing written" ||
		fail "refuses $name: nothing written" "an output or temporary file exists"
}
bad_policy "an empty policy" x86_64 ": empty policy" ''
bad_policy "a comment-only policy" x86_64 ":2:1: no default action (add a line such as 'default allow')" '# nothing\n'
bad_policy "binary input" x86_64 ":1:4: NUL byte: this is not a text file" 'ELF\0\1\2'
bad_policy "a control byte" x86_64 ":2:7: unexpected byte 0x01 outside a comment" 'default allow\nallow \001read\n'
bad_policy "a truncated condition" x86_64 ":2:25: expected a value (a number or a constant such as AF_UNIX), found the end of the line" \
	'default allow\nerrno EPERM socket a0 ==\n'
bad_policy "a truncated mask" x86_64 ":2:33: expected ')', found the end of the line" \
	'default allow\nerrno EPERM socketpair (a1 & 0xf'
bad_policy "an unknown syscall" x86_64 ":2:13: unknown syscall 'sockett'" 'default allow\nerrno EPERM sockett\n'
bad_policy "a syscall the arch lacks" aarch64 ":3:7: aarch64 has no syscall 'open' (write 'open?' to skip it where it does not exist)" \
	'default allow\nallow open?\nallow open\n'
bad_policy "an unknown constant" x86_64 ":2:26: unknown constant 'AF_UNIXX'" 'default allow\nerrno EPERM socket a0 == AF_UNIXX\n'
bad_policy "a bad argument" x86_64 ":2:20: expected an argument a0 to a5, found 'a'" 'default allow\nerrno EPERM socket a6 == 1\n'
bad_policy "a bad operator" x86_64 ":2:23: expected a comparison (== != < <= > >=), found '='" 'default allow\nerrno EPERM socket a0 = 1\n'
bad_policy "a dangling &&" x86_64 ":2:30: expected an argument a0 to a5, found the end of the line" 'default allow\nerrno EPERM socket a0 == 1 &&\n'
bad_policy "||" x86_64 ":2:28: there is no '||': write one rule for each alternative" 'default allow\nerrno EPERM socket a0 == 1 || a0 == 2\n'
bad_policy "a masked <" x86_64 ":2:35: a masked argument can only be compared with == or !=" 'default allow\nerrno EPERM socketpair (a1 & 0xf) < 2\n'
bad_policy "a value outside its mask" x86_64 ":2:38: the value has bits outside the mask 0xf, so the test never holds" \
	'default allow\nerrno EPERM socketpair (a1 & 0xf) == 0x10\n'
bad_policy "a 33-bit value" x86_64 ":2:26: value does not fit in 32 bits" 'default allow\nerrno EPERM socket a0 == 0x100000000\n'
bad_policy "a malformed number" x86_64 ":2:26: malformed number" 'default allow\nerrno EPERM socket a0 == 12abc\n'
bad_policy "an unknown action" x86_64 ":2:1: unknown action 'deny' (expected allow, errno, kill-process, kill-thread, trap, log, notify, trace or default)" \
	'default allow\ndeny read\n'
bad_policy "a trace out of range" x86_64 ":2:7: trace 65536 is out of range (0 to 65535)" 'default allow\ntrace 65536 read\n'
bad_policy "a trace without its number" x86_64 ":2:7: expected a number after 'trace', found 'r'" 'default allow\ntrace read\n'
bad_policy "a trace with a name" x86_64 ":2:7: expected a number after 'trace', found 'E'" 'default allow\ntrace EPERM read\n'
bad_policy "a constant whose value differs between the arches" x86_64 \
	":2:21: 'O_DIRECTORY' is 0x10000 on x86_64 and 0x4000 on aarch64, so a policy for both cannot name it" \
	'default allow\nnotify openat (a2 & O_DIRECTORY) != 0\n'
bad_policy "an errno out of range" x86_64 ":1:15: errno 5000 is out of range (0 to 4095)" 'default errno 5000\n'
bad_policy "an unknown errno" x86_64 ":2:7: unknown errno name 'EFOO'" 'default allow\nerrno EFOO read\n'
bad_policy "a rule without a syscall" x86_64 ":2:12: expected a syscall name, found the end of the line" 'default allow\nerrno EPERM\n'
bad_policy "a second default" x86_64 ":3:1: a second default action (the first is on line 1)" 'default allow\nallow read\ndefault errno EPERM\n'
bad_policy "trailing junk" x86_64 ":2:12: expected an argument a0 to a5, found 'x'" 'default allow\nallow read x\n'
bad_policy "junk after a condition" x86_64 ":2:20: expected '&&' or the end of the line, found 'x'" 'default allow\nallow read a0 == 1 x\n'
bad_policy "an unreachable rule" x86_64 ":3:14: this rule is never reached: the rule on line 2 matches first whenever it would" \
	'default allow\nerrno EPERM socket a0 == 1\nerrno EACCES socket a0 == 1 && a1 == 2\n'
# What a policy means, decided exactly (issue 13's counter-examples first).
bad_policy "a condition always true (<= -1)" x86_64 ":2:22: this condition always holds, whatever the argument" \
	'default errno 0xfff\nallow lookup_dcookie a0 <= -1\n'
bad_policy "a contradictory rule" x86_64 ":2:12: this rule never matches: its conditions contradict each other" \
	'default allow\nerrno 2138 timerfd_gettime a2 == AF_IPX && a2 == ENODEV\n'
bad_policy "a condition always true (mask 0)" x86_64 ":2:13: this condition always holds, whatever the argument" \
	'default trap\nallow pause (a5 & 0) == 0\n'
printf 'default kill-thread\nallow io_uring_enter a0 != 0xd3f3dd00\nallow io_uring_enter a0 > 526339\n' > "$T/cover.policy"
"$GEN" compile --arch x86_64 -o "$T/cover.bpf" "$T/cover.policy"
sim_is "two rules that cover every value: allowed" "allow" "$T/cover.bpf" io_uring_enter 0xd3f3dd00
expect_match "two rules that cover every value: cached, no argument test" "cached" "$("$GEN" sim "$T/cover.bpf" io_uring_enter 7)"
expect_match "two rules that cover every value: one cache-eligible number" " 1 of 470 syscall numbers" "$("$GEN" verify "$T/cover.bpf")"
bad_policy "a rule an earlier one covers" x86_64 ":3:5: this rule is never reached: the rule on line 2 matches first whenever it would" \
	'default allow\nallow signalfd a0 > 0x805\nlog signalfd a0 > 0xfffffff8\n'
bad_policy "shadowing across another rule" x86_64 ":4:6: this rule is never reached: the rule on line 2 matches first whenever it would" \
	'default allow\nerrno 1 read a0 == 1\nlog read a1 == 2\ntrap read a0 == 1 && a2 == 3\n'
bad_policy "shadowing with reordered conditions" x86_64 ":3:9: this rule is never reached: the rule on line 2 matches first whenever it would" \
	'default allow\nerrno 1 read a1 == 2 && a0 == 1\nerrno 2 read a0 == 1 && a1 == 2 && a2 == 3\n'
bad_policy "a rule two earlier ones cover" x86_64 ":4:5: this rule is never reached: the rules on lines 2 and 3 match first whenever it would" \
	'default allow\nerrno 1 read a0 < 10\nerrno 2 read a0 >= 10\nlog read a1 == 3\n'
bad_policy "a condition never true (< 0)" x86_64 ":2:14: this condition never holds, whatever the argument" \
	'default allow\nerrno 1 read a0 < 0\n'
bad_policy "a condition always true (>= 0)" x86_64 ":2:14: this condition always holds, whatever the argument" \
	'default allow\nerrno 1 read a0 >= 0\n'
bad_policy "a condition never true (> -1)" x86_64 ":2:14: this condition never holds, whatever the argument" \
	'default allow\nerrno 1 read a0 > -1\n'
printf 'default allow\nerrno EPERM read a0 == 1\nallow read a0 != 1\n' > "$T/same.policy"
expect_status "a last rule that only repeats the default is not dead" 0 "$GEN" compile --arch x86_64 -o "$T/same.bpf" "$T/same.policy"
printf 'default errno EPERM\nallow read a0 < 5\nallow read a0 >= 5\n' > "$T/all.policy"
"$GEN" compile --arch x86_64 -o "$T/all.bpf" "$T/all.policy"
expect_match "allow for every value by two intervals: cached" "cached" "$("$GEN" sim "$T/all.bpf" read 9)"
head -c $((1024 * 1024)) /dev/zero | tr '\0' '#' > "$T/big.policy"
rm -f "$T/out.bpf"
expect_status "refuses a 1 MB policy" 1 "$GEN" compile --arch x86_64 -o "$T/out.bpf" "$T/big.policy"
expect_eq "refuses a 1 MB policy: message" "seccomp-gen: $T/big.policy: policy of 1048576 bytes is larger than the limit of 262144" "$err"
{
	echo "default allow"
	# Distinct values, so that no two syscalls share their checks.
	v=0
	for s in $(sed -n 's/^SYSCALL(\([a-z0-9_]*\), .*/\1/p' gen/syscalls-x86_64.inc); do
		for _ in 1 2 3; do
			v=$((v + 1))
			echo "errno EPERM $s a0 == $v && a1 == $v && a2 == $v && a3 == $v"
		done
	done
} > "$T/huge.policy"
expect_status "refuses a program over 4096 instructions" 1 "$GEN" compile --arch x86_64 -o "$T/out.bpf" "$T/huge.policy"
expect_match "refuses a program over 4096 instructions: message" \
	"^seccomp-gen: $T/huge.policy:[0-9]+:13: with this rule the x86_64 program would have more than the kernel's limit of 4096 instructions \([0-9]+ with all the rules\)$" "$err"
line=$(sed -n 's/^seccomp-gen: [^:]*:\([0-9]*\):.*/\1/p' <<< "$err")
head -n $((line - 1)) "$T/huge.policy" > "$T/fits.policy"
expect_status "the rules before the one named fit" 0 "$GEN" compile --arch x86_64 -o "$T/fits.bpf" "$T/fits.policy"
head -n "$line" "$T/huge.policy" > "$T/over.policy"
expect_status "with the one named, they do not" 1 "$GEN" compile --arch x86_64 -o "$T/over.bpf" "$T/over.policy"
[ ! -e "$T/out.bpf" ] && pass "no output after a refused program" || fail "no output after a refused program"
echo previous > "$T/keep.bpf"
printf 'default allow\nbogus\n' > "$T/p.policy"
"$GEN" compile --arch x86_64 -o "$T/keep.bpf" "$T/p.policy" 2> /dev/null
expect_eq "a failed compile leaves an existing output alone" previous "$(cat "$T/keep.bpf")"

# --- usage ------------------------------------------------------------------

usage_is() { # NAME ARGS...
	local name=$1
	shift
	expect_status "usage: $name" 2 "$GEN" "$@"
	expect_match "usage: $name: prints usage" "usage: seccomp-gen compile" "$err"
}
usage_is "no arguments"
usage_is "unknown command" frobnicate
usage_is "compile without --arch" compile filters/unix-block.policy
usage_is "compile with an unknown arch" compile --arch sparc filters/unix-block.policy
usage_is "compile with an unknown option" compile --arch x86_64 --fast filters/unix-block.policy
usage_is "compile with --arch missing its value" compile filters/unix-block.policy --arch
usage_is "sim without a syscall" sim $X86
usage_is "sim with a bad argument" sim $X86 socket 1x
usage_is "sim with seven arguments" sim $X86 socket 1 2 3 4 5 6 7
usage_is "verify with two blobs" verify $X86 $ARM
usage_is "header without -o" header $X86
expect_status "--help" 0 "$GEN" --help
expect_match "--help prints usage" "seccomp-gen sim" "$out"
expect_status "--version" 0 "$GEN" --version
expect_eq "--version names the version" "seccomp-gen $(cat VERSION)" "$out"
expect_status "sim of a syscall the arch lacks" 1 "$GEN" sim $ARM open
expect_eq "sim of a syscall the arch lacks: message" "seccomp-gen: aarch64 has no syscall 'open'" "$err"

# --- several policies in one program ---------------------------------------

for a in x86_64 aarch64; do
	"$GEN" compile --arch $a -o "$T/sandbox-$a.bpf" filters/unix-block.policy filters/namespaces.policy
	cmp -s "$T/sandbox-$a.bpf" filters/$a/sandbox.bpf && pass "compile A B gives sandbox.bpf ($a)" ||
		fail "compile A B gives sandbox.bpf ($a)"
	# One arch check and one dispatch: a single load of arch, one of nr.
	expect_eq "sandbox.bpf ($a): one arch check, one dispatch" "1 1" \
		"$("$GEN" disasm filters/$a/sandbox.bpf | grep -c '; arch$') $("$GEN" disasm filters/$a/sandbox.bpf | grep -c '; nr$')"
done
# Rules are taken in file order: the first file's rule for read wins.
printf 'default allow\nerrno EPERM read\n' > "$T/first.policy"
printf '# second\ndefault allow\nerrno EACCES read\nerrno EACCES write\n' > "$T/second.policy"
rm -f "$T/out.bpf"
expect_status "a rule of a later file that an earlier file's shadows is refused" 1 \
	"$GEN" compile --arch x86_64 -o "$T/out.bpf" "$T/first.policy" "$T/second.policy"
expect_eq "the refusal names the later file's line and the earlier file" \
	"seccomp-gen: $T/second.policy:3:14: this rule is never reached: the rule on line 2 of $T/first.policy matches first whenever it would" "$err"
printf 'default allow\nerrno EPERM read a0 == 0\n' > "$T/first.policy"
"$GEN" compile --arch x86_64 -o "$T/order.bpf" "$T/first.policy" "$T/second.policy"
sim_is "file order: the first file's rule" "errno EPERM" "$T/order.bpf" read 0
sim_is "file order: the second file's rule after it" "errno EACCES" "$T/order.bpf" read 1
sim_is "file order: the second file's other rule" "errno EACCES" "$T/order.bpf" write
printf '# a comment\n\ndefault   errno EPERM\nallow read\n' > "$T/deny.policy"
rm -f "$T/out.bpf"
expect_status "disagreeing defaults are refused" 1 "$GEN" compile --arch x86_64 -o "$T/out.bpf" "$T/second.policy" "$T/deny.policy"
expect_eq "disagreeing defaults: message at the second default, naming the first" \
	"seccomp-gen: $T/deny.policy:3:11: default errno EPERM disagrees with the default allow of $T/second.policy:2:9; policies compiled together need one default" "$err"
[ ! -e "$T/out.bpf" ] && pass "disagreeing defaults: nothing written" || fail "disagreeing defaults: nothing written"
printf 'default allow\nerrno EPERM socket a0 == AF_UNIXX\n' > "$T/badconst.policy"
expect_status "an error in the second file" 1 "$GEN" compile --arch x86_64 -o "$T/out.bpf" filters/unix-block.policy "$T/badconst.policy"
expect_eq "an error in the second file names it" "seccomp-gen: $T/badconst.policy:2:26: unknown constant 'AF_UNIXX'" "$err"
printf 'default allow\nallow open\n' > "$T/open.policy"
expect_status "a syscall the arch lacks in the second file" 1 "$GEN" compile --arch aarch64 -o "$T/out.bpf" filters/namespaces.policy "$T/open.policy"
expect_eq "a syscall the arch lacks in the second file: message" \
	"seccomp-gen: $T/open.policy:2:7: aarch64 has no syscall 'open' (write 'open?' to skip it where it does not exist)" "$err"
expect_status "a missing second file" 1 "$GEN" compile --arch x86_64 -o "$T/out.bpf" filters/unix-block.policy "$T/missing.policy"
expect_match "a missing second file: message" "missing.policy: No such file" "$err"
printf 'default allow\nallow read ?\n' > "$T/space.policy"
expect_status "a space before '?'" 0 "$GEN" compile --arch x86_64 -o "$T/out.bpf" "$T/space.policy"

# --- compile to stdout, header ---------------------------------------------

"$GEN" compile --arch x86_64 filters/unix-block.policy > "$T/stdout.bpf"
cmp -s "$T/stdout.bpf" $X86 && pass "compile to standard output" || fail "compile to standard output"
expect_status "header of all eight blobs" 0 "$GEN" header -o "$T/builtin.h" filters/x86_64/*.bpf filters/aarch64/*.bpf
cat > "$T/h.c" << 'EOF2'
#include <stdio.h>
#include "builtin.h"
#define N(a) (sizeof(a) / sizeof(a[0]))
int main(void)
{
	printf("%s %zu %zu %zu %zu\n", BUILTIN_FILTER_ARCH, N(filter_unix_block), N(filter_namespaces),
	       N(filter_sandbox), N(filter_observe));
	return 0;
}
EOF2
sizes=
for f in unix-block namespaces sandbox observe; do sizes="$sizes $(($(stat -c %s "filters/$(uname -m)/$f.bpf") / 8))"; done
if cc -Wall -Wextra -Werror -o "$T/h" "$T/h.c" -I"$T" 2> "$T/cc.err"; then
	expect_eq "the header embeds this arch's four blobs" "$(uname -m)$sizes" "$("$T/h")"
else
	fail "the header compiles" "$(cat "$T/cc.err")"
fi
if aarch64-linux-gnu-gcc -Wall -Wextra -Werror -c -o "$T/h.o" "$T/h.c" -I"$T" 2> "$T/cc.err"; then
	pass "the header compiles for aarch64"
else
	fail "the header compiles for aarch64" "$(cat "$T/cc.err")"
fi
printf '#include "builtin.h"\nint main(void) { return filter_sandbox[0].code != 0x20; }\n' > "$T/only.c"
cc -Wall -Wextra -Werror -o "$T/only" "$T/only.c" -I"$T" 2> "$T/cc.err" && "$T/only" &&
	pass "a program using one of the filters builds without warnings" || fail "a program using one filter" "$(cat "$T/cc.err")"
cp filters/x86_64/unix-block.bpf "$T/unix block.bpf"
expect_status "header: a name is the basename, non-alphanumerics as _" 0 "$GEN" header -o "$T/one.h" "$T/unix block.bpf"
expect_match "header: filter_unix_block from 'unix block.bpf'" "filter_unix_block\[\]" "$(cat "$T/one.h")"
header_refuses() { # NAME MESSAGE BLOB...
	local name=$1 want=$2
	shift 2
	rm -f "$T/bad.h"
	expect_status "header refuses $name" 1 "$GEN" header -o "$T/bad.h" "$@"
	expect_eq "header refuses $name: message" "seccomp-gen: $want" "$err"
	[ ! -e "$T/bad.h" ] && pass "header refuses $name: nothing written" || fail "header refuses $name: nothing written"
}
header_refuses "two blobs of one name and arch" \
	"$X86 and $T/unix block.bpf are both filter_unix_block for x86_64" $X86 "$T/unix block.bpf"
header_refuses "a name one arch lacks" \
	"filters/x86_64/observe.bpf gives filter_observe for x86_64, but no blob gives it for aarch64" \
	$X86 $ARM filters/x86_64/observe.bpf
header_refuses "a name the other arch lacks, the other way round" \
	"$X86 gives filter_unix_block for x86_64, but no blob gives it for aarch64" \
	$X86 filters/aarch64/sandbox.bpf filters/x86_64/sandbox.bpf

# --- reproducible: other directories, another compiler; drift is caught ---------

git ls-files -z | tar --null -T - -cf "$T/src.tar"
# SANITIZE= keeps these builds plain: an outer `make SANITIZE=1` reaches them
# through MAKEFLAGS and would move seccomp-gen to build/san/.
for copy in gcc clang; do
	mkdir -p "$T/$copy/tree" && tar -xf "$T/src.tar" -C "$T/$copy/tree"
	if make -s -C "$T/$copy/tree" SANITIZE= HOSTCC=$copy build/seccomp-gen > "$T/$copy.log" 2>&1; then
		for a in x86_64 aarch64; do
			for f in unix-block namespaces observe; do
				"$T/$copy/tree/build/seccomp-gen" compile --arch $a -o "$T/$copy/$a-$f.bpf" "$T/$copy/tree/filters/$f.policy"
			done
			"$T/$copy/tree/build/seccomp-gen" compile --arch $a -o "$T/$copy/$a-sandbox.bpf" \
				"$T/$copy/tree/filters/unix-block.policy" "$T/$copy/tree/filters/namespaces.policy"
			for f in unix-block namespaces sandbox observe; do
				cmp -s "$T/$copy/$a-$f.bpf" filters/$a/$f.bpf && pass "reproducible: $copy build, $a $f" ||
					fail "reproducible: $copy build, $a $f" "the blob differs from filters/$a/$f.bpf"
			done
		done
	else
		fail "reproducible: $copy build" "$(tail -5 "$T/$copy.log")"
	fi
done
tree=$T/gcc/tree
expect_status "check-filters passes on a clean tree" 0 make -s -C "$tree" SANITIZE= check-filters
# A policy edited without regenerating: each blob built from it is stale.
for p in unix-block namespaces observe; do
	cp "$tree/filters/$p.policy" "$T/saved.policy"
	printf 'errno EPERM ptrace\n' >> "$tree/filters/$p.policy"
	expect_status "check-filters catches a stale blob of $p.policy" 2 make -s -C "$tree" SANITIZE= check-filters
	expect_match "check-filters names the stale blob of $p.policy" "filters/x86_64/$p.bpf differs from what seccomp-gen emits" "$out"
	expect_match "check-filters shows the difference for $p.policy" "ptrace" "$out"
	cp "$T/saved.policy" "$tree/filters/$p.policy"
done
# sandbox.bpf alone stale: the namespace guard's rules moved into it by hand.
cp "$tree/filters/x86_64/namespaces.bpf" "$tree/filters/x86_64/sandbox.bpf"
expect_status "check-filters catches a stale sandbox.bpf" 2 make -s -C "$tree" SANITIZE= check-filters
expect_match "check-filters names the stale sandbox.bpf" "filters/x86_64/sandbox.bpf differs" "$out"
tar -xf "$T/src.tar" -C "$tree" filters
printf 'x  x86_64/extra.bpf\n' >> "$tree/filters/SHA256SUMS"
expect_status "check-filters catches a wrong SHA256SUMS" 2 make -s -C "$tree" SANITIZE= check-filters
tar -xf "$T/src.tar" -C "$tree" filters/SHA256SUMS
expect_status "check-filters passes again" 0 make -s -C "$tree" SANITIZE= check-filters

finish
