from __future__ import annotations

import json

import httpx
import pytest
from graphql import located_error
from sqlalchemy.ext.asyncio import AsyncEngine

from api.app import build_code_keys, build_key_set
from api.auth import TokenVerifier
from api.graphql_http import GraphQLEndpoint
from api.metrics import Metrics
from api.settings import Mode, Settings
from api.verification_log import BufferedVerificationLog
from domain.shared.clock import SystemClock
from domain.shared.db import SessionReads, create_sessionmaker
from schema import messages
from schema.context import Resources
from schema.messages import Locale
from tests.graphql import gql, serving

TYPENAME = "{ __typename }"
MAYBE_TYPENAME = "query Maybe($show: Boolean!) { __typename @include(if: $show) }"
TWO_OPERATIONS = "query First { first: __typename } query Second { second: __typename }"
INTROSPECTION = "{ __schema { queryType { name } } }"
NODE = 'query { node(id: "garbage") { id } }'
SET_CLOCK = "mutation SetClock($at: DateTime) { setClock(input: { at: $at }) { now } }"
GRAPHQL_RESPONSE = "application/graphql-response+json"


def _error(response: httpx.Response) -> dict[str, object]:
    body = response.json()
    assert "data" not in body
    [error] = body["errors"]
    return error


async def _post(client: httpx.AsyncClient, content: bytes, content_type: str = "application/json") -> httpx.Response:
    return await client.post("/graphql", content=content, headers={"Content-Type": content_type})


def _production(settings: Settings) -> Settings:
    return settings.model_copy(update={"mode": Mode.PRODUCTION})


def _endpoint(settings: Settings, engine: AsyncEngine) -> GraphQLEndpoint:
    verifier = TokenVerifier(
        build_key_set(settings), issuer=settings.jwt_issuer, audience=settings.jwt_audience, leeway_s=0
    )
    return GraphQLEndpoint(
        settings=settings,
        verifier=verifier,
        resources=Resources(
            sessions=create_sessionmaker(engine),
            clock=SystemClock(),
            code_keys=build_code_keys(settings),
            reads=SessionReads(create_sessionmaker(engine)()),
            verification_log=BufferedVerificationLog(create_sessionmaker(engine), SystemClock()),
            production=settings.is_production,
        ),
        metrics=Metrics(engine),
    )


async def test_a_query_can_be_sent_with_get(client: httpx.AsyncClient):
    response = await client.get("/graphql", params={"query": TYPENAME})

    assert response.status_code == 200
    assert response.json()["data"] == {"__typename": "Query"}


@pytest.mark.parametrize(("show", "data"), [(True, {"__typename": "Query"}), (False, {})])
async def test_a_get_request_reads_its_variables_from_json(client: httpx.AsyncClient, show: bool, data: dict):
    params = {"query": MAYBE_TYPENAME, "variables": json.dumps({"show": show})}

    response = await client.get("/graphql", params=params)

    assert response.json()["data"] == data


async def test_a_mutation_sent_with_get_is_refused_with_405(client: httpx.AsyncClient):
    response = await client.get("/graphql", params={"query": SET_CLOCK, "variables": "{}"})

    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert _error(response)["extensions"]["code"] == "OPERATION_NOT_ALLOWED"


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b'{"query": "{ __typename }"', id="not JSON"),
        pytest.param(b'[{"query": "{ __typename }"}]', id="a JSON array"),
        pytest.param(b'{"variables": {}}', id="no query"),
        pytest.param(b'{"query": "   "}', id="a blank query"),
        pytest.param(b'{"query": "{ __typename }", "variables": [1]}', id="variables not an object"),
        pytest.param(b'{"query": "{ __typename }", "operationName": 7}', id="operationName not a string"),
    ],
)
async def test_a_body_that_is_not_a_graphql_request_is_400(client: httpx.AsyncClient, body: bytes):
    response = await _post(client, body)

    assert response.status_code == 400
    error = _error(response)
    assert error["extensions"]["code"] == "BAD_REQUEST"
    assert error["extensions"]["reason"]


async def test_a_body_that_is_not_json_is_refused_with_415(client: httpx.AsyncClient):
    response = await _post(client, TYPENAME.encode(), content_type="text/plain")

    assert response.status_code == 415
    assert _error(response)["extensions"] == {"code": "BAD_REQUEST", "reason": "send application/json"}


@pytest.mark.parametrize(
    ("document", "code"),
    [("{ me {", "GRAPHQL_PARSE_FAILED"), ("{ noSuchField }", "GRAPHQL_VALIDATION_FAILED")],
    ids=["syntax error", "unknown field"],
)
@pytest.mark.parametrize(
    ("accept", "status", "content_type"),
    [("application/json", 200, "application/json"), (GRAPHQL_RESPONSE, 400, GRAPHQL_RESPONSE)],
    ids=["legacy json", "graphql-response+json"],
)
async def test_a_document_that_cannot_run_is_200_for_legacy_clients_and_400_for_new_ones(
    client: httpx.AsyncClient, document: str, code: str, accept: str, status: int, content_type: str
):
    response = await gql(client, document, accept=accept)

    assert response.status_code == status
    assert response.headers["content-type"] == content_type
    error = _error(response)
    assert error["extensions"] == {"code": code}
    assert error["locations"]


async def test_two_operations_without_an_operation_name_are_refused(client: httpx.AsyncClient):
    response = await gql(client, TWO_OPERATIONS)

    assert response.status_code == 400
    assert _error(response)["extensions"]["code"] == "BAD_REQUEST"


async def test_the_operation_named_in_operation_name_is_the_one_that_runs(client: httpx.AsyncClient):
    response = await client.post("/graphql", json={"query": TWO_OPERATIONS, "operationName": "Second"})

    assert response.json()["data"] == {"second": "Query"}


async def test_an_operation_name_that_names_no_operation_is_refused(client: httpx.AsyncClient):
    response = await client.post("/graphql", json={"query": TWO_OPERATIONS, "operationName": "Third"})

    assert response.status_code == 400
    assert _error(response)["extensions"] == {"code": "BAD_REQUEST", "reason": "no operation named Third"}


async def test_a_variable_that_breaks_its_scalars_rules_is_a_request_error_with_the_domain_code(
    client: httpx.AsyncClient,
):
    response = await gql(client, SET_CLOCK, {"at": "yesterday"}, language="en")

    assert response.status_code == 200
    error = _error(response)  # nothing ran: no `data` at all
    assert error["extensions"] == {"code": "INVALID_DATE"}
    assert error["message"].startswith("The date yesterday is not valid")


@pytest.mark.parametrize(
    ("language", "start"), [("en", "The GTIN 1234 is not valid"), ("ru", "GTIN 1234 недействителен")]
)
async def test_a_literal_that_breaks_its_scalars_rules_has_the_domain_code_in_the_callers_language(
    client: httpx.AsyncClient, language: str, start: str
):
    response = await gql(client, '{ product(gtin: "1234") { gtin } }', language=language)

    error = _error(response)
    assert error["extensions"] == {"code": "INVALID_GTIN"}
    assert error["message"].startswith(start)


async def test_a_request_error_is_400_for_a_client_that_accepts_graphql_response_json(client: httpx.AsyncClient):
    response = await gql(client, SET_CLOCK, {"at": "yesterday"}, accept=GRAPHQL_RESPONSE)

    assert response.status_code == 400
    assert response.headers["content-type"] == GRAPHQL_RESPONSE
    assert _error(response)["extensions"] == {"code": "INVALID_DATE"}


async def test_a_malformed_global_id_is_a_field_error_and_the_node_is_null(client: httpx.AsyncClient):
    response = await gql(client, NODE, language="en")

    assert response.status_code == 200
    body = response.json()
    assert body["data"] == {"node": None}
    [error] = body["errors"]
    assert error["path"] == ["node"]
    assert error["extensions"] == {"code": "INVALID_ID"}
    assert error["message"] == "The ID garbage is not valid: not an ID issued by this service."


async def test_graphiql_is_served_to_a_browser_outside_production(client: httpx.AsyncClient):
    response = await client.get("/graphql", headers={"Accept": "text/html"})

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "graphiql" in response.text.lower()


async def test_introspection_is_allowed_outside_production(client: httpx.AsyncClient):
    response = await gql(client, INTROSPECTION)

    assert response.json()["data"] == {"__schema": {"queryType": {"name": "Query"}}}


async def test_production_serves_no_ide_and_refuses_introspection(settings: Settings, engine: AsyncEngine):
    async with serving(_production(settings), engine) as client:
        page = await client.get("/graphql", headers={"Accept": "text/html"})
        introspection = await gql(client, INTROSPECTION)
        typename = await gql(client, TYPENAME)

    assert page.status_code == 400
    assert not page.headers["content-type"].startswith("text/html")
    assert "graphiql" not in page.text.lower()
    errors = introspection.json()["errors"]
    assert "data" not in introspection.json()
    assert {error["extensions"]["code"] for error in errors} == {"GRAPHQL_VALIDATION_FAILED"}
    assert "introspection has been disabled" in errors[0]["message"]
    assert typename.json()["data"] == {"__typename": "Query"}  # __typename is not introspection


async def test_production_masks_the_message_of_an_unexpected_error(settings: Settings, engine: AsyncEngine):
    endpoint = _endpoint(_production(settings), engine)
    error = located_error(RuntimeError("secret detail"), None, ["x"])

    formatted = endpoint._format_error(error, Locale.EN)

    assert "secret" not in json.dumps(formatted)
    assert formatted["message"] == messages.render("INTERNAL_SERVER_ERROR", Locale.EN)
    assert formatted["extensions"] == {"code": "INTERNAL_SERVER_ERROR"}
    assert formatted["path"] == ["x"]


async def test_outside_production_an_unexpected_error_keeps_its_message(settings: Settings, engine: AsyncEngine):
    endpoint = _endpoint(settings, engine)
    error = located_error(RuntimeError("secret detail"), None, ["x"])

    formatted = endpoint._format_error(error, Locale.EN)

    assert formatted["message"] == "secret detail"
    assert formatted["extensions"] == {"code": "INTERNAL_SERVER_ERROR"}


async def test_asking_for_more_than_a_page_of_nodes_at_once_is_refused(client: httpx.AsyncClient):
    ids = [f"id{n}" for n in range(101)]

    response = await gql(client, "query($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": ids})

    assert response.json()["errors"][0]["extensions"]["code"] == "INVALID_PAGE"


async def test_a_method_other_than_get_or_post_is_405_with_the_allowed_ones(client):
    response = await client.put("/graphql", json={"query": "{ __typename }"})

    assert response.status_code == 405
    assert response.headers["allow"] == "GET, POST"
    assert response.json()["errors"][0]["extensions"]["code"] == "OPERATION_NOT_ALLOWED"
