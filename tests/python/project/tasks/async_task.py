import asyncio

from ork import Context, task


@task
async def main(input, ctx: Context):
    await asyncio.sleep(0.01)
    results = await asyncio.gather(*(double(x) for x in input["xs"]))
    return {"doubled": results, "attempt": ctx.attempt}


async def double(x):
    await asyncio.sleep(0)
    return 2 * x
