from ork import task
from pydantic import BaseModel


class Input(BaseModel):
    x: int


@task
def main(input: Input) -> dict:
    return {"x": input.x}
