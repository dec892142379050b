# No function named main: the single @task function is the entry point.
from ork import task


@task
def transform(input):
    return {"got": input}
