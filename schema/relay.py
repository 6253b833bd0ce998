from __future__ import annotations

import base64
import binascii
import inspect
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import strawberry
from strawberry import relay
from strawberry.relay.utils import from_base64

from domain.shared.errors import InvalidId, InvalidPage
from schema.context import Context

MAX_PAGE_SIZE = 100  # api.md: `first` is capped at 100


def decode_global_id(value: str, expected_type: str | None = None) -> tuple[str, str]:
    """The (type name, key) inside a global ID; a malformed ID or one of another type is INVALID_ID."""
    try:
        type_name, key = from_base64(value)
    except (ValueError, binascii.Error):
        raise InvalidId(value, "not an ID issued by this service") from None
    if expected_type is not None and type_name != expected_type:
        raise InvalidId(value, f"expected an ID of a {expected_type}")
    return type_name, key


async def resolve_nodes(info: strawberry.Info[Context, None], ids: Sequence[str]) -> list[relay.Node | None]:
    """The nodes behind `ids`, in order; each type's own `resolve_nodes` applies its access rules."""
    if len(ids) > MAX_PAGE_SIZE:
        raise InvalidPage(f"{len(ids)} ids", f"ask for at most {MAX_PAGE_SIZE} nodes at once")
    decoded = [decode_global_id(value) for value in ids]
    answers: dict[tuple[str, str], Any] = {}
    for type_name in {type_name for type_name, _ in decoded}:
        node_type = _node_type(info, type_name)
        if node_type is None:
            continue  # a type that is not a Node (or no longer exists) has no such node
        keys = [key for name, key in decoded if name == type_name]
        found = node_type.resolve_nodes(info=info, node_ids=keys, required=False)
        if inspect.isawaitable(found):
            found = await found
        answers.update(((type_name, key), node) for key, node in zip(keys, found, strict=True))
    return [answers.get(pair) for pair in decoded]


def _node_type(info: strawberry.Info[Context, None], type_name: str) -> type[relay.Node] | None:
    definition = info.schema.get_type_by_name(type_name)
    origin = getattr(definition, "origin", None)
    if isinstance(origin, type) and issubclass(origin, relay.Node):
        return origin
    return None


@dataclass(frozen=True, slots=True)
class PageRequest:
    """A validated page of a cursor connection: `size` items after or before a decoded cursor key."""

    size: int
    after: str | None = None
    before: str | None = None
    backwards: bool = False

    @classmethod
    def from_arguments(
        cls, *, first: int | None, after: str | None, last: int | None, before: str | None
    ) -> PageRequest:
        if first is not None and last is not None:
            raise InvalidPage("first/last", "ask for `first` or `last`, not both")
        size = last if last is not None else first if first is not None else MAX_PAGE_SIZE
        if not 0 <= size <= MAX_PAGE_SIZE:
            raise InvalidPage(str(size), f"a page holds 0 to {MAX_PAGE_SIZE} items")
        return cls(
            size=size,
            after=decode_cursor(after) if after else None,
            before=decode_cursor(before) if before else None,
            backwards=last is not None,
        )


def encode_cursor(key: str) -> str:
    return base64.urlsafe_b64encode(f"cursor:{key}".encode()).decode()


def decode_cursor(cursor: str) -> str:
    try:
        text = base64.urlsafe_b64decode(cursor.encode()).decode()
    except (ValueError, binascii.Error):
        raise InvalidPage(cursor, "not a cursor of this connection") from None
    if not text.startswith("cursor:"):
        raise InvalidPage(cursor, "not a cursor of this connection")
    return text.removeprefix("cursor:")


def connection_page(
    edges: list[relay.Edge[relay.NodeType]], *, has_next_page: bool, after: str | None
) -> relay.Connection[relay.NodeType]:
    """A forward page of a connection whose rows were read newest first, `first` after a cursor."""
    return relay.Connection(
        edges=edges,
        page_info=relay.PageInfo(
            has_next_page=has_next_page,
            has_previous_page=after is not None,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
    )
