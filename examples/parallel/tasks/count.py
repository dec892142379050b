# tasks/count.py: one instance per file (foreach): lines and words.
from ork import Context, task


@task
def main(input: dict, ctx: Context) -> dict:
    path = input["item"]
    with open(path, encoding="utf-8") as f:
        text = f.read()
    ctx.log.info("instance %d of %d: %s" % (ctx.parallel_index + 1,
                                            ctx.parallel_count, path))
    return {"file": path, "index": ctx.parallel_index,
            "lines": text.count("\n"), "words": len(text.split())}
