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

# --- semantics, oracle, kernel ---------------------------------------------

expect_status "semantics on both arches" 0 "$TB/gen-semantics" filters/unix-block.policy tests/gen/policies/*.policy
[ "$n_fail" -eq 0 ] && printf '  %s\n' "$out"
expect_status "libseccomp oracle" 0 "$TB/gen-oracle" filters/unix-block.policy tests/gen/policies/oracle.policy
[ "$n_fail" -eq 0 ] && printf '  %s\n' "$(tail -1 <<< "$out")"
case $(uname -m) in
x86_64) native=$X86 foreign=$ARM ;;
aarch64) native=$ARM foreign=$X86 ;;
*) native= ;;
esac
if [ -n "$native" ]; then
	expect_status "kernel in the loop ($(uname -m))" 0 "$TB/gen-kernel" "$native" "$foreign"
else
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
	expect_match "verify $a: summary" "ok: $a, [0-9]+ instructions, longest path [0-9]+, 446 of 451 syscall numbers" "$out"
	expect_status "disasm $a" 0 "$GEN" disasm "$blob"
	expect_match "disasm $a names syscalls" "; socket" "$out"
done
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
bad_policy "a comment-only policy" x86_64 ": no default action (add a line such as 'default allow')" '# nothing\n'
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
bad_policy "an unknown action" x86_64 ":2:1: unknown action 'deny' (expected allow, errno, kill-process, kill-thread, trap, log or default)" \
	'default allow\ndeny read\n'
bad_policy "an errno out of range" x86_64 ":1:15: errno 5000 is out of range (0 to 4095)" 'default errno 5000\n'
bad_policy "an unknown errno" x86_64 ":2:7: unknown errno name 'EFOO'" 'default allow\nerrno EFOO read\n'
bad_policy "a rule without a syscall" x86_64 ":2:12: expected a syscall name, found the end of the line" 'default allow\nerrno EPERM\n'
bad_policy "a second default" x86_64 ":3:1: a second default action (the first is on line 1)" 'default allow\nallow read\ndefault errno EPERM\n'
bad_policy "trailing junk" x86_64 ":2:12: expected an argument a0 to a5, found 'x'" 'default allow\nallow read x\n'
bad_policy "junk after a condition" x86_64 ":2:20: expected '&&' or the end of the line, found 'x'" 'default allow\nallow read a0 == 1 x\n'
bad_policy "an unreachable rule" x86_64 ":3:14: this rule is never reached: the rule on line 2 matches first whenever it would" \
	'default allow\nerrno EPERM socket a0 == 1\nerrno EACCES socket a0 == 1 && a1 == 2\n'
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
	"^seccomp-gen: $T/huge.policy: the x86_64 program would have [0-9]+ instructions, more than the kernel's limit of 4096$" "$err"
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

# --- compile to stdout, header ---------------------------------------------

"$GEN" compile --arch x86_64 filters/unix-block.policy > "$T/stdout.bpf"
cmp -s "$T/stdout.bpf" $X86 && pass "compile to standard output" || fail "compile to standard output"
expect_status "header" 0 "$GEN" header -o "$T/builtin.h" $X86 $ARM
cat > "$T/h.c" << 'EOF'
#include <stdio.h>
#include "builtin.h"
int main(void) { printf("%s %zu\n", BUILTIN_FILTER_ARCH, sizeof(builtin_filter) / sizeof(builtin_filter[0])); return 0; }
EOF
if cc -o "$T/h" "$T/h.c" -I"$T" 2> "$T/cc.err"; then
	expect_eq "the header embeds this arch's blob" "$(uname -m) $(($(stat -c %s "$native") / 8))" "$("$T/h")"
else
	fail "the header compiles" "$(cat "$T/cc.err")"
fi
if aarch64-linux-gnu-gcc -c -o "$T/h.o" "$T/h.c" -I"$T" 2> "$T/cc.err"; then
	pass "the header compiles for aarch64"
else
	fail "the header compiles for aarch64" "$(cat "$T/cc.err")"
fi
expect_status "header refuses two blobs of one arch" 1 "$GEN" header -o "$T/two.h" $X86 $X86
[ ! -e "$T/two.h" ] && pass "no header after a refusal" || fail "no header after a refusal"

# --- reproducible: other directories, another compiler; drift is caught ---------

git ls-files -z | tar --null -T - -cf "$T/src.tar"
# SANITIZE= keeps these builds plain: an outer `make SANITIZE=1` reaches them
# through MAKEFLAGS and would move seccomp-gen to build/san/.
for copy in gcc clang; do
	mkdir -p "$T/$copy/tree" && tar -xf "$T/src.tar" -C "$T/$copy/tree"
	if make -s -C "$T/$copy/tree" SANITIZE= HOSTCC=$copy build/seccomp-gen > "$T/$copy.log" 2>&1; then
		for a in x86_64 aarch64; do
			"$T/$copy/tree/build/seccomp-gen" compile --arch $a -o "$T/$copy/$a.bpf" "$T/$copy/tree/filters/unix-block.policy"
			cmp -s "$T/$copy/$a.bpf" filters/$a/unix-block.bpf && pass "reproducible: $copy build, $a" ||
				fail "reproducible: $copy build, $a" "the blob differs from filters/$a/unix-block.bpf"
		done
	else
		fail "reproducible: $copy build" "$(tail -5 "$T/$copy.log")"
	fi
done
expect_status "check-filters passes on a clean tree" 0 make -s -C "$T/gcc/tree" SANITIZE= check-filters
printf 'errno EPERM ptrace\n' >> "$T/gcc/tree/filters/unix-block.policy"
expect_status "check-filters catches drift" 2 make -s -C "$T/gcc/tree" SANITIZE= check-filters
expect_match "check-filters shows the difference" "differs from what seccomp-gen emits" "$out"

finish
