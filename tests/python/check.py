"""check.py FILE EXPR: evaluate the Python expression EXPR with j bound to the
JSON value in FILE (or, for a .jsonl file, the list of its lines' values).
Exit 0 when it is true; otherwise print the value and exit 1."""
import json
import sys


def main():
    path, expr = sys.argv[1], sys.argv[2]
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if path.endswith(".jsonl"):
        j = [json.loads(line) for line in text.splitlines()]
    else:
        j = json.loads(text)
    if eval("(" + expr + "\n)", {"j": j, "re": __import__("re")}):
        return 0
    sys.stderr.write("check failed: %s\n  value: %s\n"
                     % (expr, json.dumps(j, indent=None)[:2000]))
    return 1


sys.exit(main())
