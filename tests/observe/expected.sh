#!/bin/sh
# The events the write observer must send for observe-calls's scenarios, as
# lines with each pid written P and the scenario's directory DIR:
#
#   tests/observe/expected.sh ARCH every|weird|CALL PATH
#
# every and weird: the whole stream of `observe-calls every|weird DIR` (see
# tests/observe/calls.c); CALL PATH: the one event of that call on PATH.
# POSIX sh, for the suite on the host and the aarch64 guest's busybox alike.
set -u
arch=$1
shift

nr() {
	if [ "$arch" = x86_64 ]; then
		case $1 in
		openat) echo 257 ;; openat2) echo 437 ;; unlinkat) echo 263 ;; mkdirat) echo 258 ;;
		mknodat) echo 259 ;; symlinkat) echo 266 ;; linkat) echo 265 ;; renameat) echo 264 ;;
		renameat2) echo 316 ;; fchmodat) echo 268 ;; fchmodat2) echo 452 ;; fchownat) echo 260 ;;
		utimensat) echo 280 ;; open) echo 2 ;; creat) echo 85 ;; unlink) echo 87 ;; rmdir) echo 84 ;;
		rename) echo 82 ;; link) echo 86 ;; symlink) echo 88 ;; mkdir) echo 83 ;; mknod) echo 133 ;;
		truncate) echo 76 ;; chmod) echo 90 ;; chown) echo 92 ;; lchown) echo 94 ;; utime) echo 132 ;;
		utimes) echo 235 ;;
		esac
	else
		case $1 in
		openat) echo 56 ;; openat2) echo 437 ;; unlinkat) echo 35 ;; mkdirat) echo 34 ;;
		mknodat) echo 33 ;; symlinkat) echo 36 ;; linkat) echo 37 ;; renameat) echo 38 ;;
		renameat2) echo 276 ;; fchmodat) echo 53 ;; fchmodat2) echo 452 ;; fchownat) echo 54 ;;
		utimensat) echo 88 ;;
		esac
	fi
}

# "CALL|PATH[|REST]" lines on stdin: REST (JSON members) goes after the path.
events() {
	while IFS='|' read -r call path rest; do
		printf '{"nr":%s,"syscall":"%s","pid":P,"path":"%s"%s}\n' "$(nr "$call")" "$call" "$path" "$rest"
	done
}

every() {
	events << 'EOF'
mkdirat|DIR/sub
openat|DIR/o1
openat|DIR/sub/o2
openat|DIR/o1
openat|DIR/o1
openat|DIR/sub/../sub/./o3
openat2|DIR/sub/o4
openat|DIR/missing/o5
mkdirat|DIR/d1
mkdirat|DIR/sub/d2
mknodat|DIR/sub/n1
symlinkat|DIR/sub/s1
linkat|DIR/o1
linkat|DIR/sub/h1
renameat2|DIR/sub/h1
renameat2|DIR/r1
fchmodat|DIR/sub/o2
fchownat|DIR/r1
utimensat|DIR/sub/o2
fchownat|DIR/o1
utimensat|DIR/o1
unlinkat|DIR/sub/s1
unlinkat|DIR/d1
renameat|DIR/r1
renameat|DIR/sub/r2
fchmodat2|DIR/sub/o2
EOF
	[ "$arch" != x86_64 ] || events << 'EOF'
open|DIR/x1
creat|DIR/sub/x2
mkdir|DIR/xd
rmdir|DIR/xd
mknod|DIR/xn
symlink|DIR/xs
link|DIR/x1
link|DIR/xh
rename|DIR/xh
rename|DIR/xr
truncate|DIR/x1
chmod|DIR/x1
chown|DIR/x1
lchown|DIR/xs
utime|DIR/x1
utimes|DIR/x1
unlink|DIR/xr
EOF
	events << 'EOF'
openat|DIR/sub/c1
openat|/tmp/../tmp
EOF
}

# Names with a quote, a backslash, control bytes, invalid UTF-8 (each maximal
# invalid subpart one U+FFFD, as the WHATWG decoder reads it), valid UTF-8,
# then 4095 bytes (whole) and 4096 of a longer one (cut, and said so).
weird() {
	p100=pppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppp
	long=
	i=0
	while [ $i -lt 40 ]; do long=$long$p100/; i=$((i + 1)); done
	long=${long}qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq
	fffd=$(printf '\357\277\275')
	events << EOF
openat|DIR/quote\\"d
openat|DIR/back\\\\slash
openat|DIR/tab\\u0009nl\\u000acr\\u000d
openat|DIR/ctl\\u0001\\u001f\\u007f
openat|DIR/bad$fffd${fffd}utf8|,"invalid_utf8":true
openat|DIR/trunc$fffd|,"invalid_utf8":true
openat|DIR/sur$fffd$fffd$fffd|,"invalid_utf8":true
openat|DIR/$(printf '\303\251t\303\251 \360\237\230\200')
openat|DIR/over$fffd${fffd}long|,"invalid_utf8":true
openat|DIR/$long
openat|DIR/${long}q|,"truncated":true
EOF
}

case $1 in
every) every ;;
weird) weird ;;
*) echo "$1|$2" | events ;;
esac
