# Used with ORK_MODULE=pkg.mod and ORK_FUNCTION=run.
def run(x: int, y: int = 1):
    return {"sum": x + y, "module": __name__}


class Job:
    @staticmethod
    def go(input):
        return {"job": input}
