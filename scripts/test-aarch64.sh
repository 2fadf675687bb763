#!/bin/bash
# Run the aarch64 loader and the committed aarch64 filters on a real aarch64
# Linux kernel: qemu-system-aarch64 (TCG) boots Debian's arm64 cloud kernel
# with an initramfs of busybox, build/aarch64/apply-seccomp, the probe, the
# escape suite's attacker and its helpers, and the programs of tests/aarch64/,
# whose /init (tests/aarch64/init.sh) runs every case as root and as uid
# 65534 and prints `CASE ...` lines and a `SUMMARY` line on the serial
# console. This script passes only when that summary arrives with the
# expected number of cases and no failure.
#
#   scripts/test-aarch64.sh           the whole test (what `make test-aarch64` runs)
#   scripts/test-aarch64.sh --smoke   boot and check the kernel and the test
#                                     programs only; needs no loader
#
# Needs (CI installs them): qemu-system-arm, gcc-aarch64-linux-gnu,
# libc6-dev-arm64-cross, a host cc, dpkg-deb, apt-get. The arm64 kernel and
# busybox-static are fetched with `apt-get download` into build/aarch64-cache/
# (AARCH64_CACHE overrides) and reused from there; that first fetch adds the
# arm64 architecture to dpkg and runs apt-get update when needed (root).
# AARCH64_TIMEOUT (seconds, default 600) bounds the guest's run.
set -euo pipefail

# Every case of tests/aarch64/init.sh; change with it. The full run's, by
# the prefix of their names:
#   kernel/               58  the kernel and the test programs without the
#                             loader (the controls), and the committed blobs
#                             installed with CAP_SYS_ADMIN kept
#   root/, uid65534/     215  each: the loader's cases, fresh and old /proc
#   root/, uid65534/      10, 9  the write observer's cases
#   escape/               41  the escape suite's set-up and controls
#   escape-CONTEXT/       67  each of 8 contexts: 61 attacks and 6 checks
EXPECTED_FULL=1084
EXPECTED_SMOKE=3

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${AARCH64_CACHE:-$ROOT/build/aarch64-cache}
WORK=$ROOT/build/aarch64-test
TIMEOUT=${AARCH64_TIMEOUT:-600}
CROSS_CC=${CROSS_CC:-aarch64-linux-gnu-gcc}
HOSTCC=${HOSTCC:-cc}
MODE=full

die() { echo "test-aarch64: $*" >&2; exit 1; }
say() { echo "test-aarch64: $*"; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

case ${1:-} in
'') ;;
--smoke) MODE=smoke ;;
*) die "usage: $0 [--smoke]" ;;
esac

T0=$(now)

# --- tools ----------------------------------------------------------------

need() { command -v "$1" >/dev/null 2>&1 || die "$1 not found: apt-get install $2"; }
need qemu-system-aarch64 qemu-system-arm
need "$CROSS_CC" "gcc-aarch64-linux-gnu libc6-dev-arm64-cross"
need "$HOSTCC" gcc
need dpkg-deb dpkg
need timeout coreutils
need flock util-linux
case "$ROOT$CACHE" in *[[:space:]]*) die "paths with spaces are not supported: $ROOT, $CACHE" ;; esac

# --- the arm64 kernel and busybox, from Debian, cached -----------------------

apt_updated=
apt_prepare() {
	[ "$(id -u)" = 0 ] || die "$CACHE has no arm64 kernel/busybox yet and fetching them needs root (dpkg --add-architecture arm64, apt-get update)"
	need apt-get apt
	if ! dpkg --print-foreign-architectures | grep -qx arm64; then
		say "dpkg --add-architecture arm64"
		dpkg --add-architecture arm64
		apt_update
	elif ! apt-cache show linux-image-cloud-arm64:arm64 >/dev/null 2>&1; then
		apt_update
	fi
}
apt_update() {
	say "apt-get update"
	apt-get update -qq -o DPkg::Lock::Timeout=120 || die "apt-get update failed"
	apt_updated=1
}

# The versioned image package the meta package points at, as NAME=VERSION.
resolve_kernel() {
	local dep
	dep=$(apt-cache show --no-all-versions linux-image-cloud-arm64:arm64 2>/dev/null |
		sed -n 's/^Depends: \(linux-image-[^ ,]*\) (= \([^)]*\)).*/\1:arm64=\2/p' | head -n 1)
	[ -n "$dep" ] || die "cannot resolve linux-image-cloud-arm64:arm64 to a versioned image package"
	echo "$dep"
}

# apt_download PKG...: into $CACHE, through a scratch directory so that a
# failed download leaves nothing half-written behind.
apt_download() {
	local tmp=$CACHE/download.tmp sandbox=()
	rm -rf "$tmp" && mkdir -p "$tmp"
	# apt's _apt user cannot write into a root-owned build tree.
	[ "$(id -u)" != 0 ] || sandbox=(-o APT::Sandbox::User=root)
	(cd "$tmp" && apt-get download -q "${sandbox[@]}" "$@") >"$tmp.log" 2>&1 || return 1
	mv "$tmp"/*.deb "$CACHE"/ || return 1
	rm -rf "$tmp" "$tmp.log"
}

newest() { local f; f=$(ls "$CACHE"/$1 2>/dev/null | sort -V | tail -n 1) || true; echo "$f"; }

# fetch_missing KERNEL_DEB BUSYBOX_DEB KERNEL_PKG: download what has no .deb yet.
fetch_missing() {
	local pkgs=()
	[ -n "$2" ] || pkgs+=(busybox-static:arm64)
	[ -n "$1" ] || pkgs+=("$3")
	say "apt-get download ${pkgs[*]}"
	apt_download "${pkgs[@]}"
}

fetch() {
	local kdeb bdeb kpkg=
	kdeb=$(newest 'linux-image-*-cloud-arm64_*_arm64.deb')
	bdeb=$(newest 'busybox-static_*_arm64.deb')
	if [ -z "$kdeb" ] || [ -z "$bdeb" ]; then
		apt_prepare
		[ -n "$kdeb" ] || kpkg=$(resolve_kernel)
		if ! fetch_missing "$kdeb" "$bdeb" "$kpkg"; then
			# Stale package lists name versions the mirror no longer has.
			[ -z "$apt_updated" ] || die "apt-get download failed: $(tail -n 1 "$CACHE/download.tmp.log")"
			apt_update
			[ -n "$kdeb" ] || kpkg=$(resolve_kernel)
			fetch_missing "$kdeb" "$bdeb" "$kpkg" ||
				die "apt-get download failed: $(tail -n 1 "$CACHE/download.tmp.log")"
		fi
		kdeb=$(newest 'linux-image-*-cloud-arm64_*_arm64.deb')
		bdeb=$(newest 'busybox-static_*_arm64.deb')
		[ -n "$kdeb" ] && [ -n "$bdeb" ] || die "apt-get download left no .deb in $CACHE"
	fi

	# Extracted once per .deb; the stamp names the .deb it came from.
	if [ "$(cat "$CACHE/Image.from" 2>/dev/null)" != "$(basename "$kdeb")" ]; then
		local x=$CACHE/extract.tmp
		rm -rf "$x" && mkdir -p "$x"
		dpkg-deb --fsys-tarfile "$kdeb" | tar -x -C "$x" --wildcards './boot/vmlinuz-*' './boot/config-*' ||
			die "cannot extract boot/vmlinuz-* from $kdeb"
		mv "$x"/boot/vmlinuz-* "$CACHE/Image"
		mv "$x"/boot/config-* "$CACHE/kernel.config"
		basename "$kdeb" >"$CACHE/Image.from"
		rm -rf "$x"
	fi
	if [ "$(cat "$CACHE/busybox.from" 2>/dev/null)" != "$(basename "$bdeb")" ]; then
		dpkg-deb --fsys-tarfile "$bdeb" | tar -x -O ./bin/busybox >"$CACHE/busybox.tmp" ||
			die "cannot extract bin/busybox from $bdeb"
		mv "$CACHE/busybox.tmp" "$CACHE/busybox"
		basename "$bdeb" >"$CACHE/busybox.from"
	fi

	# What the cases rely on; a kernel flavour without one of these cannot
	# run them (CONFIG_COMPAT: AArch32 programs at all).
	local opt
	for opt in COMPAT USER_NS PID_NS SECCOMP_FILTER IO_URING UNIX INET \
		BLK_DEV_INITRD SERIAL_AMBA_PL011_CONSOLE; do
		grep -qx "CONFIG_$opt=y" "$CACHE/kernel.config" ||
			die "$(cat "$CACHE/Image.from") lacks CONFIG_$opt=y"
	done
}

mkdir -p "$CACHE" "$WORK"
# One run at a time per work directory, one fetch at a time per cache.
exec 8>"$WORK/.lock"
flock 8
exec 9>"$CACHE/.lock"
flock 9
fetch
exec 9>&-
T_FETCH=$(since "$T0")

# --- build ----------------------------------------------------------------

T1=$(now)
LOADER=$ROOT/build/aarch64/apply-seccomp
PROBE=$ROOT/build/aarch64/tests/probe
GEN=$ROOT/build/seccomp-gen
ESCAPE=$ROOT/build/aarch64/tests/escape
ESCAPE_TOOLS="attack daemon session pty suid"
OBSERVE_PROGS="observe-calls observe-listen observe-reuse"
CFLAGS_GUEST=(-std=gnu11 -O2 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wformat=2 -static -s)
if [ "$MODE" = full ]; then
	# A clean environment: `make SANITIZE=1 test`, `make LIBC=musl test` or a
	# CC/CFLAGS meant for the host must not leak into this static cross build.
	targets=("${PROBE#"$ROOT"/}")
	for t in $ESCAPE_TOOLS; do targets+=("${ESCAPE#"$ROOT"/}/escape-$t"); done
	for p in $OBSERVE_PROGS; do targets+=("build/aarch64/tests/$p"); done
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u MAKEOVERRIDES -u CC -u CFLAGS \
		-u LDFLAGS -u CROSS_COMPILE -u LIBC -u SANITIZE \
		make -C "$ROOT" --no-print-directory -j"$(nproc)" ARCH=aarch64 all "${targets[@]}" ||
		die "make ARCH=aarch64 all ${targets[*]} failed"
	for f in "$LOADER" "$PROBE" "$GEN" "$ROOT"/filters/aarch64/{unix-block,namespaces,sandbox}.bpf \
		"$ROOT/filters/x86_64/unix-block.bpf"; do
		[ -f "$f" ] || die "${f#"$ROOT"/} is missing after make ARCH=aarch64"
	done
	"$CROSS_CC" "${CFLAGS_GUEST[@]}" -o "$WORK/calls" "$ROOT/tests/aarch64/calls.c"
	# Older kernels, as filters make this one look: without Landlock (the
	# old-/proc cases), mount_setattr (5.12) or seccomp() (3.17), each
	# answers ENOSYS.
	for c in nolandlock:landlock_create_ruleset no-mount_setattr:mount_setattr no-seccomp:seccomp; do
		printf 'default allow\nerrno ENOSYS %s\n' "${c#*:}" >"$WORK/${c%%:*}.policy"
		"$GEN" compile --arch aarch64 -o "$WORK/${c%%:*}.bpf" "$WORK/${c%%:*}.policy"
	done
	# First operands that start like a blob and are none: a truncated blob,
	# and an executable of whole instructions that do not verify, whose
	# second line would leave a mark if it ran (execvp hands a file without
	# #! to the shell).
	head -c 12 "$ROOT/filters/aarch64/unix-block.bpf" >"$WORK/truncated.bpf"
	{ head -c 8 "$ROOT/filters/aarch64/unix-block.bpf"; printf '\n: > /tmp/ran-broken   \n'; } >"$WORK/broken-blob"
	[ $(($(stat -c %s "$WORK/broken-blob") % 8)) = 0 ] || die "broken-blob is not whole instructions"
fi
# The guest's own programs (static aarch64) and the two host tools.
"$CROSS_CC" "${CFLAGS_GUEST[@]}" -o "$WORK/guest-util" "$ROOT/tests/aarch64/guest-util.c"
"$HOSTCC" -std=gnu11 -O2 -Wall -Wextra -Werror -o "$WORK/mkcpio" "$ROOT/tests/aarch64/mkcpio.c"
"$HOSTCC" -std=gnu11 -O2 -Wall -Wextra -Werror -o "$WORK/mkarm32" "$ROOT/tests/aarch64/mkarm32.c"
"$WORK/mkarm32" "$WORK/arm32-socket"
echo "$MODE" >"$WORK/test-mode"

{
	for d in bin sbin usr usr/bin usr/sbin proc sys dev etc t filters filters/aarch64 filters/x86_64; do
		echo "dir $d 755"
	done
	echo "dir tmp 1777"
	echo "nod dev/console 600 c 5 1"
	echo "file init 755 $ROOT/tests/aarch64/init.sh"
	echo "file bin/busybox 755 $CACHE/busybox"
	echo "slink bin/sh busybox"
	echo "file etc/test-mode 644 $WORK/test-mode"
	echo "file t/guest-util 755 $WORK/guest-util"
	echo "file t/arm32-socket 755 $WORK/arm32-socket"
	echo "file t/not-executable 644 $WORK/test-mode"
	if [ "$MODE" = full ]; then
		echo "file bin/apply-seccomp 755 $LOADER"
		echo "file t/probe 755 $PROBE"
		echo "file t/calls 755 $WORK/calls"
		for t in $ESCAPE_TOOLS; do echo "file t/escape-$t 755 $ESCAPE/escape-$t"; done
		for b in nolandlock no-mount_setattr no-seccomp; do echo "file t/$b.bpf 644 $WORK/$b.bpf"; done
		echo "file t/truncated.bpf 644 $WORK/truncated.bpf"
		echo "file t/broken-blob 755 $WORK/broken-blob"
		for b in unix-block namespaces sandbox; do
			echo "file filters/aarch64/$b.bpf 644 $ROOT/filters/aarch64/$b.bpf"
		done
		echo "file filters/x86_64/unix-block.bpf 644 $ROOT/filters/x86_64/unix-block.bpf"
		for p in $OBSERVE_PROGS; do echo "file t/$p 755 $ROOT/build/aarch64/tests/$p"; done
		echo "file t/expected.sh 644 $ROOT/tests/observe/expected.sh"
	fi
} >"$WORK/initramfs.list"
"$WORK/mkcpio" <"$WORK/initramfs.list" >"$WORK/initramfs.cpio.tmp"
mv "$WORK/initramfs.cpio.tmp" "$WORK/initramfs.cpio"
T_BUILD=$(since "$T1")

# --- boot -----------------------------------------------------------------

LOG=$WORK/console.log
say "booting $(cat "$CACHE/Image.from") ($MODE), console log in ${LOG#"$ROOT"/}"
T2=$(now)
set +e
timeout --kill-after=10 "$TIMEOUT" \
	qemu-system-aarch64 -M virt -cpu cortex-a57 -m 512 -nographic -no-reboot -nic none \
	-kernel "$CACHE/Image" -initrd "$WORK/initramfs.cpio" \
	-append "console=ttyAMA0 panic=-1 quiet" </dev/null 2>&1 |
	sed -u 's/\r$//' | tee "$LOG" | grep --line-buffered -E '^(CASE|SUMMARY|TIME) '
status=("${PIPESTATUS[@]}")
set -e
T_BOOT=$(since "$T2")

# --- verdict --------------------------------------------------------------

expected=$EXPECTED_FULL
[ "$MODE" = full ] || expected=$EXPECTED_SMOKE
show_tail() { echo "--- last lines of $LOG:" >&2; tail -n 25 "$LOG" >&2; }
if [ "${status[0]}" = 124 ] || [ "${status[0]}" = 137 ]; then
	show_tail
	die "the guest did not finish within ${TIMEOUT}s (AARCH64_TIMEOUT)"
fi
[ "${status[0]}" = 0 ] || { show_tail; die "qemu-system-aarch64 exited with status ${status[0]}"; }
summary=$(grep -E '^SUMMARY pass=[0-9]+ fail=[0-9]+$' "$LOG" | tail -n 1) || true
if [ -z "$summary" ]; then
	show_tail
	die "no SUMMARY line from the guest (kernel panic or broken /init?)"
fi
n_pass=$(grep -cE '^CASE [^ ]+ PASS( |$)' "$LOG") || true
n_fail=$(grep -cE '^CASE [^ ]+ FAIL( |$)' "$LOG") || true
[ "$summary" = "SUMMARY pass=$n_pass fail=$n_fail" ] ||
	die "the guest's '$summary' does not match its CASE lines (pass=$n_pass fail=$n_fail)"
say "fetch ${T_FETCH}s, build ${T_BUILD}s, boot+cases ${T_BOOT}s, total $(since "$T0")s"
[ $((n_pass + n_fail)) = "$expected" ] ||
	die "expected $expected cases from the guest ($MODE), got $((n_pass + n_fail)): tests/aarch64/init.sh and EXPECTED_* disagree"
echo "aarch64: $n_pass passed, $n_fail failed"
[ "$n_fail" = 0 ] || die "$n_fail case(s) failed in the aarch64 guest"
