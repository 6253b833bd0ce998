from __future__ import annotations

import random
from typing import Any

import pytest
from graphql import GraphQLNonNull, GraphQLObjectType, execute, get_named_type, parse, validate

from api.auth import principal_from_claims
from api.plan import PlanRun, Unsupported, coerce_variables, compile_plan
from domain.shared import access
from schema.context import Context
from schema.messages import Locale
from schema.schema import schema as strawberry_schema
from tests.conftest import organisation_claims, regulator_claims
from tests.domain.medicines.conftest import MANUFACTURER_BIN
from tests.schema.medicines.test_verify_pack import deliver_to_pharmacy, issue_and_commission

SCHEMA = strawberry_schema._schema
pytestmark = pytest.mark.usefixtures("demo_data")


async def both_ways(client, document: str, variables: dict[str, Any] | None = None, principal=access.ANONYMOUS):
    """The same document through graphql-core and through its compiled plan, as comparable JSON."""
    resources = client.app.state.resources
    ast = parse(document)
    assert validate(SCHEMA, ast) == []
    operation = ast.definitions[0]
    fragments = {d.name.value: d for d in ast.definitions[1:]}

    def context() -> Context:
        return Context(principal=principal, locale=Locale.EN, resources=resources)

    expected_context = context()
    expected = execute(
        SCHEMA,
        ast,
        context_value=expected_context,
        variable_values=variables,
        executor_class=strawberry_schema.execution_context_class,
    )
    if not isinstance(expected, dict) and hasattr(expected, "__await__"):
        expected = await expected
    await expected_context.close()

    plan = compile_plan(SCHEMA, operation, fragments, strawberry_schema.config)
    actual_context = context()
    run = PlanRun(plan, SCHEMA, actual_context, coerce_variables(plan, SCHEMA, variables or {}))
    data = await run.execute()
    await actual_context.close()
    return _json(expected.data, expected.errors), _json(data, run.errors)


def _json(data: Any, errors: Any) -> dict[str, Any]:
    formatted = sorted((e.formatted for e in errors or ()), key=lambda e: (str(e.get("path")), e["message"]))
    return {"data": data, "errors": formatted}


VERIFY_ALL = """
query($code: String!) {
  verifyPack(code: $code) {
    __typename verdict severity message code { gtin serial batch expiry } problem { problem message field position }
    formProblems notes batch expiry maxRetailPrice
    product { id gtin tradeName inn dosageForm strength unitsPerPack holderName registrationNumber status
              manufacturer { id bin name kind region } importer { name }
              maxRetailPrice maxRetailPriceHistory { price } }
    manufacturer { __typename bin name }
    location { state organisation { id name kind region } }
  }
}
"""


async def test_the_scan_answers_the_same_through_the_plan(client, keys, engine):
    [code] = await issue_and_commission(client, keys)
    await deliver_to_pharmacy(engine, code)

    for text in (code, code.swapcase(), "garbage", "", code[:-4] + "AAA="):
        expected, actual = await both_ways(client, VERIFY_ALL, {"code": text})
        assert actual == expected


@pytest.mark.parametrize(
    "document",
    [
        "{ __typename t: __typename }",
        "{ me { __typename ... on Citizen { iin } } }",
        'query { a: verifyPack(code: "x") { v: verdict } b: verifyPack(code: "y") { verdict ...V } } '
        "fragment V on PackVerification { severity problem { problem } }",
        '{ node(id: "garbage") { id } }',
        "{ medicineAlerts(first: 3) { edges { cursor node { id kind } } pageInfo { hasNextPage } } }",
        "{ products(first: 5) { edges { node { gtin ... on Node { id } manufacturer { name } } } } }",
        '{ verifyPack(code: "x", region: ASTANA) { verdict } }',
        "{ products(first: 2, after: null) { edges { node { gtin } } } }",
        "{ products(first: -1) { edges { cursor } } }",
    ],
    ids=[
        "typename",
        "union",
        "aliases and fragments",
        "field error",
        "forbidden non-null connection",
        "interfaces",
        "enum literal",
        "null literal",
        "refused literal",
    ],
)
async def test_documents_answer_the_same_through_the_plan(client, document):
    expected, actual = await both_ways(client, document)

    assert actual == expected


async def test_nodes_by_id_and_abstract_types_answer_the_same(client, keys):
    [code] = await issue_and_commission(client, keys)
    product = (await both_ways(client, VERIFY_ALL, {"code": code}))[0]["data"]["verifyPack"]["product"]
    ids = [product["id"], product["manufacturer"]["id"], "garbage-id"]
    document = (
        "query($ids: [ID!]!) { nodes(ids: $ids) { __typename id ... on Product { gtin } ... on Organisation { bin } } }"
    )

    for principal in (access.ANONYMOUS, principal_from_claims(regulator_claims())):
        expected, actual = await both_ways(client, document, {"ids": ids[:2]}, principal)
        assert actual == expected
    expected, actual = await both_ways(client, document, {"ids": ids})
    assert actual == expected


async def test_each_kind_of_principal_reads_me_the_same(client):
    claims = [regulator_claims(), organisation_claims(MANUFACTURER_BIN, "MANUFACTURER")]
    document = (
        "{ me { __typename ... on AuthorityUser { authority region } ... on OrganisationUser { organisationBin } } }"
    )

    for principal in [principal_from_claims(c) for c in claims]:
        expected, actual = await both_ways(client, document, principal=principal)
        assert actual == expected


def test_what_the_compiler_does_not_cover_is_left_to_graphql_core():
    for document in (
        "mutation { setClock(input: {}) { errors { code } } }",
        "{ __schema { queryType { name } } }",
        "{ me @include(if: true) { __typename } }",
    ):
        ast = parse(document)
        with pytest.raises(Unsupported):
            compile_plan(SCHEMA, ast.definitions[0], {})


def _random_selection(rng: random.Random, object_type: GraphQLObjectType, depth: int) -> str:
    picks = []
    for name, field in object_type.fields.items():
        if field.args and any(isinstance(a.type, GraphQLNonNull) for a in field.args.values()):
            continue
        if rng.random() < 0.5:
            continue
        named = get_named_type(field.type)
        alias = f"a{rng.randint(0, 99)}_{name}: " if rng.random() < 0.2 else ""
        if isinstance(named, GraphQLObjectType):
            if depth >= 3:
                continue
            inner = _random_selection(rng, named, depth + 1)
            picks.append(f"{alias}{name} {{ __typename {inner} }}")
        elif not hasattr(named, "fields"):
            picks.append(f"{alias}{name}")
    if rng.random() < 0.3:
        picks.append(f"... on {object_type.name} {{ __typename }}")
    return " ".join(picks)


async def test_generated_selections_of_the_scan_answer_the_same(client, keys, engine):
    [code] = await issue_and_commission(client, keys)
    await deliver_to_pharmacy(engine, code)
    rng = random.Random(20261125)
    verification = get_named_type(SCHEMA.query_type.fields["verifyPack"].type)

    for _ in range(40):
        selection = _random_selection(rng, verification, 0) or "verdict"
        document = f"query($code: String!) {{ verifyPack(code: $code) {{ {selection} }} }}"
        expected, actual = await both_ways(client, document, {"code": rng.choice([code, "junk", code.lower()])})
        assert actual == expected, document


@pytest.mark.parametrize(
    "variables",
    [{"code": "x"}, {"code": "x", "region": None}, {"code": "x", "region": "ASTANA"}, {"code": "x", "extra": 1}],
    ids=["left out", "null", "given", "an extra one"],
)
async def test_variables_are_coerced_as_graphql_core_coerces_them(client, variables):
    document = "query($code: String!, $region: Region) { verifyPack(code: $code, region: $region) { verdict } }"

    expected, actual = await both_ways(client, document, variables)

    assert actual == expected


def test_a_variable_that_does_not_fit_leaves_the_request_to_graphql_core():
    ast = parse("query($code: String!) { verifyPack(code: $code) { verdict } }")
    plan = compile_plan(SCHEMA, ast.definitions[0], {})

    assert coerce_variables(plan, SCHEMA, {"code": 42}) is None
    assert coerce_variables(plan, SCHEMA, {}) is None
