"""The existing business code: it knows nothing about ork."""
import urllib.request


def fetch_data(url: str, timeout: float = 30) -> str:
    """Fetch data from URL"""
    with urllib.request.urlopen(url, timeout=timeout) as response:
        # urlopen raises HTTPError for 4xx/5xx, like raise_for_status()
        charset = response.headers.get_content_charset() or "utf-8"
        return response.read().decode(charset)


def summarize_data(text: str) -> dict:
    """Compute summary statistics"""
    lines = text.split('\n')

    return {
        "total_chars": len(text),
        "total_lines": len(lines),
        "non_empty_lines": len([l for l in lines if l.strip()])
    }
