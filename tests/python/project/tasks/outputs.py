# Output serialisation: the values json cannot write by itself.
import datetime
import decimal
import enum
import math
import uuid
from pathlib import PurePosixPath


class Color(enum.Enum):
    RED = "red"


def rich():
    return {
        "date": datetime.date(2026, 11, 26),
        "dt": datetime.datetime(2026, 11, 26, 8, 0, 0),
        "tuple": (1, 2),
        "set": {3, 1, 2},
        "dec": decimal.Decimal("1.10"),
        "enum": Color.RED,
        "uuid": uuid.UUID(int=1),
        "path": PurePosixPath("/a/b"),
        "delta": datetime.timedelta(minutes=1, seconds=30),
        "nested": [{"when": datetime.date(2000, 1, 2)}],
        "unicode": "caf\u00e9",
    }


def nan():
    return {"stats": {"mean": math.nan}}


def opaque():
    return {"items": [1, {"handle": object()}]}


def none():
    return None


def exits():
    raise SystemExit(75)
