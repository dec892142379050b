from ork import TaskError, task


@task
def main(input):
    raise TaskError("quota exceeded for " + input["user"],
                    details={"limit": 10, "used": 12}, retryable=False)
