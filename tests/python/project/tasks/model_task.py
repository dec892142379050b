# @task + pydantic models in and out (pydantic v1 or v2).
from typing import List, Optional

from ork import task
from pydantic import BaseModel

from src.helpers import shout


class Person(BaseModel):
    name: str
    email: Optional[str] = None


class Input(BaseModel):
    who: Person
    count: int
    tags: List[str] = []


class Output(BaseModel):
    greeting: str
    total: int
    tags: List[str]


@task
def main(input: Input) -> Output:
    return Output(greeting=shout("hello " + input.who.name),
                  total=input.count + len(input.tags), tags=input.tags)
