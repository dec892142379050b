#!/bin/sh
# seeds.sh OUTDIR [ORKC]: collect seed corpora for the fuzz harnesses from
# the repository's own tests and examples, one directory per harness:
#   OUTDIR/workflow  every workflow file (golden, diag, conformance,
#                    examples, e2e data)
#   OUTDIR/expr      every expression and template of tests/expr/cases.txt
#   OUTDIR/cron      every schedule of those workflows, and the table's
#   OUTDIR/runtime   the task specs orkc -t json writes for the golden
#                    workflows (selector 0), JSON outputs (1), and the typed
#                    specs' output types with sample values (2)
# Nothing here is committed: corpora are made fresh from the sources.
set -eu
LC_ALL=C
export LC_ALL
out=${1:?usage: seeds.sh OUTDIR [ORKC]}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
orkc=${2:-}
mkdir -p "$out/workflow" "$out/expr" "$out/cron" "$out/runtime"

n=0
for f in "$top"/tests/golden/*.yaml "$top"/tests/diag/*.yaml \
	"$top"/tests/conformance/*.yaml "$top"/examples/*/workflows/*.yaml \
	"$top"/tests/e2e/data/*.yaml "$top"/tests/golden/tasks/*.yaml; do
	[ -f "$f" ] || continue
	# Large files make slow seeds; the limits have their own tests.
	[ "$(wc -c <"$f")" -le 65536 ] || continue
	n=$((n + 1))
	cp "$f" "$out/workflow/seed$n.yaml"
done

# The first line of every block of the expression table.
awk -v dir="$out/expr" '
	/^#/ { next }
	/^$/ { first = 1; next }
	/^%%/ { next }
	first { n++; f = dir "/seed" n; printf "%s", $0 > f; close(f); first = 0 }
	BEGIN { first = 1 }
' "$top/tests/expr/cases.txt"

# Schedules: a selector byte (zone, start time) then the expression.
{
	printf '%s\n' "0 * * * *" "*/15 9-17 * * 1-5" "0 0 29 2 */7" \
		"0 0 30 2 *" "30 2 * * 0" "@daily" "@reboot" "0 9 13 * 5" \
		"5,10-20/3 */2 1 JAN-MAR mon" "0 0 1 1 *"
	grep -h '^schedule:' "$top"/tests/golden/*.yaml "$top"/tests/diag/*.yaml |
		sed -e 's/^schedule: *//' -e 's/ *#.*//' -e 's/"//g' -e "s/'//g"
} | awk -v dir="$out/cron" '{
	n++; f = dir "/seed" n
	printf "%c%s", 32 + n % 64, $0 > f; close(f)
}'

# Runtime: outputs and types need no orkc; specs do.
i=0
for v in 'null' '{"a": 1, "b": [true, null, "x"]}' '[1, 2.5e10, -0]' \
	'"\u00e9\ud83d\ude00"' '  {"nested": {"deep": [[[]]]}}  ' '12' ''; do
	i=$((i + 1))
	printf '\001%s' "$v" >"$out/runtime/output$i"
done
i=0
for t in '"int"' '{"list": "str"}' '{"dict": "float"}' '{"optional": "bool"}' \
	'{"object": {"a": "int", "b": {"optional": {"list": "str"}}}}'; do
	for v in 'null' '1' '"s"' '["a", "b"]' '{"a": 1, "b": ["x"]}' '{"k": 1.5}'; do
		i=$((i + 1))
		{ printf '\002%s' "$t"; printf '\000'; printf '%s' "$v"; } \
			>"$out/runtime/type$i"
	done
done
if [ -n "$orkc" ] && command -v python3 >/dev/null 2>&1; then
	for f in "$top"/tests/golden/*.yaml; do
		"$orkc" -t json "$f" 2>/dev/null || :
	done | python3 -c '
import json, sys
out = sys.argv[1]
dec = json.JSONDecoder()
text = sys.stdin.read()
pos, n = 0, 0
while pos < len(text):
    while pos < len(text) and text[pos].isspace():
        pos += 1
    if pos >= len(text):
        break
    doc, pos = dec.raw_decode(text, pos)
    for t in doc.get("tasks", []):
        t.pop("downstream", None)
        t.pop("line", None)
        n += 1
        with open("%s/spec%d" % (out, n), "wb") as f:
            f.write(b"\0" + json.dumps(t).encode())
        if "output_type" in t:
            with open("%s/typed%d" % (out, n), "wb") as f:
                f.write(b"\2" + json.dumps(t["output_type"]).encode() +
                        b"\0" + b"{\"a\": 1}")
' "$out/runtime"
fi
for d in workflow expr cron runtime; do
	echo "$d: $(find "$out/$d" -type f | wc -l) seeds"
done
