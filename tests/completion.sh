#!/bin/sh
# shellcheck disable=SC1091,SC2154,SC2016 # lib.sh is found at run time
# Bash completion for orkc and ork (completion/): each case sources the
# file in a bash, sets COMP_WORDS and COMP_CWORD as bash does, calls the
# completion function and compares COMPREPLY, sorted, with the expected
# words.  orkc's options come from its --help, ork's subcommands from its.
. "${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"

command -v bash >/dev/null || skip_all "no bash"
cd "$tmp" || exit 99
mkdir -p bin "sub dir" .ork/etl/run1 .ork/etl/run2 .ork/other
ln -s "$ORKC" bin/orkc
ln -s "$ORK" bin/ork
: >wf.yaml; : >other.yml; : >notes.txt; : >.ork/etl/run1/run.json
: >.ork/etl/run2/run.json

# complete FILE WORD... : the sorted completions of the last WORD.
complete_words() {
	file=$1
	shift
	PATH=$tmp/bin:$PATH bash -c '
		. "$1"; shift
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		fn=$(complete -p "$1" | sed "s/.*-F \([^ ]*\).*/\1/")
		"$fn" "$1" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
		printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " "' \
		bash "$top_srcdir/completion/$file" "$@"
}

# expect TITLE WANT FILE WORD...
expect() {
	title=$1 want=$2
	shift 2
	got=$(complete_words "$@")
	if [ "$got" = "$want" ]; then
		pass "$title"
	else
		fail "$title: got '$got', expected '$want'"
	fi
}

expect 'orkc -t: the targets' 'cron dot json make sh ' orkc orkc -t ''
expect 'orkc --target m' 'make ' orkc orkc --target m
expect 'orkc --pr: --print-schema (from --help)' '--print-schema ' orkc orkc --pr
expect 'orkc --check: both check options' '--check --check-generated ' orkc orkc --check
expect 'orkc WORD: workflow files and directories' '.ork bin other.yml sub dir wf.yaml ' orkc orkc ''
expect 'orkc -o: any file' 'notes.txt ' orkc orkc wf.yaml -o no
expect 'orkc --next N: nothing' ' ' orkc orkc --next ''
expect 'ork: the subcommands (from --help)' '--help --version begin call cancel cron-fire crontab end exec logs report runs slurm spawn status why ' ork ork ''
expect 'ork st' 'status ' ork ork st
expect 'ork crontab' 'install remove show ' ork ork crontab ''
expect 'ork status: the runs' 'etl/run1 etl/run2 ' ork ork status ''
expect 'ork logs --: its options' '--json --workflow ' ork ork logs --
expect 'ork status --workflow: the workflows' 'etl other ' ork ork status --workflow ''
expect 'ork runs e: the workflows starting with e' 'etl ' ork ork runs e
expect 'ork crontab remove --: --dry-run' '--dry-run ' ork ork crontab remove --
finish
