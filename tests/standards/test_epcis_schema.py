from __future__ import annotations

import json

import pytest

from tests.standards.epcis_schema import EXAMPLES, schema_problems, validator


@pytest.mark.parametrize("example", EXAMPLES, ids=[path.stem for path in EXAMPLES])
def test_the_standards_own_examples_are_valid(example):
    assert schema_problems(json.loads(example.read_text())) == []


def test_both_examples_are_there():
    assert len(EXAMPLES) == 2


@pytest.mark.parametrize(
    ("value", "format_"),
    [("not a uri", "uri"), ("2026-11-25 11:00", "date-time"), ("2026-13-01T00:00:00+05:00", "date-time")],
)
def test_the_validator_checks_formats(value, format_):
    assert not validator().format_checker.conforms(value, format_)


def test_an_extension_field_without_a_namespace_is_refused():
    document = json.loads(EXAMPLES[0].read_text())
    document["epcisBody"]["eventList"][0]["myField"] = "no prefix, no URI"

    assert schema_problems(document) != []
