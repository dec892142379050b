#!/bin/sh
# End to end: the expression language through real make and ork.
#  - examples/branching takes the right path for its data and the join runs;
#  - params from the make command line and from the environment (the
#    command line wins), checked by ork begin before any task starts;
#  - templates in env and input: a single template keeps its JSON type, a
#    mixed one is rendered; transitive upstreams; evaluation errors;
#  - hostile param and upstream values arrive byte-exact and never run;
#  - run.date from ORK_SCHEDULED_TIME in the workflow's timezone;
#  - the triggers none_failed, all_done and one_success.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/e2e/e2e-lib.sh"

PY=/usr/bin/python3
[ -x $PY ] || PY=python3

no_canary() {
	found=$(find "$tmp" -name "CANARY*")
	if [ -n "$found" ]; then
		echo "something executed a hostile string: $found"
		return 1
	fi
}

# The journal has no start event at all (no task ran) for run $1.
no_task_started() {
	j=$(rundir "${1:-}")/journal.jsonl
	[ ! -f "$j" ] || expect_eq "start events" "[]" "$(jget "$j" "ev('start')")"
}

# ---- the branching example ---------------------------------------------

project branching
cp -R "$top_srcdir/examples/branching/." .
rm -rf .ork run.mk
WF=branching

test_expect_success 'branching: good data takes the high path, the join runs' '
	compile workflow.yaml
	make_ok PYTHON=$PY
	expect_eq check succeeded "$(state check)"
	expect_eq high succeeded "$(state high)"
	expect_eq clean skipped "$(state clean)"
	expect_eq clean-reason "when '"'"'check.score < params.threshold'"'"' was false" "$(reason clean)"
	expect_eq low skipped "$(state low)"
	expect_eq join succeeded "$(state join)"
	expect_eq summary "high path, score 1" "$(jget "$(outf join)" "d[\"summary\"]")"
	expect_eq total 150 "$(jget "$(outf join)" "d[\"total\"]")"
	expect_eq date "$(jget "$(rundir)/run.json" "d[\"run\"][\"date\"]")" "$(jget "$(outf join)" "d[\"date\"]")"
	no_out clean
'

test_expect_success 'branching: a single template keeps the list a list' '
	jget "$(rundir)/high.input.json" "d[\"rows\"][0]" >got
	echo "{\"id\":1,\"value\":10}" >exp
	test_cmp exp got
'

test_expect_success 'branching: poor data from the command line takes the low path' '
	make_ok PYTHON=$PY RUN_ID=poor data=data/poor.json
	expect_eq high skipped "$(state high poor)"
	expect_eq clean succeeded "$(state clean poor)"
	expect_eq low succeeded "$(state low poor)"
	expect_eq join succeeded "$(state join poor)"
	expect_eq summary "low path, score 0.6" "$(jget "$(outf join poor)" "d[\"summary\"]")"
	expect_eq total 90 "$(jget "$(outf join poor)" "d[\"total\"]")"
	expect_eq join-input null "$(jget "$(rundir poor)/join.input.json" "d[\"high\"]")"
'

test_expect_success 'branching: a param from the environment' '
	ORK_PARAM_data=data/poor.json ORK_PARAM_threshold=0.5 make_ok PYTHON=$PY RUN_ID=env
	expect_eq high succeeded "$(state high env)"
	expect_eq clean skipped "$(state clean env)"
	expect_eq params "{\"data\":\"data/poor.json\",\"threshold\":0.5}" "$(jget "$(rundir env)/run.json" "d[\"params\"]")"
'

test_expect_success 'branching: the command line wins over the environment' '
	ORK_PARAM_data=data/good.json ORK_PARAM_threshold=0.5 make_ok PYTHON=$PY RUN_ID=both threshold=0.99 data=data/poor.json
	expect_eq high skipped "$(state high both)"
	expect_eq low succeeded "$(state low both)"
	expect_eq threshold 0.99 "$(jget "$(rundir both)/run.json" "d[\"params\"][\"threshold\"]")"
'

test_expect_success 'branching: a wrong-typed param fails before any task starts' '
	make_fails PYTHON=$PY RUN_ID=bad threshold=abc
	expect_grep "param .threshold.: .abc. is not a number" make.out
	no_task_started bad
	no_out check bad
'

test_expect_success 'branching: a resumed run keeps its params' '
	make_ok PYTHON=$PY RUN_ID=poor
	expect_eq invocation 2 "$(jget "$(rundir poor)/run.json" "d[\"invocation\"]")"
	make_fails PYTHON=$PY RUN_ID=poor data=data/good.json
	expect_grep "param .data. is \"data/poor.json\" in run .poor., not .data/good.json." make.out
'

test_expect_success 'the README and orkc(1) excerpts are the tested example' '
	sed -n "/^## Expressions, conditions and params/,/^## Typed/p" "$top_srcdir/README.md" |
		sed -n "/^\`\`\`yaml/,/^\`\`\`\$/p" | grep -v "^\`\`\`" | grep -v "^  \.\.\.\$" >readme.yaml
	sed -n "/^\.SH EXPRESSIONS/,/^\.SH TYPED/p" "$top_srcdir/man/orkc.1" |
		sed -n "/^\.RS/,/^\.RE/p" | grep -v "^\.R[SE]" >man.yaml
	test -s readme.yaml
	test -s man.yaml
	cat readme.yaml man.yaml | while IFS= read -r line; do
		[ -z "$line" ] && continue
		grep -qxF -e "$line" workflow.yaml || { echo "not in the example: $line"; exit 1; }
	done
'

# ---- templates, params and errors on process tasks ------------------------

project templates
WF=tmpl
mkdir -p got
cat >wf.yaml <<'EOF'
name: tmpl
timezone: Asia/Kolkata
params:
  n: {type: int, default: 3}
  day: {type: date, default: "{{ run.date }}"}
  who: {type: str}
  flag: false
  hostile: {type: str, default: "none"}
tasks:
  up:
    executor: process
    command: [sh, -c, 'cat up.json']
  mid:
    executor: process
    command: [sh, -c, 'echo "{\"m\": 1}"']
    depends_on: [up]
  use:
    executor: process
    command: [sh, -c, 'cat >got/use.json; printf %s "$E1" >got/e1; printf %s "$E2" >got/e2; printf %s "$H" >got/h; printf %s "$ORK_PARAMS" >got/params; echo "{}"']
    depends_on: [mid]
    env:
      E1: "{{ up.list }}"
      E2: "n={{ params.n * 2 }} day={{ params.day }} who={{ params.who }}"
      H: "{{ params.hostile }}"
    input:
      list: "{{ tasks.up.output.list }}"
      num: "{{ up.num }}"
      obj: "{{ up.obj }}"
      none: "{{ up.missing }}"
      flag: "{{ params.flag }}"
      mixed: "[{{ up.num }}] {{ up.list }} {{ up.evil }}"
      evil: "{{ up.evil }}"
      len: "{{ len(up.list) + params.n }}"
      literal: "{{ '{{' }} not a template"
      big: 12345678901234567890
  boom:
    executor: process
    command: [sh, -c, 'echo "{}"']
    depends_on: [up]
    input: {x: "{{ up.evil + 1 }}"}
EOF
cat >up.json <<'EOF'
{"list": [1, "two", null], "num": 2.5, "obj": {"k": "v"},
 "evil": "$(shell touch CANARY_up) `touch CANARY_up2` $$HOME ; #x \\ \" '\n"}
EOF

test_expect_success 'templates: compile' '
	compile
	grep -q "\"templates\":true" run.mk
	grep -q "\"refs\":\[{\"task\":\"up\"" run.mk
'

test_expect_success 'templates: a required param missing stops the run' '
	make_fails
	expect_grep "param .who. is required" make.out
	no_task_started
'

test_expect_success 'templates: values arrive typed, rendered and exact' '
	make_fails who=world RUN_ID=r1
	expect_eq use succeeded "$(state use r1)"
	jget got/use.json "[d[k] for k in (\"list\", \"num\", \"obj\", \"none\", \"flag\", \"len\", \"literal\")]" >got/typed
	echo "[[1,\"two\",null],2.5,{\"k\":\"v\"},null,false,6,\"{{ not a template\"]" >exp
	test_cmp exp got/typed
	jget up.json "\"[2.5] [1,\\\"two\\\",null] \" + d[\"evil\"]" >exp
	jget got/use.json "d[\"mixed\"]" >got/mixed
	test_cmp exp got/mixed
	jget up.json "d[\"evil\"] == json.load(open(\"got/use.json\"))[\"evil\"]" >got/same
	echo true >exp
	test_cmp exp got/same
	grep -q "\"big\":12345678901234567890" got/use.json
'

test_expect_success 'templates: env values are rendered strings' '
	printf "%s" "[1,\"two\",null]" >exp
	test_cmp exp got/e1
	printf "%s" "n=6 day=$(jget "$(rundir r1)/run.json" "d[\"run\"][\"date\"]") who=world" >exp
	test_cmp exp got/e2
'

test_expect_success 'templates: tasks see the params as ORK_PARAMS' '
	jget got/params "d[\"who\"], d[\"n\"], d[\"flag\"]" >got/p
	echo "[\"world\",3,false]" >exp
	test_cmp exp got/p
'

test_expect_success 'templates: an evaluation error fails the task, saying why' '
	expect_eq boom failed "$(state boom r1)"
	expect_eq reason "template '"'"'{{ up.evil + 1 }}'"'"' in input: cannot add string and number" "$(reason boom r1)"
	expect_grep "boom: failed \(template" make.out
'

test_expect_success 'templates: hostile param values stay data' '
	make_fails RUN_ID=r2 "who=\$(shell touch CANARY_who) \`touch CANARY_who2\`" \
		"hostile=\$(shell touch CANARY_h) \$\$(touch CANARY_h2); #"
	expect_eq use succeeded "$(state use r2)"
	printf "%s" "\$(shell touch CANARY_h) \$\$(touch CANARY_h2); #" >exp
	test_cmp exp got/h
	printf "%s" "n=6 day=$(jget "$(rundir r2)/run.json" "d[\"run\"][\"date\"]") who=\$(shell touch CANARY_who) \`touch CANARY_who2\`" >exp
	test_cmp exp got/e2
	no_canary
'

test_expect_success 'templates: hostile environment params stay data' '
	ORK_PARAM_who="\$(shell touch CANARY_ew)" ORK_PARAM_hostile="\`touch CANARY_eh\` \$(touch CANARY_eh2)" \
		make_fails RUN_ID=r3
	printf "%s" "\`touch CANARY_eh\` \$(touch CANARY_eh2)" >exp
	test_cmp exp got/h
	no_canary
'

test_expect_success 'run.date: the scheduled time, in the workflow timezone' '
	ORK_SCHEDULED_TIME=2026-03-01T20:00:00Z make_fails RUN_ID=sched who=x
	expect_eq date 2026-03-02 "$(jget "$(rundir sched)/run.json" "d[\"run\"][\"date\"]")"
	expect_eq time 2026-03-02T01:30:00+05:30 "$(jget "$(rundir sched)/run.json" "d[\"run\"][\"time\"]")"
	expect_eq day 2026-03-02 "$(jget "$(rundir sched)/run.json" "d[\"params\"][\"day\"]")"
'

# ---- triggers and conditions on failed upstreams -------------------------

project triggers
WF=trig
cat >wf.yaml <<'EOF'
name: trig
tasks:
  ok: {executor: process, command: [sh, -c, 'echo "{\"v\": 1}"']}
  bad: {executor: process, command: [sh, -c, 'exit 3']}
  off: {executor: process, command: [sh, -c, 'echo "{}"'], when: "false"}
  after_none_failed:
    executor: process
    command: [sh, -c, 'echo "{}"']
    depends_on: [ok, off]
    trigger: none_failed
  blocked_none_failed:
    executor: process
    command: [sh, -c, 'echo "{}"']
    depends_on: [ok, bad]
    trigger: none_failed
  all_done:
    executor: process
    command: [sh, -c, 'cat']
    depends_on: [ok, bad]
    on_failure: run
    when: default(bad.v, 0) == 0 and ok.v == 1
    input: {fallback: "{{ default(bad.v, 'none') }}"}
  one_success:
    executor: process
    command: [sh, -c, 'echo "{}"']
    depends_on: [bad, ok]
    trigger: one_success
  none_succeeded:
    executor: process
    command: [sh, -c, 'echo "{}"']
    depends_on: [bad, off]
    trigger: one_success
  all_success:
    executor: process
    command: [sh, -c, 'echo "{}"']
    depends_on: [ok, off]
EOF

test_expect_success 'triggers: none_failed, all_done, one_success, all_success' '
	compile
	make_fails
	expect_eq off skipped "$(state off)"
	expect_eq reason "when '"'"'false'"'"' was false" "$(reason off)"
	expect_eq none_failed succeeded "$(state after_none_failed)"
	expect_eq blocked skipped "$(state blocked_none_failed)"
	expect_eq all_done succeeded "$(state all_done)"
	expect_eq fallback none "$(jget "$(outf all_done)" "d[\"fallback\"]")"
	expect_eq one_success succeeded "$(state one_success)"
	expect_eq none_succeeded skipped "$(state none_succeeded)"
	expect_eq all_success skipped "$(state all_success)"
	expect_eq reason "upstream '"'"'off'"'"' was skipped" "$(reason all_success)"
'

finish
