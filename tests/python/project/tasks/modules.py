# Which of ork's modules the runner loaded: a task whose parameters are
# plain JSON types should not pay for ork._convert (about 1.5 ms a task);
# one annotated with a dataclass needs it.
import gc
import sys
from dataclasses import dataclass


def _ork_modules():
    return sorted(m for m in sys.modules if m == "ork" or m.startswith("ork."))


def plain(name: str, count: int, ratio: float, flag: bool, extra: dict,
          items: list, other=None):
    return _ork_modules()


def nothing():
    return _ork_modules()


@dataclass
class Point:
    x: int


def typed(point: Point):
    return _ork_modules()


def collector():
    """The runner froze what was alive before the task (gc.freeze), and
    the collector still runs for the task's own objects."""
    return {"frozen": gc.get_freeze_count() > 0, "enabled": gc.isenabled()}
