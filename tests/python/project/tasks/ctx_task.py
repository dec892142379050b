# (input, ctx) without any model: everything the Context carries.
import os

from ork import Context, get_context


def main(input, ctx: Context):
    ctx.log.info("starting with %d keys", len(input))
    ctx.log.warning("multi\nline")
    ctx.log.error("bad news")
    ctx.metrics.record("rows", 42, labels={"table": "users"})
    ctx.metrics.record("ratio", 0.5)
    return {
        "input": input,
        "run_id": ctx.run_id,
        "task_name": ctx.task_name,
        "workflow_name": ctx.workflow_name,
        "attempt": ctx.attempt,
        "max_attempts": ctx.max_attempts,
        "parallel_index": ctx.parallel_index,
        "parallel_count": ctx.parallel_count,
        "params": ctx.params,
        "run_dir": ctx.run_dir,
        "same_ctx": get_context() is ctx,
        "env_task": os.environ.get("ORK_TASK"),
    }
