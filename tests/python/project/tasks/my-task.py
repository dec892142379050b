# Not importable under a dotted name: loaded under a private one.
from dataclasses import dataclass


@dataclass
class P:
    a: int


def main(input: P):
    return {"a": input.a, "module": __name__}
