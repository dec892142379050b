# Validation without pydantic: dataclass input, keyword parameters.
from dataclasses import dataclass
from typing import List, Literal, Optional


@dataclass
class User:
    name: str
    email: str
    age: Optional[int] = None


@dataclass
class Input:
    users: List[User]
    mode: Literal["fast", "slow"] = "fast"


def main(input: Input):
    return {"names": [u.name for u in input.users], "mode": input.mode}


def kw(count: int, ratio: float, name: str, flag: bool = False):
    return {"count": count, "ratio": ratio, "name": name, "flag": flag}
