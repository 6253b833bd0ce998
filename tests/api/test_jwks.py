from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from api.auth import InvalidToken, KeySet, TokenVerifier
from domain.shared.access import Citizen
from tests.conftest import AUDIENCE, ISSUER, SigningKeys, citizen_claims


class _JwksServer:
    """A real HTTP server on loopback that serves the test identity provider's JWKS and counts fetches."""

    def __init__(self, jwks_file: Path) -> None:
        self.fetches = 0
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                owner.fetches += 1
                body = jwks_file.read_bytes()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/.well-known/jwks.json"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)


@pytest.fixture
def jwks_server(keys: SigningKeys) -> Iterator[_JwksServer]:
    server = _JwksServer(keys.jwks_file)
    server.thread.start()
    yield server
    server.server.shutdown()
    server.server.server_close()


def _verifier(url: str, *, min_refresh_s: int) -> TokenVerifier:
    key_set = KeySet(url=url, cache_s=300, min_refresh_s=min_refresh_s)
    return TokenVerifier(key_set, issuer=ISSUER, audience=AUDIENCE, leeway_s=30, cache_s=0)


async def test_keys_from_a_jwks_url_are_fetched_once_and_cached(jwks_server: _JwksServer, keys: SigningKeys):
    verifier = _verifier(jwks_server.url, min_refresh_s=30)

    first = await verifier.principal(f"Bearer {keys.token(citizen_claims('850315400015'))}")
    second = await verifier.principal(f"Bearer {keys.token(citizen_claims('900102500025'), algorithm='RS256')}")

    assert isinstance(first, Citizen)
    assert str(first.iin) == "850315400015"
    assert isinstance(second, Citizen)
    assert jwks_server.fetches == 1


async def test_a_flood_of_unknown_kids_does_not_hammer_the_identity_provider(
    jwks_server: _JwksServer, keys: SigningKeys
):
    verifier = _verifier(jwks_server.url, min_refresh_s=30)
    await verifier.principal(f"Bearer {keys.token(citizen_claims())}")

    for n in range(20):
        with pytest.raises(InvalidToken, match="unknown key"):
            await verifier.principal(f"Bearer {keys.token(citizen_claims(), kid=f'forged-{n}')}")

    assert jwks_server.fetches == 1


async def test_a_key_rotated_in_at_the_provider_is_fetched_when_its_kid_first_appears(
    jwks_server: _JwksServer, keys: SigningKeys
):
    verifier = _verifier(jwks_server.url, min_refresh_s=0)
    await verifier.principal(f"Bearer {keys.token(citizen_claims())}")
    rotated = ec.generate_private_key(ec.SECP256R1())
    keys.publish(("ec-rotated", rotated))
    try:
        principal = await verifier.principal(f"Bearer {keys.token(citizen_claims(), key=rotated, kid='ec-rotated')}")
    finally:
        keys.publish()

    assert isinstance(principal, Citizen)
    assert jwks_server.fetches == 2
