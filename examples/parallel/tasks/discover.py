# tasks/discover.py: the files to count, in a stable order.
import glob


def main(input: dict) -> dict:
    files = sorted(glob.glob(input["pattern"]))
    return {"files": files, "count": len(files)}
