def main(input):
    return {}
