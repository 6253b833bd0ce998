from __future__ import annotations

import time

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from tests.conftest import SigningKeys, citizen_claims
from tests.graphql import gql

ME = """{
  me {
    __typename
    ... on Citizen { iin birthDate }
    ... on OrganisationUser { organisationBin organisationKind }
    ... on BankClient { clientId bankBin scopes }
    ... on AuthorityUser { authority region }
  }
}"""


async def test_a_citizen_token_reaches_me_with_the_iin_from_the_token(client: httpx.AsyncClient, keys: SigningKeys):
    token = keys.token(citizen_claims("850315400015"))

    response = await gql(client, ME, token=token)

    assert response.status_code == 200
    assert response.json()["data"] == {
        "me": {"__typename": "Citizen", "iin": "850315400015", "birthDate": "1985-03-15"}
    }


async def test_an_rs256_token_is_accepted_as_well(client: httpx.AsyncClient, keys: SigningKeys):
    token = keys.token(citizen_claims("900102500025"), algorithm="RS256")

    response = await gql(client, ME, token=token)

    assert response.json()["data"]["me"]["iin"] == "900102500025"


async def test_an_anonymous_caller_is_nobody(client: httpx.AsyncClient):
    response = await gql(client, ME)

    assert response.status_code == 200
    assert response.json()["data"] == {"me": None}


@pytest.mark.parametrize(
    ("claims", "expected"),
    [
        (
            {"role": "organisation", "sub": "u1", "bin": "981240000041", "org_kind": "PHARMACY"},
            {"__typename": "OrganisationUser", "organisationBin": "981240000041", "organisationKind": "PHARMACY"},
        ),
        (
            {"role": "bank", "sub": "kaspi", "bin": "050140000011", "scope": "contributions:write contributions:read"},
            {
                "__typename": "BankClient",
                "clientId": "kaspi",
                "bankBin": "050140000011",
                "scopes": ["contributions:read", "contributions:write"],
            },
        ),
        (
            {"role": "authority", "sub": "o1", "authority": "EDUCATION_DEPARTMENT", "region": "KZ-75"},
            {"__typename": "AuthorityUser", "authority": "EDUCATION_DEPARTMENT", "region": "ALMATY"},
        ),
    ],
)
async def test_each_kind_of_principal_is_read_from_its_claims(
    client: httpx.AsyncClient, keys: SigningKeys, claims: dict[str, str], expected: dict[str, object]
):
    response = await gql(client, ME, token=keys.token(claims))

    assert response.json()["data"]["me"] == expected


def _other_key_token(keys: SigningKeys) -> str:
    return keys.token(citizen_claims(), key=ec.generate_private_key(ec.SECP256R1()))


def _hs256_with_public_key(keys: SigningKeys) -> str:
    # The algorithm-confusion attack: an HMAC "signed" with the public key the JWKS publishes.
    import jwt

    now = int(time.time())
    payload = {"iss": "govgraph-test", "aud": "govgraph", "exp": now + 60, **citizen_claims()}
    return jwt.encode(payload, "not-a-real-secret-but-long-enough-for-hmac", algorithm="HS256", headers={"kid": "ec-1"})


def _unsigned(keys: SigningKeys) -> str:
    import jwt

    return jwt.encode({**citizen_claims(), "iss": "govgraph-test", "aud": "govgraph"}, None, algorithm="none")


@pytest.mark.parametrize(
    ("make_token", "reason"),
    [
        pytest.param(_other_key_token, "signature", id="signed by another key"),
        pytest.param(lambda k: k.token(citizen_claims(), exp=int(time.time()) - 3600), "expired", id="expired"),
        pytest.param(lambda k: k.token(citizen_claims(), aud="another-service"), "audience", id="wrong audience"),
        pytest.param(lambda k: k.token(citizen_claims(), iss="https://evil.example"), "issuer", id="wrong issuer"),
        pytest.param(lambda k: k.token(citizen_claims(), nbf=int(time.time()) + 3600), "not yet valid", id="not yet"),
        pytest.param(lambda k: k.token(citizen_claims(), kid="no-such-key"), "unknown key", id="unknown kid"),
        pytest.param(_hs256_with_public_key, "algorithm", id="HS256 confusion"),
        pytest.param(_unsigned, "algorithm", id="alg none"),
        pytest.param(lambda k: "not.a.jwt", "malformed", id="garbage"),
        pytest.param(lambda k: k.token({"role": "citizen", "sub": "123456789012"}), "claims", id="invalid IIN subject"),
        pytest.param(lambda k: k.token({"role": "emperor", "sub": "x"}), "claims", id="unknown role"),
    ],
)
async def test_a_token_that_cannot_be_trusted_is_refused_with_401(
    client: httpx.AsyncClient, keys: SigningKeys, make_token, reason: str
):
    response = await gql(client, ME, token=make_token(keys), language="en")

    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith('Bearer error="invalid_token"')
    error = response.json()["errors"][0]
    assert error["extensions"] == {"code": "INVALID_TOKEN", "reason": reason}
    assert "refused" in error["message"]
    assert "data" not in response.json()


async def test_an_authorization_header_that_is_not_a_bearer_token_is_refused(client: httpx.AsyncClient):
    response = await client.post(
        "/graphql", json={"query": "{ me { __typename } }"}, headers={"Authorization": "Basic Zm9vOmJhcg=="}
    )

    assert response.status_code == 401


async def test_a_rotated_key_is_picked_up_by_its_kid(client: httpx.AsyncClient, keys: SigningKeys):
    new_key = ec.generate_private_key(ec.SECP256R1())
    keys.publish(("ec-2", new_key))
    try:
        response = await gql(client, ME, token=keys.token(citizen_claims(), key=new_key, kid="ec-2"))
    finally:
        keys.publish()

    assert response.status_code == 200
    assert response.json()["data"]["me"]["iin"] == "850315400015"
