# Ork's calling rules, one function per rule (no pydantic, no import of
# ork): tests/e2e/python_calling.sh runs each with an input.
import os
import subprocess
import sys
from dataclasses import dataclass
from typing import List, TypedDict


class Point(TypedDict):
    x: float
    y: float


class TaskResult(TypedDict):
    task: str
    status: str
    timestamp: float


@dataclass
class Summary:
    n: int
    names: List[str]


def whole_dict(data: dict):
    """One parameter, not an input key, annotated dict: the whole input."""
    return {"got": data}


def whole_plain(data):
    """Unannotated: the whole input, whatever its JSON type."""
    return {"got": data, "type": type(data).__name__}


def whole_typeddict(point: Point):
    """A TypedDict whose fields are the input keys: the whole input."""
    return {"sum": point["x"] + point["y"], "type": type(point["x"]).__name__}


def keyword_dict(bigquery_job: dict):
    """One parameter named after an input key: that key's value."""
    return {"got": bigquery_job}


def keyword_typeddict(task_a: TaskResult) -> TaskResult:
    """Ork's fast example: task_b(task_a: TaskResult)."""
    return {"task": "B", "status": "after " + task_a["status"],
            "timestamp": task_a["timestamp"] + 1}


def add(a: int, b: int) -> int:
    """More than one parameter: keywords."""
    return a + b


def greet(name: str = "world", shout: bool = False) -> str:
    """Keywords with defaults: missing keys take them."""
    msg = "Hello, %s" % name
    return msg.upper() if shout else msg


def untyped(a, b):
    return a + b


def with_ctx(n: int, ctx):
    """ctx is the Context and is not counted: n is the one parameter."""
    return {"n": n, "task": ctx.task_name}


def scalar(n: int):
    """The whole input is a number."""
    return n * 2


def summary(names: List[str]) -> Summary:
    """A dataclass return value."""
    return Summary(n=len(names), names=sorted(names))


def listing(n: int) -> list:
    return list(range(n))


def nothing():
    return None


def chatty(n: int, label: str = "x"):
    """Everything printed goes to the log, never into the output."""
    print("print from the task")
    sys.stdout.write("sys.stdout.write from the task\n")
    sys.stdout.flush()
    os.write(1, b"fd 1 from the task\n")      # what a C extension does
    subprocess.run(["echo", "child process stdout"], check=True)
    print("to stderr", file=sys.stderr)
    return {"n": n, "label": label}


def main(input: Point, verbose: bool = False):
    """Not @task, two parameters: keywords, so 'input' is a missing key."""
    return input
