from __future__ import annotations

import json
import os
import socket
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from api import migrate
from api.embedded import EmbeddedPostgres
from api.settings import Mode, Settings
from domain.shared.db import async_url, create_engine, create_sessionmaker
from tests.graphql import serving

ISSUER = "govgraph-test"
AUDIENCE = "govgraph"


def _local_server_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.fixture(scope="session")
def server_url() -> Iterator[str]:
    """A PostgreSQL server: TEST_DATABASE_URL, else the one on 127.0.0.1:5432, else an embedded one."""
    if os.environ.get("TEST_DATABASE_URL"):
        yield os.environ["TEST_DATABASE_URL"]
    elif _local_server_answers():
        yield "postgresql://postgres@127.0.0.1:5432/postgres"
    else:
        with tempfile.TemporaryDirectory(prefix="govgraph-test-pg-") as folder, EmbeddedPostgres(Path(folder)) as url:
            yield url


@pytest.fixture(scope="session")
async def new_database(server_url: str) -> AsyncIterator[Callable[[], Any]]:
    """A factory of empty databases on the test server, each dropped when the session ends."""
    made: list[str] = []

    async def make() -> str:
        name = f"govgraph_test_{uuid.uuid4().hex[:12]}"
        connection = await asyncpg.connect(server_url)
        try:
            await connection.execute(f'CREATE DATABASE "{name}"')
        finally:
            await connection.close()
        made.append(name)
        return _with_database(server_url, name)

    yield make

    connection = await asyncpg.connect(server_url)
    try:
        for name in made:
            await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


def _with_database(url: str, name: str) -> str:
    head, sep, query = url.partition("?")
    base = head.rsplit("/", 1)[0] if head.count("/") > 2 else head
    return f"{base}/{name}{sep}{query}"


@pytest.fixture(scope="session")
async def database_url(new_database: Callable[[], Any]) -> str:
    url = await new_database()
    await migrate.upgrade(url)
    return url


@pytest.fixture(scope="session")
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(async_url(database_url), pool_size=5)
    yield engine
    await engine.dispose()


@pytest.fixture
async def session(engine: AsyncEngine) -> AsyncIterator[AsyncSession]:
    """A session whose work is rolled back after the test: a use case's begin() becomes a savepoint."""
    async with engine.connect() as connection:
        outer = await connection.begin()
        session = AsyncSession(bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint")
        try:
            yield session
        finally:
            await session.close()
            await outer.rollback()


@pytest.fixture
def committing_sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that really commit, for race tests; tests using them must write unique keys."""
    return create_sessionmaker(engine)


class SigningKeys:
    """The test's stand-in identity provider: an ES256 and an RS256 key published in a JWKS file."""

    def __init__(self, folder: Path) -> None:
        self.jwks_file = folder / "jwks.json"
        self.ec = ec.generate_private_key(ec.SECP256R1())
        self.rsa = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.publish()

    def publish(self, *extra: tuple[str, Any]) -> None:
        keys = [
            {**ECAlgorithm.to_jwk(self.ec.public_key(), as_dict=True), "kid": "ec-1", "alg": "ES256"},
            {**RSAAlgorithm.to_jwk(self.rsa.public_key(), as_dict=True), "kid": "rsa-1", "alg": "RS256"},
        ]
        for kid, key in extra:
            keys.append({**ECAlgorithm.to_jwk(key.public_key(), as_dict=True), "kid": kid, "alg": "ES256"})
        self.jwks_file.write_text(json.dumps({"keys": keys}))

    def token(
        self,
        claims: dict[str, Any],
        *,
        algorithm: str = "ES256",
        key: Any = None,
        kid: str | None = None,
        lifetime_s: int = 600,
        **overrides: Any,
    ) -> str:
        now = int(time.time())
        payload = {"iss": ISSUER, "aud": AUDIENCE, "iat": now, "nbf": now, "exp": now + lifetime_s, **claims}
        payload.update(overrides)
        signing_key = key if key is not None else (self.ec if algorithm == "ES256" else self.rsa)
        kid = kid or ("ec-1" if algorithm == "ES256" else "rsa-1")
        return jwt.encode(payload, signing_key, algorithm=algorithm, headers={"kid": kid})


@pytest.fixture(scope="session")
def keys(tmp_path_factory: pytest.TempPathFactory) -> SigningKeys:
    return SigningKeys(tmp_path_factory.mktemp("keys"))


@pytest.fixture(scope="session")
def settings(keys: SigningKeys, database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(
        mode=Mode.TEST,
        database_url=database_url,
        data_dir=tmp_path_factory.mktemp("data"),
        jwks_file=keys.jwks_file,
        jwks_min_refresh_s=0,
        jwt_issuer=ISSUER,
        jwt_audience=AUDIENCE,
        sweep_interval_s=0,  # tests sweep when they mean to: a timer would lapse other tests' offers at real time
    )


@pytest.fixture
async def client(settings: Settings, engine: AsyncEngine) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the real ASGI app in test mode, on the tests' database."""
    async with serving(settings, engine) as client:
        yield client


def citizen_claims(iin: str = "850315400015") -> dict[str, Any]:
    return {"role": "citizen", "sub": iin}


@pytest.fixture(scope="session")
async def demo_data(engine: AsyncEngine) -> None:
    """The demo organisations (one of each kind), committed once for the tests that go through the app."""
    from api.demo import seed_demo

    async with create_sessionmaker(engine)() as session:
        await seed_demo(session)


def regulator_claims() -> dict[str, Any]:
    return {"role": "authority", "sub": "regulator-1", "authority": "MEDICINES_REGULATOR"}


def organisation_claims(bin_: str, kind: str) -> dict[str, Any]:
    return {"role": "organisation", "sub": f"user-of-{bin_}", "bin": bin_, "org_kind": kind}


@pytest.fixture
async def reset_clock_to(client: httpx.AsyncClient) -> AsyncIterator[Callable[[str], Any]]:
    """Freeze the development clock at an instant for one test, and give real time back afterwards."""
    from tests.graphql import gql

    query = "mutation($input: SetClockInput!) { setClock(input: $input) { errors { code } } }"

    async def freeze(instant: str) -> None:
        response = await gql(client, query, {"input": {"at": instant, "frozen": True}})
        assert response.json()["data"]["setClock"]["errors"] == []

    yield freeze
    await gql(client, query, {"input": {}})
