# String annotations (PEP 563): resolved with typing.get_type_hints.
from __future__ import annotations

from dataclasses import dataclass, field

from ork import Context


@dataclass
class Item:
    name: str
    qty: int = 1


@dataclass
class Order:
    items: list[Item]
    coupon: str | None = None
    tags: dict[str, int] = field(default_factory=dict)


def main(input: Order, ctx: Context) -> dict:
    assert isinstance(input.items[0], Item), type(input.items[0])
    return {"n": sum(i.qty for i in input.items), "coupon": input.coupon,
            "first": input.items[0].name, "task": ctx.task_name,
            "tags": input.tags}
