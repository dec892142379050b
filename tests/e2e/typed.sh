#!/bin/sh
# End to end: typed mode (SPEC section 6) through real make.
#  - an output that does not fit its output_type fails the attempt with the
#    path of the bad field, is never renamed into place, and what depends
#    on it is skipped; an independent branch still runs;
#  - a mismatch is an attempt failure: a retry that outputs the right type
#    succeeds;
#  - a correct typed pipeline (dates, optionals, lists, open objects) runs,
#    and untyped tasks carry no type in their spec;
#  - orkc refuses a hand-off whose types do not fit, at its line;
#  - examples/elt runs under make -j4 with python tasks: three loads at
#    once, a join and an aggregate whose numbers are recomputed here from
#    the example's data.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/e2e/e2e-lib.sh"

project typed
WF=typed

# emit.sh NAME: print the JSON of tasks/NAME.json (or, on attempt 1 only,
# tasks/NAME.first.json when it exists).
cat >emit.sh <<'EOF'
#!/bin/sh
if [ "$ORK_ATTEMPT" = 1 ] && [ -f "tasks/$1.first.json" ]; then
	cat "tasks/$1.first.json"
else
	cat "tasks/$1.json"
fi
EOF
mkdir tasks
printf '{"users": [{"email": "a@x"}, {"email": "b@x", "age": 3}, {"email": "c@x"}, {"email": null}]}' >tasks/users.json
printf '{"n": 1.5}' >tasks/flaky.first.json
printf '{"n": 2, "extra": {"any": ["thing"]}}' >tasks/flaky.json
printf '{"day": "2024-02-29", "at": "2024-02-29T23:59:59Z", "tags": ["a"], "note": null}' >tasks/dates.json

cat >wf.yaml <<'EOF'
name: typed
types:
  User: {email: str, age: int?}
tasks:
  users:
    executor: process
    command: [sh, emit.sh, users]
    output_type: {users: [types.User]}
  report:
    executor: process
    command: [cat]
    depends_on: [users]
    input_type: {users: {users: [types.User]}}
  flaky:
    executor: process
    command: [sh, emit.sh, flaky]
    retries: 1
    output: {n: int}
  dates:
    executor: process
    command: [sh, emit.sh, dates]
    output_type: {day: date, at: datetime_utc, tags: [str], note: str?}
  consume:
    executor: process
    command: [cat]
    depends_on: [dates, flaky]
    input_type: {dates: {day: date, at: datetime_tz}, flaky: {n: float}}
  untyped:
    executor: process
    command: [sh, -c, 'echo "{\"anything\": [1, \"goes\"]}"']
EOF

test_expect_success 'a typed workflow compiles; untyped tasks carry no type' '
	compile &&
	expect_eq "specs with output_type" 3 "$(grep -c "\"output_type\":" run.mk)" &&
	grep "^\$(untyped.out): private export ORK_SPEC" run.mk >untyped.spec &&
	refute grep output_type untyped.spec
'

test_expect_success 'run: the bad output fails with its path, downstream skipped' '
	make_fails -j4 &&
	expect_eq state failed "$(state users)" &&
	expect_eq reason "output type mismatch: users[3].email: expected str, got null" \
		"$(reason users)" &&
	no_out users &&
	expect_eq "report state" skipped "$(state report)" &&
	expect_grep "users: failed \\(output type mismatch: users\\[3\\]\\.email: expected str, got null\\)" make.out
'

test_expect_success 'a mismatch fails the attempt: the retry succeeds' '
	expect_eq state succeeded "$(state flaky)" &&
	jget "$(rundir)/journal.jsonl" "[e[\"reason\"] for e in ev(\"attempt\", \"flaky\")]" >reasons &&
	expect_eq reasons "[\"output type mismatch: n: expected int, got float\",\"\"]" "$(cat reasons)" &&
	expect_eq output 2 "$(jget "$(outf flaky)" "d[\"n\"]")"
'

test_expect_success 'correct typed outputs pass and reach downstream' '
	expect_eq dates succeeded "$(state dates)" &&
	expect_eq consume succeeded "$(state consume)" &&
	expect_eq untyped succeeded "$(state untyped)" &&
	expect_eq "consume saw" "2024-02-29T23:59:59Z 2" \
		"$(jget "$(outf consume)" "d[\"dates\"][\"at\"] + \" \" + str(d[\"flaky\"][\"n\"])")"
'

test_expect_success 'fixed output: the next invocation re-runs only what failed' '
	printf "{\"users\": [{\"email\": \"a@x\"}]}" >tasks/users.json &&
	make_ok -j4 &&
	expect_eq users succeeded "$(state users)" &&
	expect_eq report succeeded "$(state report)" &&
	expect_eq "flaky attempts" 2 "$(jget "$(rundir)/journal.jsonl" "len(ev(\"attempt\", \"flaky\"))")"
'

test_expect_success 'orkc refuses a hand-off whose types do not fit' '
	sed "s/input_type: {users: {users: \\[types.User\\]}}/input_type: {users: {users: [int]}}/" wf.yaml >bad.yaml &&
	refute grep -q "users: {users: \\[types.User\\]}}" bad.yaml &&
	test_must_fail "$ORKC" --check bad.yaml 2>err &&
	expect_grep "^bad.yaml:13:18: error: upstream .users. outputs \\{users: \\[types.User\\]\\}, but input field .users. expects \\{users: \\[int\\]\\}" err
'

# ---- examples/elt ----------------------------------------------------------

PY=/usr/bin/python3
[ -x $PY ] || PY=$(command -v python3)

project elt
WF=elt
cp -R "$top_srcdir/examples/elt/." .
rm -rf .ork run.mk elt.db

test_expect_success 'examples/elt: make run as its README says' '
	make run ORKC="$ORKC" ORK="$ORK" PYTHON="$PY" >run.out 2>&1 || { cat run.out; false; } &&
	for t in load_customers load_orders load_products transform gold; do
		expect_eq "$t" succeeded "$(state $t)" || exit 1
	done
'

# Whether the loads overlapped: their start and end events in the journal.
cat >overlap.py <<'EOF'
import json, sys
events = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
loads = ["load_customers", "load_orders", "load_products"]
start = {e["task"]: e["time"] for e in events if e.get("ev") == "start" and e.get("task") in loads}
end = {e["task"]: e["time"] for e in events if e.get("ev") == "end" and e.get("task") in loads}
print("overlap" if len(start) == 3 and max(start.values()) < min(end.values()) else "serial: %r %r" % (start, end))
EOF

test_expect_success 'examples/elt: the three loads overlapped in time' '
	expect_eq loads overlap "$($PYTOOL overlap.py "$(rundir)/journal.jsonl")"
'

# The expected gold numbers, computed from the example's data without its
# code: revenue per country over orders whose customer and product exist.
cat >expect.py <<'EOF'
import csv, json
cust = {r["id"]: r["country"] for r in csv.DictReader(open("data/customers.csv"))}
price = {str(p["id"]): p["price"] for p in json.load(open("data/products.json"))}
per, n, kept, days = {}, 0, 0, []
for o in csv.DictReader(open("data/orders.csv")):
    n += 1
    if o["customer_id"] in cust and o["product_id"] in price:
        kept += 1
        c = cust[o["customer_id"]]
        k, r = per.get(c, (0, 0.0))
        per[c] = (k + 1, r + int(o["quantity"]) * price[o["product_id"]])
        days.append(o["ordered_at"][:10])
rows = sorted(per.items(), key=lambda kv: (-kv[1][1], kv[0]))
print(json.dumps({"kept": kept, "rejected": n - kept, "as_of": max(days),
                  "by_country": [[c, k, round(r, 2)] for c, (k, r) in rows]}))
EOF

test_expect_success 'examples/elt: silver and gold hold the numbers of the data' '
	$PYTOOL expect.py >expected.json &&
	jget "$(outf transform)" "[d[\"rows\"], d[\"rejected\"]]" >silver &&
	jget expected.json "[d[\"kept\"], d[\"rejected\"]]" >silver.expected &&
	test_cmp silver.expected silver &&
	jget "$(outf gold)" "[[r[\"country\"], r[\"orders\"], r[\"revenue\"]] for r in d[\"by_country\"]]" >gold &&
	jget expected.json "d[\"by_country\"]" >gold.expected &&
	test_cmp gold.expected gold &&
	expect_eq as_of "$(jget expected.json "d[\"as_of\"]")" "$(jget "$(outf gold)" "d[\"as_of\"]")"
'

test_expect_success 'examples/elt: outputs fit their types as ork checked them' '
	jget "$(outf load_orders)" "d[\"loaded_at\"]" >at &&
	grep -E "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+(Z|\\+00:00)$" at &&
	"$ORKC" -t json workflows/elt.yaml >plan.json &&
	expect_eq "typed tasks" 5 "$(jget plan.json "len([t for t in d[\"tasks\"] if \"output_type\" in t])")"
'

# ---- the manuals' typed examples are the example's own text ---------------

cat >docs.py <<'EOF'
import re, sys
readme, man, wf = (open(p, encoding="utf-8").read() for p in sys.argv[1:4])
section = readme.split("## Typed workflows", 1)[1].split("\n## ", 1)[0]
blocks = re.findall(r"```yaml\n(.*?)```", section, re.S)
man_block = man.split(".SH TYPED MODE", 1)[1].split(".nf\n.RS\n", 1)[1].split(".RE\n", 1)[0]
bad = [b for b in blocks + [man_block] if b not in wf]
print("%d blocks, %d not in the example" % (len(blocks) + 1, len(bad)))
for b in bad:
    print(b)
# The error shown: after the command, the lines indented by four.
shown = section.split("    $ orkc --check workflows/elt.yaml\n", 1)[1]
lines = []
for line in shown.splitlines():
    if not line.startswith("    "):
        break
    lines.append(line[4:])
open("shown.err", "w").write("\n".join(lines) + "\n")
EOF

test_expect_success 'README and orkc(1): the typed examples are examples/elt as it is' '
	$PYTOOL docs.py "$top_srcdir/README.md" "$top_srcdir/man/orkc.1" \
		workflows/elt.yaml >docs.out &&
	expect_eq docs "3 blocks, 0 not in the example" "$(head -n 1 docs.out)"
'

test_expect_success 'README: the typed error it shows is what orkc prints' '
	sed "s/silver_table: {ref: tasks.transform.output.table}/silver_table: {ref: tasks.transform.output.rows}/" \
		workflows/elt.yaml >broken.yaml &&
	refute cmp -s broken.yaml workflows/elt.yaml &&
	mkdir -p broken/workflows broken/src && cp src/elt.py broken/src/ &&
	cp broken.yaml broken/workflows/elt.yaml &&
	(cd broken && test_must_fail "$ORKC" --check workflows/elt.yaml 2>../actual.err) &&
	test_cmp shown.err actual.err
'

finish
