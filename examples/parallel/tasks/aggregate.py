# tasks/aggregate.py: the instances' outputs arrive as input["count"], a
# list in the order of discover's files.
def main(input: dict) -> dict:
    counts = input["count"]
    return {"files": len(counts),
            "lines": sum(c["lines"] for c in counts),
            "words": sum(c["words"] for c in counts),
            "largest": max(counts, key=lambda c: c["words"])["file"]
            if counts else None}
