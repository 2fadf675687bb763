#!/usr/bin/env bash
# Installs one exact release of the sandbox runtime (@anthropic-ai/sandbox-runtime,
# whose CLI is srt) into build/srt/VERSION, once, and prints the directory of
# its package (build/srt/VERSION/node_modules/@anthropic-ai/sandbox-runtime).
# The srt CLI is then build/srt/VERSION/node_modules/.bin/srt, and its own
# helper vendor/seccomp/{x64,arm64}/apply-seccomp inside the package.
# Usage: scripts/fetch-srt.sh VERSION   (needs node, npm and the npm registry)
set -euo pipefail

[ $# -eq 1 ] || { echo "usage: scripts/fetch-srt.sh VERSION" >&2; exit 2; }
version=$1
root=$(cd "$(dirname "$0")/.." && pwd)
prefix=$root/build/srt/$version
pkg=$prefix/node_modules/@anthropic-ai/sandbox-runtime

installed() {
	node -e 'try { process.stdout.write(require(process.argv[1]).version) } catch (e) {}' \
		"$pkg/package.json" 2> /dev/null || true
}

if [ "$(installed)" != "$version" ]; then
	for tool in node npm; do
		command -v "$tool" > /dev/null || { echo "fetch-srt.sh: $tool not found" >&2; exit 1; }
	done
	mkdir -p "$prefix"
	log=$prefix/npm.log
	if ! npm install --prefix "$prefix" --no-audit --no-fund --no-save \
		"@anthropic-ai/sandbox-runtime@$version" > "$log" 2>&1; then
		echo "fetch-srt.sh: npm install @anthropic-ai/sandbox-runtime@$version failed:" >&2
		tail -n 20 "$log" >&2
		exit 1
	fi
	[ "$(installed)" = "$version" ] ||
		{ echo "fetch-srt.sh: installed version is '$(installed)', not $version" >&2; exit 1; }
fi
printf '%s\n' "$pkg"
