from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any

import httpx
import jwt

from domain.shared import access
from domain.shared.access import AuthorityKind, OrganisationKind, Principal
from domain.shared.bin import Bin
from domain.shared.errors import DomainError
from domain.shared.iin import Iin
from domain.shared.regions import Region

# Asymmetric only: a key published in a JWKS can never double as an HMAC secret (the alg-confusion attack).
ALGORITHMS = ["RS256", "ES256"]
_TOKEN_CACHE_SIZE = 10_000


class InvalidToken(Exception):
    """A bearer token was sent and cannot be trusted; the request is refused with 401, never run as anonymous."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class KeySet:
    """The identity provider's public keys from a JWKS file or URL, cached, refetched when an unknown `kid` appears."""

    def __init__(
        self, *, url: str | None = None, file: Path | None = None, cache_s: int = 300, min_refresh_s: int = 30
    ) -> None:
        if (url is None) == (file is None):
            raise ValueError("a key set comes from exactly one of a URL or a file")
        self._url, self._file = url, file
        self._cache_s, self._min_refresh_s = cache_s, min_refresh_s
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at = float("-inf")
        self._lock = asyncio.Lock()

    async def key(self, kid: str) -> jwt.PyJWK | None:
        now = time.monotonic()
        stale = now - self._fetched_at > self._cache_s
        # An unknown kid may be a rotation we have not seen yet; refetch, but not on every forged token.
        unknown = kid not in self._keys and now - self._fetched_at > self._min_refresh_s
        if stale or unknown:
            async with self._lock:
                if time.monotonic() - self._fetched_at > min(self._min_refresh_s, self._cache_s):
                    await self._refresh()
        return self._keys.get(kid)

    async def _refresh(self) -> None:
        if self._file is not None:
            document = json.loads(self._file.read_text())
        else:
            assert self._url is not None
            async with httpx.AsyncClient(timeout=5.0) as client:
                response = await client.get(self._url)
                response.raise_for_status()
                document = response.json()
        keys: dict[str, jwt.PyJWK] = {}
        for entry in document.get("keys", []):
            if entry.get("kid") and entry.get("kty") in ("RSA", "EC") and entry.get("use", "sig") == "sig":
                keys[entry["kid"]] = jwt.PyJWK(entry)
        self._keys = keys
        self._fetched_at = time.monotonic()


class TokenVerifier:
    """Turns an Authorization header into a principal: anonymous without one, InvalidToken for a bad one."""

    def __init__(self, keys: KeySet, *, issuer: str, audience: str, leeway_s: int, cache_s: int = 300) -> None:
        self._keys = keys
        self._issuer, self._audience, self._leeway_s = issuer, audience, leeway_s
        self._cache_s = cache_s
        # Verifying a signature costs ~100 µs; an app sends the same token many times. Entries never outlive
        # the token nor the key-set cache, so a withdrawn key stops working within jwks_cache_s.
        self._verified: dict[str, tuple[Principal, float]] = {}

    async def principal(self, authorization: str | None) -> Principal:
        if authorization is None:
            return access.ANONYMOUS
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise InvalidToken("malformed")
        token = token.strip()
        cached = self._verified.get(token)
        if cached is not None and cached[1] > time.time():
            return cached[0]
        claims = await self._verify(token)
        principal = principal_from_claims(claims)
        if len(self._verified) >= _TOKEN_CACHE_SIZE:
            self._verified.clear()
        self._verified[token] = (principal, min(float(claims["exp"]), time.time() + self._cache_s))
        return principal

    async def _verify(self, token: str) -> dict[str, Any]:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.DecodeError:
            raise InvalidToken("malformed") from None
        if header.get("alg") not in ALGORITHMS:
            raise InvalidToken("algorithm")
        key = await self._keys.key(str(header.get("kid", "")))
        if key is None:
            raise InvalidToken("unknown key")
        if key.algorithm_name != header["alg"]:
            raise InvalidToken("algorithm")
        try:
            return jwt.decode(
                token,
                key.key,
                algorithms=[header["alg"]],
                audience=self._audience,
                issuer=self._issuer,
                leeway=self._leeway_s,
                options={"require": ["exp", "iss", "aud", "sub"]},
            )
        except jwt.ExpiredSignatureError:
            raise InvalidToken("expired") from None
        except jwt.ImmatureSignatureError:
            raise InvalidToken("not yet valid") from None
        except jwt.InvalidAudienceError:
            raise InvalidToken("audience") from None
        except jwt.InvalidIssuerError:
            raise InvalidToken("issuer") from None
        except jwt.InvalidSignatureError:
            raise InvalidToken("signature") from None
        except jwt.PyJWTError:
            raise InvalidToken("claims") from None


def principal_from_claims(claims: dict[str, Any]) -> Principal:
    """Our token profile: `role` names the kind of principal; the other claims are those that kind needs."""
    try:
        match claims.get("role"):
            case "citizen":
                return access.Citizen(iin=Iin.parse(str(claims["sub"])))
            case "organisation":
                return access.OrganisationUser(
                    user_id=str(claims["sub"]),
                    organisation_bin=Bin.parse(str(claims["bin"])),
                    organisation_kind=OrganisationKind(claims["org_kind"]),
                )
            case "bank":
                return access.BankClient(
                    client_id=str(claims["sub"]),
                    bank_bin=Bin.parse(str(claims["bin"])),
                    scopes=frozenset(str(claims.get("scope", "")).split()),
                )
            case "authority":
                region = claims.get("region")
                return access.AuthorityUser(
                    user_id=str(claims["sub"]),
                    authority=AuthorityKind(claims["authority"]),
                    region=Region(region) if region else None,
                )
    except (KeyError, ValueError, DomainError):
        raise InvalidToken("claims") from None
    raise InvalidToken("claims")
