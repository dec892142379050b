def helper(d):
    return d["missing_key"]


def main(input):
    return helper(input)
