from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from strawberry.relay.utils import to_base64

from domain.shared.db import create_sessionmaker
from tests.conftest import citizen_claims, organisation_claims
from tests.domain.kindergarten.registry import Family, Garden
from tests.graphql import gql

# The documents the kindergarten API tests send, and small helpers that send them as a parent or as staff.

MONDAY = "2026-03-09T10:00:00+05:00"  # the domain tests' NOW: a Monday, 10:00 in Almaty

APPLICATION = """
fragment Application on KindergartenApplication {
  id childIin status queuedAt cohort region language desiredStart reactivationUsed reactivateBy closedReason
  benefit { category documentReference confirmed }
  choices {
    rank position waitingInOrder kindergarten { id name }
    positionChanges { at change reason own movesBack }
  }
  offer { status rank offeredAt confirmBy signBy extended benefitBy kindergarten { id } }
}
"""
SUBMIT = (
    """
mutation($i: SubmitKindergartenApplicationInput!) {
  submitKindergartenApplication(input: $i) { application { ...Application } errors { code field message } }
}
"""
    + APPLICATION
)
UPDATE = (
    """
mutation($i: UpdateKindergartenApplicationInput!) {
  updateKindergartenApplication(input: $i) { application { ...Application } errors { code field message } }
}
"""
    + APPLICATION
)
MINE = "{ myKindergartenApplications { ...Application } }" + APPLICATION
NODE = "query($id: ID!) { node(id: $id) { id ... on KindergartenApplication { status childIin } } }"
PUBLISH = """
mutation($i: PublishKindergartenPlacesInput!) {
  publishKindergartenPlaces(input: $i) {
    placesPublished offersMade
    offers { id childIinMasked cohort language status confirmBy benefit { category documentReference confirmed } }
    errors { code field message }
  }
}
"""
OPEN_OFFERS = """
query($first: Int, $after: String) {
  kindergartenOpenOffers(first: $first, after: $after) {
    edges { cursor node { id childIinMasked status kindergarten { id } } } pageInfo { hasNextPage endCursor }
  }
}
"""


def act(mutation: str, input_type: str) -> str:
    """A parent's answer that takes an application and gives it back: confirm, refuse, sign, withdraw …"""
    return (
        f"mutation($i: {input_type}!) {{ {mutation}(input: $i) {{ application {{ ...Application }} "
        "errors { code field message } } }" + APPLICATION
    )


CONFIRM = act("confirmKindergartenOffer", "ConfirmKindergartenOfferInput")
REFUSE = act("refuseKindergartenOffer", "RefuseKindergartenOfferInput")
SIGN = act("signKindergartenContract", "SignKindergartenContractInput")
WITHDRAW = act("withdrawKindergartenApplication", "WithdrawKindergartenApplicationInput")
REACTIVATE = act("reactivateKindergartenApplication", "ReactivateKindergartenApplicationInput")
EXTEND = act("requestContractExtension", "RequestContractExtensionInput")


def global_id(type_name: str, key: int) -> str:
    return to_base64(type_name, key)


def parent_token(keys: Any, family: Family) -> str:
    return str(keys.token(citizen_claims(str(family.parent.iin))))


def staff_token(keys: Any, garden: Garden) -> str:
    return str(keys.token(organisation_claims(garden.bin, "KINDERGARTEN")))


def application_input(family: Family, *gardens: Garden, **overrides: Any) -> dict[str, Any]:
    values = {
        "childIin": family.child,
        "choices": [global_id("Kindergarten", garden.id) for garden in gardens],
        "language": "KK",
        "desiredStart": "2026-09-01",
    }
    return {**values, **overrides}


async def call(client: Any, document: str, variables: dict[str, Any], token: str, **headers: Any) -> Any:
    """Send a document and give back its only root field's value; a top-level error fails the test."""
    answer = (await gql(client, document, variables, token=token, **headers)).json()
    assert "errors" not in answer, answer
    [value] = answer["data"].values()
    return value


async def submit(client: Any, keys: Any, family: Family, *gardens: Garden, **overrides: Any) -> dict[str, Any]:
    payload = await call(client, SUBMIT, {"i": application_input(family, *gardens, **overrides)},
                         parent_token(keys, family))  # fmt: skip
    assert payload["errors"] == []
    return dict(payload["application"])


async def publish(client: Any, keys: Any, garden: Garden, count: int = 1, **overrides: Any) -> dict[str, Any]:
    values = {"cohort": 2023, "language": "KK", "count": count, **overrides}
    return dict(await call(client, PUBLISH, {"i": values}, staff_token(keys, garden)))


async def mine(client: Any, keys: Any, family: Family) -> list[dict[str, Any]]:
    return list(await call(client, MINE, {}, parent_token(keys, family)))


async def count_rows(engine: AsyncEngine, sql: str, **params: object) -> int:
    async with create_sessionmaker(engine)() as session:
        return int((await session.execute(text(sql), params)).scalar_one())


async def applications_of(engine: AsyncEngine, child_iin: str) -> int:
    return await count_rows(engine, "SELECT count(*) FROM kindergarten_applications WHERE child_iin = :c", c=child_iin)


async def applications_by(engine: AsyncEngine, family: Family) -> int:
    return await count_rows(engine, "SELECT count(*) FROM kindergarten_applications WHERE parent_iin = :p",
                            p=str(family.parent.iin))  # fmt: skip
