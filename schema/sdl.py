from __future__ import annotations

from schema.schema import schema


def sdl() -> str:
    """The schema as exported to schema.graphql: the contract client teams review."""
    return schema.as_str() + "\n"
