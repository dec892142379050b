# The task file is loaded as module tasks.identity: importing it by that
# name gives the same module, and its classes pickle.
import pickle
import sys
from dataclasses import dataclass


@dataclass
class Thing:
    n: int


def main():
    import tasks.identity as me
    t = pickle.loads(pickle.dumps(Thing(3)))
    return {"name": __name__, "same": me is sys.modules[__name__],
            "pickled": t.n, "argv0": sys.argv[0]}
