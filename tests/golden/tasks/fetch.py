def main(input):
    return {"data": input["url"]}
