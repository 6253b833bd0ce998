from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

from jsonschema import Draft7Validator, FormatChecker
from jsonschema.exceptions import best_match
from rfc3986_validator import validate_rfc3986

FOLDER = Path(__file__).parent
SCHEMA_FILE = FOLDER / "epcis-2.0-json-schema.json"
EXAMPLES = sorted(FOLDER.glob("epcis-example-*.jsonld"))


def _formats() -> FormatChecker:
    checker = FormatChecker()  # every format jsonschema knows, in a copy of its own

    # The schema's `id` is JSON-LD's @id, which may also be a blank node identifier: the standard's own examples
    # name their document `_:document1`. Anything else must be a URI as RFC 3986 has it.
    @checker.checks("uri")
    def is_uri_or_blank_node(value: object) -> bool:
        return not isinstance(value, str) or value.startswith("_:") or bool(validate_rfc3986(value, rule="URI"))

    return checker


@functools.cache
def validator() -> Draft7Validator:
    """GS1's EPCIS 2.0 schema with formats checked: without them `uri` and `date-time` would let anything pass."""
    return Draft7Validator(json.loads(SCHEMA_FILE.read_text()), format_checker=_formats())


def schema_problems(document: Any) -> list[str]:
    """Where and why a document breaks the schema, the likeliest cause first; empty when it is valid."""
    errors = list(validator().iter_errors(document))
    if not errors:
        return []
    best = best_match(errors)
    places = sorted({"/" + "/".join(map(str, error.absolute_path)) for error in errors})
    return [f"/{'/'.join(map(str, best.absolute_path))}: {best.message}", *places]
