#!/usr/bin/env bash
# Installs everything `make test` needs on Debian 12 (run as root). The
# aarch64 test also downloads arm64 packages, so the arm64 architecture is
# added to dpkg here.
set -euo pipefail

if [ "$(id -u)" -ne 0 ]; then
	echo "install-test-deps.sh: run as root (it uses apt-get)" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
dpkg --print-foreign-architectures | grep -qx arm64 || dpkg --add-architecture arm64
apt-get update -qq
apt-get install -y -qq --no-install-recommends \
	make gcc libc6-dev clang libclang-rt-14-dev git file groff-base man-db \
	libseccomp-dev seccomp strace python3 \
	musl-tools gcc-aarch64-linux-gnu libc6-dev-arm64-cross linux-libc-dev-arm64-cross \
	qemu-system-arm cpio \
	bubblewrap socat ripgrep \
	cppcheck clang-tidy valgrind
# Node.js may come from elsewhere (NodeSource ships npm inside nodejs);
# Debian's packages only where there is none.
command -v node > /dev/null || apt-get install -y -qq --no-install-recommends nodejs
command -v npm > /dev/null || apt-get install -y -qq --no-install-recommends npm
