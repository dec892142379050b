# A function with no parameters; prints go to the log, not the output.
def main():
    print("printed by the task")
    return {"ok": True, "answer": 42}
