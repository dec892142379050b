# tasks/join.py: one result, whichever path produced it.
import os


def main(input: dict) -> dict:
    result = input["high"] or input["low"]
    return {"summary": input["summary"], "total": result["total"],
            "date": os.environ["RUN_DATE"]}
