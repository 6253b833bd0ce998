from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator

import httpx
import pytest
from graphql import FragmentDefinitionNode, OperationDefinitionNode, build_schema, parse
from sqlalchemy.ext.asyncio import AsyncEngine

from api import limits
from api.settings import Settings
from schema import messages
from schema.messages import Locale
from schema.relay import MAX_PAGE_SIZE
from tests.graphql import gql, serving


def _nested(depth: int) -> str:
    """A valid introspection query whose deepest field sits `depth` levels down: ofType nests without end."""
    # __schema, types, fields and type make 4 levels, the innermost `name` one more; ofType fills the rest.
    of_types = depth - 5
    return "{ __schema { types { fields { type " + "{ ofType " * of_types + "{ name }" + " }" * of_types + " } } } }"


DEEP = _nested(50)
ALIASED = "{ " + " ".join(f"a{i}: __typename" for i in range(1_000)) + " }"
CYCLIC = """
{ ...A }
fragment A on Query { ...B }
fragment B on Query { ...A }
"""
ME_AND_NOW = "{ me { __typename } now }"

# Each fragment spreads the next one twice: a few hundred tokens that stand for 2**24 copies of `__typename`.
DOUBLINGS = 24
DOUBLING = (
    "{ ...F0 }\n"
    + "\n".join(f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(DOUBLINGS))
    + f"\nfragment F{DOUBLINGS} on Query {{ __typename }}"
)

SDL = """
type Query { items(first: Int, last: Int): ItemConnection! }
type ItemConnection { edges: [ItemEdge!]! pageInfo: PageInfo! }
type ItemEdge { cursor: String! node: Item! }
type Item { name: String! items(first: Int, last: Int): ItemConnection! }
type PageInfo { hasNextPage: Boolean! }
"""
SHOP = build_schema(SDL)


def _error(response: httpx.Response) -> dict[str, object]:
    body = response.json()
    assert "data" not in body
    [error] = body["errors"]
    return error


def _cost(document: str, variables: dict[str, object] | None = None) -> int:
    operation, fragments = _parsed(document)
    return limits.cost(SHOP, operation, fragments, variables or {})


def _parsed(document: str) -> tuple[OperationDefinitionNode, dict[str, FragmentDefinitionNode]]:
    definitions = parse(document).definitions
    [operation] = [d for d in definitions if isinstance(d, OperationDefinitionNode)]
    fragments = {d.name.value: d for d in definitions if isinstance(d, FragmentDefinitionNode)}
    return operation, fragments


async def test_a_query_nested_fifty_deep_is_refused_before_it_runs(client: httpx.AsyncClient, settings: Settings):
    response = await gql(client, DEEP, language="en")

    assert response.status_code == 200  # a refused document, to a legacy application/json client
    error = _error(response)
    assert error["extensions"] == {"code": "DEPTH_LIMIT_EXCEEDED", "depth": 50, "limit": settings.max_depth}
    assert error["message"] == f"The query is nested 50 levels deep; at most {settings.max_depth} are allowed."


async def test_a_query_exactly_as_deep_as_the_limit_runs(client: httpx.AsyncClient, settings: Settings):
    response = await gql(client, _nested(settings.max_depth))

    assert response.status_code == 200
    assert "errors" not in response.json()
    assert response.json()["data"]["__schema"]["types"]


async def test_a_refused_document_is_400_for_a_client_that_accepts_graphql_response_json(client: httpx.AsyncClient):
    response = await gql(client, DEEP, accept="application/graphql-response+json")

    assert response.status_code == 400
    assert response.headers["content-type"] == "application/graphql-response+json"
    assert _error(response)["extensions"]["code"] == "DEPTH_LIMIT_EXCEEDED"


async def test_a_query_with_a_thousand_aliases_is_refused(client: httpx.AsyncClient, settings: Settings):
    response = await gql(client, ALIASED, language="en")

    error = _error(response)
    assert error["extensions"] == {"code": "ALIAS_LIMIT_EXCEEDED", "aliases": 1_000, "limit": settings.max_aliases}
    assert "1000 aliases" in error["message"]


async def test_a_document_longer_than_the_token_limit_is_refused(client: httpx.AsyncClient, settings: Settings):
    too_long = "{ " + "__typename " * settings.max_tokens + "}"

    response = await gql(client, too_long, language="en")

    error = _error(response)
    assert error["extensions"] == {"code": "TOKEN_LIMIT_EXCEEDED", "limit": settings.max_tokens}
    assert error["message"] == f"The query is longer than {settings.max_tokens} tokens."


def _padded_body(size: int) -> bytes:
    """A valid GraphQL request of exactly `size` bytes; the padding sits in `extensions`, which we ignore."""
    empty = json.dumps({"query": "{ __typename }", "extensions": {"pad": ""}}).encode()
    return json.dumps({"query": "{ __typename }", "extensions": {"pad": "x" * (size - len(empty))}}).encode()


async def test_a_body_over_the_size_limit_is_refused_by_its_content_length(
    client: httpx.AsyncClient, settings: Settings
):
    body = _padded_body(settings.max_body_bytes + 1)

    response = await client.post(
        "/graphql", content=body, headers={"Content-Type": "application/json", "Accept-Language": "en"}
    )

    assert response.status_code == 413
    error = _error(response)
    assert error["extensions"] == {"code": "REQUEST_TOO_LARGE", "limit": settings.max_body_bytes}
    assert error["message"] == f"The request body is larger than {settings.max_body_bytes} bytes."


async def test_a_body_over_the_size_limit_is_refused_when_streamed_without_a_length(
    client: httpx.AsyncClient, settings: Settings
):
    body = _padded_body(settings.max_body_bytes + 1)

    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(body), 16 * 1024):
            yield body[start : start + 16 * 1024]

    response = await client.post("/graphql", content=chunks(), headers={"Content-Type": "application/json"})

    assert "content-length" not in response.request.headers  # sent chunked: only counting can catch it
    assert response.status_code == 413
    assert _error(response)["extensions"]["code"] == "REQUEST_TOO_LARGE"


async def test_a_body_exactly_at_the_size_limit_is_read(client: httpx.AsyncClient, settings: Settings):
    body = _padded_body(settings.max_body_bytes)

    response = await client.post("/graphql", content=body, headers={"Content-Type": "application/json"})

    assert len(body) == settings.max_body_bytes
    assert response.status_code == 200
    assert response.json()["data"] == {"__typename": "Query"}


async def test_a_refusal_is_worded_in_the_callers_language_and_its_code_stays_the_same(client: httpx.AsyncClient):
    answers = {}
    for language, locale in ((None, Locale.KK), ("ru-RU,ru;q=0.9", Locale.RU), ("en", Locale.EN)):
        response = await gql(client, DEEP, language=language)
        answers[locale] = (response.headers["content-language"], _error(response))

    assert {language for language, _ in answers.values()} == {"kk", "ru", "en"}
    assert {error["extensions"]["code"] for _, error in answers.values()} == {"DEPTH_LIMIT_EXCEEDED"}
    for locale, (_, error) in answers.items():
        assert error["message"] == messages.render("DEPTH_LIMIT_EXCEEDED", locale, depth=50, limit=12)
    assert len({error["message"] for _, error in answers.values()}) == 3


async def test_a_cycle_of_fragment_spreads_is_reported_by_validation(client: httpx.AsyncClient):
    response = await gql(client, CYCLIC)

    assert response.status_code == 200
    codes = {error["extensions"]["code"] for error in response.json()["errors"]}
    assert codes == {"GRAPHQL_VALIDATION_FAILED"}
    assert any("within itself" in error["message"] for error in response.json()["errors"])


async def test_fragments_that_double_at_every_level_are_costed_without_expanding_them(client: httpx.AsyncClient):
    started = time.perf_counter()

    response = await gql(client, DOUBLING)

    assert time.perf_counter() - started < 2  # walked spread by spread, this is 2**24 visits: tens of seconds
    assert _error(response)["extensions"] == {"code": "COST_LIMIT_EXCEEDED", "cost": 2**DOUBLINGS, "limit": 10_000}


async def test_an_operation_that_costs_more_than_the_limit_is_refused_before_it_runs(
    settings: Settings, engine: AsyncEngine
):
    cheap = settings.model_copy(update={"max_cost": 2})

    async with serving(cheap, engine) as client:
        within = await gql(client, "{ me { __typename } }")  # me 1, __typename 1
        over = await gql(client, ME_AND_NOW, language="en")
        over_for_new_clients = await gql(client, ME_AND_NOW, accept="application/graphql-response+json")

    assert within.json()["data"] == {"me": None}
    assert over.status_code == 200  # like any refused document, for legacy application/json clients
    assert over_for_new_clients.status_code == 400
    error = _error(over)
    assert error["extensions"] == {"code": "COST_LIMIT_EXCEEDED", "cost": 3, "limit": 2}
    assert error["message"].startswith("The query would cost 3 points; at most 2 are allowed.")


def test_a_page_of_ten_inside_a_page_of_ten_costs_a_hundred_times_the_inner_fields():
    nested = "{ items(first: 10) { edges { node { name items(first: 10) { edges { node { name } } } } } } }"

    # Inner page: 1 + 10 × (edges, node, name) = 31. Outer: 1 + 10 × (edges, node, name, inner page 31) = 341.
    assert _cost(nested) == 341
    assert _cost("{ items(first: 10) { edges { node { name } } } }") == 31


def test_a_page_size_given_as_a_variable_is_costed_with_its_value():
    document = "query ($n: Int) { items(first: $n) { edges { node { name } } } }"

    assert limits.uses_variable_sizes(_parsed(document)[0])
    assert _cost(document, {"n": 7}) == 1 + 7 * 3
    assert _cost(document, {"n": 2}) == 1 + 2 * 3


def test_a_page_size_given_inline_makes_the_cost_independent_of_variables():
    document = "query ($after: String) { items(last: 5) { edges { node { name } } } }"

    assert not limits.uses_variable_sizes(_parsed(document)[0])
    assert _cost(document) == 1 + 5 * 3


def test_a_page_size_given_as_a_variable_inside_a_fragment_is_costed_per_request():
    document = """
    query ($n: Int) { ...Page }
    fragment Page on Query { items(first: $n) { edges { node { name } } } }
    """

    assert limits.uses_variable_sizes(_parsed(document)[0])
    assert _cost(document, {"n": 3}) == 1 + 3 * 3


def test_a_connection_asked_without_a_size_is_costed_at_the_largest_page():
    assert _cost("{ items { edges { node { name } } } }") == 1 + MAX_PAGE_SIZE * 3


@pytest.mark.parametrize(
    "document",
    [
        "{ items(first: 4) { pageInfo { hasNextPage } } }",
        "{ ...Page } fragment Page on Query { items(first: 4) { pageInfo { hasNextPage } } }",
        "{ ... on Query { items(first: 4) { pageInfo { hasNextPage } } } }",
    ],
    ids=["inline", "named fragment", "inline fragment"],
)
def test_fragments_cost_what_their_fields_cost(document: str):
    assert _cost(document) == 1 + 4 * 2


def test_a_page_size_variable_left_to_its_default_is_costed_at_the_default():
    schema = build_schema(SDL)
    document = parse("query($n: Int = 5) { items(first: $n) { edges { node { name } } } }")
    operation = document.definitions[0]

    assert limits.cost(schema, operation, {}, {}) == limits.cost(schema, operation, {}, {"n": 5})
    assert limits.cost(schema, operation, {}, {}) < limits.cost(schema, operation, {}, {"n": 50})
