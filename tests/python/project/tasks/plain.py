# Ork's plain-function style: no decorator, no import of ork; parameters are
# the input's keys; a dataclass return with dates.
import datetime
from dataclasses import dataclass, field
from typing import List, Optional


@dataclass
class Row:
    id: int
    day: datetime.date


@dataclass
class Report:
    source: str
    raw_path: str
    limit: int
    generated: datetime.date
    at: datetime.datetime
    rows: List[Row] = field(default_factory=list)
    note: Optional[str] = None


def extract(api_url: str, raw_path: str, limit: int = 10,
            since: Optional[datetime.date] = None) -> Report:
    start = since or datetime.date(2026, 1, 1)
    return Report(source=api_url, raw_path=raw_path, limit=limit,
                  generated=start,
                  at=datetime.datetime(2026, 1, 2, 3, 4, 5,
                                       tzinfo=datetime.timezone.utc),
                  rows=[Row(i, start + datetime.timedelta(days=i))
                        for i in range(2)])


def rest(first, **more):
    return {"first": first, "more": sorted(more)}


def positional_only(a, b=2, /, *, c=3):
    return [a, b, c]
