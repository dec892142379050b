#!/bin/sh
# shellcheck disable=SC1091,SC2154 # lib.sh is found at run time
# The workflow file's JSON Schema (orkc --print-schema, installed as
# $(pkgdatadir)/workflow.schema.json): valid draft 2020-12; every workflow
# orkc accepts here (examples/, the golden and conformance workflows, the
# examples of ork-workflow(5)) validates; a misspelt key, a wrong type or
# an unknown executor does not.  Needs python3 with jsonschema and yaml
# (python3-jsonschema, python3-yaml); without them the checks that need
# them report SKIP.
. "${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"

cd "$tmp" || exit 99
"$ORKC" --print-schema >schema.json || fail "orkc --print-schema exited $?"
if [ -f "$top_builddir/workflow.schema.json" ]; then
	if cmp -s schema.json "$top_builddir/workflow.schema.json"; then
		pass "workflow.schema.json is what orkc --print-schema prints"
	else
		fail "workflow.schema.json differs from orkc --print-schema"
	fi
else
	skip "workflow.schema.json not built"
fi

PY=/usr/bin/python3
if ! "$PY" -c 'import jsonschema, yaml' 2>/dev/null; then
	skip "no python3 jsonschema and yaml (apt-get install python3-jsonschema python3-yaml)"
	finish
fi

# validate FILE...: one line per file, "ok FILE" or "bad FILE: why".
cat >validate.py <<'PY'
import json, sys
import jsonschema, yaml

# libyaml's parser, as orkc's (PyYAML's own rejects "{a: str?}").
class Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    pass
# orkc reads dates and times as strings, as JSON has them.
Loader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()}

schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(schema)
v = jsonschema.Draft202012Validator(schema)
for path in sys.argv[2:]:
    try:
        doc = yaml.load(open(path), Loader=Loader)
    except yaml.YAMLError as e:
        print("unreadable %s: %s" % (path, str(e).replace("\n", " ")))
        continue
    errs = sorted(v.iter_errors(doc), key=lambda e: list(e.path))
    if errs:
        print("bad %s: %s at %s" % (path, errs[0].message,
                                    "/".join(map(str, errs[0].path))))
    else:
        print("ok %s" % path)
PY
if "$PY" -c '
import json, sys, jsonschema
jsonschema.Draft202012Validator.check_schema(json.load(open("schema.json")))' 2>err; then
	pass "the schema is a valid draft 2020-12 schema"
else
	fail "the schema is not valid: $(tail -1 err)"
fi

# The workflows orkc accepts: each must validate.
n=0
for f in "$top_srcdir"/examples/*/*.yaml "$top_srcdir"/examples/*/workflows/*.yaml \
	 "$top_srcdir"/tests/golden/*.yaml "$top_srcdir"/tests/conformance/*.yaml; do
	[ -f "$f" ] || continue
	# only what orkc itself accepts, from the project root: the file's
	# directory, or for examples/X/workflows/W.yaml, examples/X
	d=$(dirname "$f")
	case $d in */workflows) d=${d%/workflows} ;; esac
	(cd "$d" && "$ORKC" --check "$f") >/dev/null 2>&1 || continue
	n=$((n + 1))
	printf '%s\n' "$f"
done >good.list
awk '
	/^\.EX$/ { n++; inex = 1; first = 1; next }
	/^\.EE$/ { inex = 0; next }
	inex {
		if (first && $0 !~ /^name: /) { inex = 0; next }
		first = 0
		gsub(/\\e/, "\\"); gsub(/\\-/, "-"); gsub(/\\\(dq/, "\""); gsub(/\\&/, "")
		print > ("man." n ".yaml")
	}
' "$top_srcdir/man/ork-workflow.5"
ls man.*.yaml >>good.list 2>/dev/null
count=$(wc -l <good.list)
if [ "$count" -ge 10 ]; then
	pass "$count workflows to validate"
else
	fail "only $count workflows found to validate"
fi
# shellcheck disable=SC2046 # one path a line, no spaces in the tree
"$PY" validate.py schema.json $(cat good.list) >results 2>&1 ||
	fail "validate.py failed: $(tail -3 results)"
while IFS= read -r line; do
	case $line in
	"ok "*) pass "valid: ${line#ok }" ;;
	*) fail "$line" ;;
	esac
done <results

# Mistakes the schema must catch, as an editor would show them.
base='name: wf
tasks:
  a:
    executor: process
    command: [echo, "{}"]'
printf '%s\n    depend_on: [b]\n' "$base" >typo_task.yaml
printf '%s\nschedul: "0 * * * *"\n' "$base" >typo_top.yaml
printf '%s\n    retries: "3"\n' "$base" >wrong_type.yaml
printf '%s\n    timeout: 0\n' "$base" >range.yaml
printf 'name: wf\ntasks:\n  a:\n    executor: shelll\n    command: [x]\n' >executor.yaml
printf 'name: wf\ntasks:\n  a:\n    executor: process\n' >no_command.yaml
printf 'name: wf\ntasks:\n  a:\n    executor: python\n' >no_file.yaml
printf 'name: "bad name"\ntasks:\n  a:\n    executor: process\n    command: [x]\n' >name.yaml
printf '%s\n    on_failure: retry\n' "$base" >choice.yaml
"$PY" validate.py schema.json typo_task.yaml typo_top.yaml wrong_type.yaml \
	range.yaml executor.yaml no_command.yaml no_file.yaml name.yaml \
	choice.yaml >results 2>&1 || fail "validate.py failed: $(tail -3 results)"
while IFS= read -r line; do
	case $line in
	"bad "*) pass "rejected: ${line#bad }" ;;
	*) fail "accepted: ${line#ok }" ;;
	esac
done <results
# And orkc rejects every one of them too: the schema is not stricter.
for f in typo_task typo_top wrong_type range executor no_command no_file name choice; do
	if "$ORKC" --check "$f.yaml" >/dev/null 2>&1; then
		fail "orkc accepts $f.yaml, which the schema rejects"
	else
		pass "orkc rejects $f.yaml as well"
	fi
done
finish
