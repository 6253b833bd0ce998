from __future__ import annotations

from pathlib import Path

from schema.sdl import sdl

EXPORTED = Path(__file__).parents[2] / "schema.graphql"


def test_the_exported_schema_is_the_schema_the_service_serves():
    assert EXPORTED.read_text() == sdl(), "schema.graphql is stale: run `./dev export-schema` and review its diff"


def test_every_mutation_takes_one_input_and_returns_a_payload_with_errors():
    from schema.schema import schema

    mutation = schema._schema.mutation_type
    fields = mutation.fields.items() if mutation else []

    for name, field in fields:
        assert list(field.args) == ["input"], f"{name} must take a single `input`"
        payload = field.type.of_type if hasattr(field.type, "of_type") else field.type
        assert payload.name.endswith("Payload"), f"{name} must return a …Payload"
        assert "errors" in payload.fields, f"{payload.name} must carry `errors: [UserError!]!`"
