# A task file like any other: `ork exec` runs it, and it is a plain module
# that a unit test can import (see test_orders.py).
from dataclasses import dataclass, field
from typing import List

from ork import Context, task


@dataclass
class Order:
    id: str
    qty: int
    price: float


@dataclass
class Input:
    orders: List[Order]
    min_qty: int = 1


@dataclass
class Output:
    total: float
    kept: List[str] = field(default_factory=list)


@task
def main(input: Input, ctx: Context) -> Output:
    """The whole input, as an Input."""
    kept = [o for o in input.orders if o.qty >= input.min_qty]
    ctx.log.info("kept %d of %d orders", len(kept), len(input.orders))
    return Output(total=sum(o.qty * o.price for o in kept),
                  kept=[o.id for o in kept])


def scale(total: float, factor: float = 1.0) -> float:
    """Ork's style: keyword arguments from the input's keys."""
    return round(total * factor, 2)
