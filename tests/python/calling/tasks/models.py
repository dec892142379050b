# Ork's calling rules with pydantic models (v1 or v2).
from typing import List, Optional

from pydantic import BaseModel


class Status(BaseModel):
    state: str
    code: int
    tags: List[str] = []


class Job(BaseModel):
    id: str
    rows: int


class Report(BaseModel):
    job_id: str
    rows: int
    limit: int
    note: Optional[str] = None


def status(status: Status) -> Status:
    """The model's fields are the input keys: the whole input."""
    assert isinstance(status, Status)
    return Status(state=status.state.upper(), code=status.code + 1,
                  tags=status.tags)


def one_job(job: Job) -> Report:
    """One parameter named after an input key, annotated with a model: the
    key's value, converted."""
    assert isinstance(job, Job)
    return Report(job_id=job.id, rows=job.rows, limit=0)


def jobs(job: Job, limit: int = 10, other: Optional[Job] = None) -> Report:
    """Keywords, each converted to its model."""
    assert isinstance(job, Job) and (other is None or isinstance(other, Job))
    return Report(job_id=job.id, rows=job.rows + (other.rows if other else 0),
                  limit=limit)
