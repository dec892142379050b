# tasks/check.py: the share of rows that have a value is the data's score.
import json


def main(input: dict) -> dict:
    with open(input["path"], encoding="utf-8") as f:
        rows = json.load(f)
    good = sum(1 for r in rows if r.get("value") is not None)
    return {"score": good / len(rows) if rows else 0.0, "rows": rows}
