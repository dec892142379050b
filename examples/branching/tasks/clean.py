# tasks/clean.py: drop the rows without a value.
def main(input: dict) -> dict:
    return {"rows": [r for r in input["rows"] if r.get("value") is not None]}
