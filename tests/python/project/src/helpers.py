"""Project code imported by the tasks as `src.helpers` (cwd on sys.path)."""


def shout(s):
    return s.upper() + "!"
