#!/bin/sh
# The task of every conformance workflow: t.sh MODE NAME [ARG].  It reads
# its input JSON on stdin and writes its output JSON on stdout; what it
# prints depends only on its input, its name and its attempt number, so
# every backend must produce the same bytes.
#   ok NAME          {"task":NAME,"attempt":N,"input":"CKSUM SIZE"}
#   echo NAME        its input, as it came
#   fail NAME CODE   exits CODE
#   flaky NAME K     fails (exit 1) until attempt K, then as ok
#   fixme NAME       fails unless ./fixed exists, then as ok
#   sleep NAME SECS  sleeps, then as ok
mode=$1 name=$2 arg=${3-}
input=$(cat; echo x)
input=${input%x}
ok() {
	sum=$(printf %s "$input" | cksum)
	printf '{"task":"%s","attempt":%s,"input":"%s"}\n' "$name" "${ORK_ATTEMPT-0}" "$sum"
}
case $mode in
ok) ok ;;
echo) printf %s "$input" ;;
fail) echo "$name fails with $arg" >&2; exit "$arg" ;;
flaky)
	if [ "${ORK_ATTEMPT-0}" -lt "$arg" ]; then
		echo "$name: attempt $ORK_ATTEMPT fails" >&2
		exit 1
	fi
	ok ;;
fixme)
	[ -e fixed ] || { echo "$name: not fixed yet" >&2; exit 1; }
	ok ;;
sleep) sleep "$arg"; ok ;;
*) echo "t.sh: unknown mode $mode" >&2; exit 2 ;;
esac
