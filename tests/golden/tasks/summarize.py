def main(input):
    return {"total_chars": len(input["fetch"]["data"])}
