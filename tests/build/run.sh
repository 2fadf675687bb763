#!/usr/bin/env bash
# The build as packagers and users meet it: install and uninstall, both
# tools' --help and --version, man pages, a cross build for aarch64, a musl
# build under 100 KB, and a clang build with the same warnings as errors.
set -u
cd "$(dirname "$0")/../.."
. tests/lib.sh
SUITE=build
T=$TMPDIR_T
version=$(cat VERSION)

# Everything here is a release build in a copy of the tree, whatever the
# outer make was given (SANITIZE=1 reaches nested makes through MAKEFLAGS).
git ls-files -z | tar --null -T - -cf "$T/src.tar"
mkdir -p "$T/src" && tar -xf "$T/src.tar" -C "$T/src"
m() { make -s -C "$T/src" SANITIZE= "$@"; }

# --- install, uninstall -------------------------------------------------------
expect_status "make install" 0 m install DESTDIR="$T/root" PREFIX=/usr
installed_filters=usr/share/apply-seccomp/filters
for f in usr/bin/apply-seccomp usr/bin/seccomp-gen $installed_filters/SHA256SUMS \
	$installed_filters/{unix-block,namespaces,observe}.policy \
	$installed_filters/{x86_64,aarch64}/{unix-block,namespaces,sandbox,observe}.bpf \
	usr/share/man/man1/apply-seccomp.1 usr/share/man/man1/seccomp-gen.1; do
	[ -f "$T/root/$f" ] && pass "installs /$f" || fail "installs /$f"
done
expect_status "installed blobs match SHA256SUMS" 0 bash -c "cd '$T/root/usr/share/apply-seccomp/filters' && sha256sum --quiet -c SHA256SUMS"
expect_status "installed seccomp-gen --version" 0 "$T/root/usr/bin/seccomp-gen" --version
expect_eq "seccomp-gen --version" "seccomp-gen $version" "$out"
expect_status "installed apply-seccomp --version" 0 "$T/root/usr/bin/apply-seccomp" --version
expect_eq "apply-seccomp --version" "apply-seccomp $version" "$out"
expect_status "apply-seccomp --help" 0 "$T/root/usr/bin/apply-seccomp" --help
expect_match "apply-seccomp --help shows usage" "usage: apply-seccomp .*FILTER COMMAND" "$out"
expect_status "seccomp-gen --help" 0 "$T/root/usr/bin/seccomp-gen" --help
expect_status "installed apply-seccomp runs a command with an installed blob" 0 \
	"$T/root/usr/bin/apply-seccomp" "$T/root/usr/share/apply-seccomp/filters/$(uname -m)/unix-block.bpf" /bin/true
file "$T/root/usr/bin/apply-seccomp" | grep -q 'static' && pass "apply-seccomp is static" ||
	fail "apply-seccomp is static" "$(file "$T/root/usr/bin/apply-seccomp")"
file "$T/root/usr/bin/apply-seccomp" | grep -q 'stripped' && ! file "$T/root/usr/bin/apply-seccomp" | grep -q 'not stripped' &&
	pass "apply-seccomp is stripped" || fail "apply-seccomp is stripped" "$(file "$T/root/usr/bin/apply-seccomp")"
for m in apply-seccomp seccomp-gen; do
	w=$(groff -man -ww -z "$T/root/usr/share/man/man1/$m.1" 2>&1)
	expect_eq "man page $m(1) renders without warnings" "" "$w"
done
expect_status "make uninstall" 0 m uninstall DESTDIR="$T/root" PREFIX=/usr
left=$(find "$T/root" -type f)
expect_eq "uninstall leaves no file" "" "$left"

# --- other builds ---------------------------------------------------------------
if m ARCH=aarch64 loader > "$T/cross.log" 2>&1; then
	info=$(file "$T/src/build/aarch64/apply-seccomp")
	expect_match "cross build: an aarch64 static loader" "ARM aarch64.*static" "$info"
else
	fail "cross build for aarch64" "$(tail -5 "$T/cross.log")"
fi
if m LIBC=musl loader > "$T/musl.log" 2>&1; then
	size=$(stat -c %s "$T/src/build/musl/apply-seccomp")
	[ "$size" -lt 102400 ] && pass "musl loader under 100 KB ($size bytes)" ||
		fail "musl loader under 100 KB" "$size bytes"
	expect_status "musl loader runs a command" 0 "$T/src/build/musl/apply-seccomp" filters/$(uname -m)/unix-block.bpf /bin/true
else
	fail "musl build" "$(tail -5 "$T/musl.log")"
fi
if m CC=clang HOSTCC=clang B=build-clang all > "$T/clang.log" 2>&1; then
	pass "clang builds both tools with -Werror"
else
	fail "clang build" "$(tail -5 "$T/clang.log")"
fi

finish
