#!/bin/sh
# shellcheck disable=SC1091,SC2154 # lib.sh is found at run time
# orkc's output depends on the workflow and the options only: every golden
# workflow, compiled to every target (make, sh, json, dot, cron with an
# absolute root and ork) under LC_ALL=C and C.UTF-8, TZ=UTC and
# Asia/Tokyo, umask 022 and 077, from two directories holding the same
# relative paths, gives the same bytes.
. "${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"

# compile DIR LC TZ UMASK: every artifact into DIR/out/LC.TZ.UMASK/.
compile_all() {
	_out=out/$2.$(echo "$3" | tr / _).$4
	_lc=$2 _tz=$3
	(
		cd "$1"
		umask "$4"
		mkdir -p "$_out"
		for yaml in flows/*.yaml; do
			name=$(basename "$yaml" .yaml)
			for target in make sh json dot cron; do
				if [ $target = cron ]; then
					grep -q '^schedule:' "$yaml" || continue
					set -- --artifact run.mk --root /srv/project --ork /usr/local/bin/ork
					[ ! -f "flows/$name.cronargs" ] ||
						while IFS= read -r _a; do set -- "$@" "$_a"; done <"flows/$name.cronargs"
				else
					set --
				fi
				LC_ALL=$_lc TZ=$_tz "$ORKC" -t $target "$@" "$yaml" \
					-o "$_out/$name.$target" || exit 1
			done
		done
	)
}

for d in a b; do
	mkdir -p "$tmp/$d/proj/flows"
	cp "$top_srcdir"/tests/golden/*.yaml "$top_srcdir"/tests/golden/*.cronargs \
		"$tmp/$d/proj/flows/"
done
# The task files the workflows name, relative to the project root.
(cd "$top_srcdir/tests/golden" && find . -type f ! -name '*.yaml' ! -name '*.cronargs') |
	while IFS= read -r f; do
		for d in a b; do
			mkdir -p "$tmp/$d/proj/$(dirname "$f")"
			cp "$top_srcdir/tests/golden/$f" "$tmp/$d/proj/$f"
		done
	done

locales='C'
if LC_ALL=C.UTF-8 locale >/dev/null 2>&1 || [ -d /usr/lib/locale/C.utf8 ]; then
	locales='C C.UTF-8'
else
	skip 'LC_ALL=C.UTF-8: no such locale here'
fi
n=0
for d in a b; do
	for lc in $locales; do
		for tz in UTC Asia/Tokyo; do
			for um in 022 077; do
				compile_all "$tmp/$d/proj" "$lc" "$tz" "$um" ||
					fail "orkc failed in $d with $lc $tz $um"
				n=$((n + 1))
			done
		done
	done
done
ref=$tmp/a/proj/out/C.UTC.022
[ "$(find "$ref" -type f | wc -l)" -ge 36 ] && pass "$n variants of $(find "$ref" -type f | wc -l) artifacts" ||
	fail "too few artifacts in $ref"
for v in "$tmp"/a/proj/out/* "$tmp"/b/proj/out/*; do
	label=$(echo "$v" | sed "s|^$tmp/||")
	if diff -r "$ref" "$v" >"$tmp/diff.out" 2>&1; then
		pass "$label: the same bytes as a/proj C UTC 022"
	else
		head -n 40 "$tmp/diff.out" >&2
		fail "$label: differs from a/proj C UTC 022"
	fi
done

finish
