#!/bin/sh
# The man pages say what --help says: every SYNOPSIS line of orkc(1) and
# ork(1) appears word for word in the command's --help, and the EXIT STATUS
# codes are the ones --help lists.
. "${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"

# Plain text of a roff section: requests and font escapes removed, one
# output line per .br-separated line, white space folded.
section() {  # PAGE SECTION
	awk -v want="$2" '
		/^\.SH / { insec = ($0 == ".SH " want); next }
		!insec { next }
		/^\.(br|TP|PP|RS|RE|nf|fi)/ { if (line != "") print line; line = ""; next }
		{ sub(/^\.(B|I|BR|IR) /, ""); line = line (line == "" ? "" : " ") $0 }
		END { if (line != "") print line }
	' "$1" | sed -e 's/\\f[BIRP]//g' -e 's/\\-/-/g' -e 's/"//g' -e 's/  */ /g' -e 's/^ //' -e 's/ $//'
}

help_text() {  # PROGRAM: --help with white space folded
	"$1" --help | sed -e 's/  */ /g' -e 's/^ //'
}

for prog in orkc ork; do
	page=$top_srcdir/man/$prog.1
	bin=$top_builddir/$prog
	help_text "$bin" >"$tmp/$prog.help"
	section "$page" SYNOPSIS >"$tmp/$prog.synopsis"
	[ -s "$tmp/$prog.synopsis" ] || fail "$prog.1: no SYNOPSIS"
	while IFS= read -r line; do
		case $line in '|'|'') continue ;; esac
		if grep -qF -- "$line" "$tmp/$prog.help"; then
			pass "$prog.1 SYNOPSIS '$line' is in --help"
		else
			fail "$prog.1 SYNOPSIS '$line' is not in $prog --help"
		fi
	done <"$tmp/$prog.synopsis"
	# Exit codes: the numbers listed under EXIT STATUS in both.
	section "$page" "EXIT STATUS" | grep -oE '^[0-9]+ ' | tr -d ' ' | sort >"$tmp/man.codes"
	sed -n '/^Exit status:/,$p' "$tmp/$prog.help" | grep -oE '^[0-9]+ ' |
		tr -d ' ' | sort >"$tmp/help.codes"
	if [ -s "$tmp/man.codes" ] && cmp -s "$tmp/man.codes" "$tmp/help.codes"; then
		pass "$prog: EXIT STATUS codes match --help ($(tr '\n' ' ' <"$tmp/man.codes"))"
	else
		fail "$prog: EXIT STATUS codes differ: man '$(tr '\n' ' ' <"$tmp/man.codes")', help '$(tr '\n' ' ' <"$tmp/help.codes")'"
	fi
done
finish
