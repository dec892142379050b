# main(input, ctx): a model input, the Context second, a dict output.
from ork import Context, task
from pydantic import BaseModel


class Input(BaseModel):
    n: int


@task()
def main(input: Input, ctx: Context) -> dict:
    ctx.log.info("n is %d", input.n)
    return {"n2": input.n * 2, "task": ctx.task_name, "attempt": ctx.attempt}
