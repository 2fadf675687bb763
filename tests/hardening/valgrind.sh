#!/usr/bin/env bash
# valgrind memcheck over seccomp-gen: every command (compile, disasm, sim,
# verify, header, usage) on every test policy and blob, and the error paths
# (bad policies, bad blobs, bad usage). Any memory error fails, and so does
# any leak: of any kind (definite, indirect, possible, still reachable) on a
# run that succeeds; of any kind but still reachable on one that fails (die()
# ends the process there on purpose, with what it holds still in reach).
# usage: tests/hardening/valgrind.sh [SECCOMP_GEN]   (a plain build, not ASan)
set -u
cd "$(dirname "$0")/../.."
. tests/lib.sh
SUITE=valgrind
GEN=${1:-build/seccomp-gen}
T=$TMPDIR_T
VG=(valgrind -q --error-exitcode=99 --leak-check=full --track-fds=yes --log-file="$T/vg.%p")
runs=0

# vg WANT_STATUS ARGS...: seccomp-gen under valgrind must exit WANT_STATUS
# (valgrind's 99 means a memory error or a leak) and report nothing.
vg() {
	local want=$1 status kinds=all
	shift
	[ "$want" = 0 ] || kinds=definite,indirect,possible
	runs=$((runs + 1))
	rm -f "$T"/vg.*
	"${VG[@]}" --show-leak-kinds=$kinds --errors-for-leak-kinds=$kinds "$GEN" "$@" \
		> "$T/out" 2> "$T/err" < /dev/null && status=0 || status=$?
	# --track-fds lists the fds open at exit: those seccomp-gen opened itself
	# (not "inherited from parent") must all be closed.
	if [ "$status" = "$want" ] && ! grep -q 'ERROR SUMMARY\|lost\|reachable\|Invalid\|uninitialised' "$T"/vg.* &&
		! grep -A1 'Open file descriptor' "$T"/vg.* | grep -q '==.*  at 0x'; then
		pass "seccomp-gen $*"
	else
		fail "seccomp-gen $*" "status $status, want $want" "$(cat "$T"/vg.* "$T/err" 2> /dev/null | head -30)"
	fi
}

policies=(filters/unix-block.policy tests/gen/policies/*.policy)
blobs=(filters/x86_64/unix-block.bpf filters/aarch64/unix-block.bpf)
for p in "${policies[@]}"; do
	for a in x86_64 aarch64; do
		out=$T/$(basename "$p" .policy)-$a.bpf
		vg 0 compile --arch $a -o "$out" "$p"
		blobs+=("$out")
	done
done
for b in "${blobs[@]}"; do
	vg 0 verify "$b"
	vg 0 disasm "$b"
	vg 0 sim "$b" socket 1 0xdeadbeef00000002 3
done
vg 0 sim --arch-value 0x40000003 --ip 0x1234 filters/x86_64/unix-block.bpf 0xffffffff
# Hand-made blobs: scratch memory, RET A, arithmetic by X, far jumps.
for b in tests/fuzz/corpus/verify/{scratch,ret-a,alu-x,ja}.bpf; do
	vg 0 disasm "$b"
	vg 0 sim "$b" 0 7 33
done
vg 0 header -o "$T/builtin.h" filters/x86_64/unix-block.bpf filters/aarch64/unix-block.bpf
vg 0 compile --arch x86_64 filters/unix-block.policy > /dev/null

# Error paths: each must free what it holds before it exits.
for p in tests/fuzz/corpus/policy/bad-*.policy tests/fuzz/corpus/policy/empty.policy; do
	vg 1 compile --arch x86_64 -o "$T/bad.bpf" "$p"
done
for b in tests/fuzz/corpus/verify/bad-*.bpf; do
	vg 1 verify "$b"
done
vg 1 compile --arch aarch64 -o "$T/bad.bpf" tests/gen/policies/ops.policy.missing
vg 1 verify "$T"
vg 1 header -o "$T/two.h" filters/x86_64/unix-block.bpf filters/x86_64/unix-block.bpf
vg 1 sim filters/aarch64/unix-block.bpf open
vg 2 compile --arch sparc filters/unix-block.policy
vg 2 sim filters/x86_64/unix-block.bpf socket 1x
vg 2 frobnicate
vg 0 --help
vg 0 --version
printf '%s\n' "  $runs runs of seccomp-gen under valgrind memcheck"
finish
