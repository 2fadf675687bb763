# shellcheck shell=bash
# Sourced first by every command that tests/srt/run.sh hands to srt:
#     . proof.sh FILE; COMMAND...
# It runs in the shell that the helper started, which is the helper's
# COMMAND (PID 2 of the helper's PID namespace), and writes to FILE what
# proves which helper ran it and how: the helper is this shell's parent,
# found through /proc/self/status (its PPid is counted in the namespace
# /proc was mounted for, so this works with a fresh /proc and with bwrap's
# old one alike), and /proc/1 is PID 1 of the /proc in view. Bash builtins
# only: no program runs before COMMAND does.
srt_proof() {
	local key value ppid='' nspid='' filters='' nnp='' comm='' pid1_comm='' a
	local -a argv=() pid1_argv=()
	while read -r key value; do
		case $key in
		PPid:) ppid=$value ;;
		NSpid:) nspid=${value##*[[:space:]]} ;;
		NoNewPrivs:) nnp=$value ;;
		Seccomp_filters:) filters=$value ;;
		esac
	done < /proc/self/status
	[ -z "$ppid" ] || {
		mapfile -d '' argv < "/proc/$ppid/cmdline"
		read -r comm < "/proc/$ppid/comm"
	}
	mapfile -d '' pid1_argv < /proc/1/cmdline
	read -r pid1_comm < /proc/1/comm
	{
		printf 'nspid=%s\nnnp=%s\nfilters=%s\ncomm=%s\npid1-comm=%s\npid1-argv0=%s\n' \
			"$nspid" "$nnp" "$filters" "$comm" "$pid1_comm" "${pid1_argv[0]-}"
		for a in 0 1 2; do printf 'argv%s=%s\n' "$a" "${argv[a]-}"; done
	} > "$1"
} 2> /dev/null
srt_proof "$1"
unset -f srt_proof
