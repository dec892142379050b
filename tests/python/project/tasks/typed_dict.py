# TypedDict in and out.
from typing import List, TypedDict


class Point(TypedDict):
    x: float
    y: float


class Input(TypedDict):
    points: List[Point]
    label: str


class Output(TypedDict):
    label: str
    n: int
    cx: float


def main(input: Input) -> Output:
    pts = input["points"]
    return Output(label=input["label"], n=len(pts),
                  cx=sum(p["x"] for p in pts) / len(pts))
