def main():
    return {}
