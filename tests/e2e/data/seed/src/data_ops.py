# src/data_ops.py -- the seed's business code (quickstart.md), with the one
# network call replaced: machines running the tests are offline, so a URL
# is served from web/HOST/PATH beside src/ (like a tiny local mirror).
# summarize_data is the seed's, verbatim.
import os
from urllib.parse import urlsplit

_WEB = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "web")


def fetch_data(url: str) -> str:
    """Fetch data from URL"""
    parts = urlsplit(url)
    path = os.path.join(_WEB, parts.hostname or "", parts.path.lstrip("/"))
    if not os.path.isfile(path):
        # what response.raise_for_status() would do for a 404
        raise RuntimeError("404 Client Error: Not Found for url: " + url)
    with open(path, "rb") as f:
        return f.read().decode("utf-8")


def summarize_data(text: str) -> dict:
    """Compute summary statistics"""
    lines = text.split('\n')

    return {
        "total_chars": len(text),
        "total_lines": len(lines),
        "non_empty_lines": len([l for l in lines if l.strip()])
    }
