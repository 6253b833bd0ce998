from __future__ import annotations

import logging

import orjson
from starlette.requests import Request
from starlette.responses import Response

from api.auth import InvalidToken, TokenVerifier
from domain.medicines import epcis, history
from domain.medicines.errors import InvalidCode, PackNotFound
from domain.shared.errors import DomainError, Unauthenticated
from schema import messages
from schema.context import Resources
from schema.messages import Locale

log = logging.getLogger("govgraph.epcis")

LD_JSON = "application/ld+json"
# What each expected failure is in HTTP; another domain error is the caller's to fix, a 400.
_STATUS: dict[type[DomainError], int] = {Unauthenticated: 401, PackNotFound: 404, InvalidCode: 400}


class EpcisEndpoint:
    """GET /epcis/packs/{gtin}/{serial}: a pack's history as a GS1 EPCIS 2.0 JSON-LD document.

    The same people read it as read `packHistory`, with the same bearer tokens as /graphql; failures are a small JSON
    body with the code that GraphQL would give, and the message in the caller's language.
    """

    def __init__(self, *, verifier: TokenVerifier, resources: Resources) -> None:
        self._verifier = verifier
        self._resources = resources

    async def pack_document(self, request: Request) -> Response:
        locale = messages.negotiate(request.headers.get("accept-language"))
        try:
            return await self._pack_document(request)
        except InvalidToken as refused:
            response = _error(401, "INVALID_TOKEN", locale, reason=refused.reason)
            response.headers["WWW-Authenticate"] = f'Bearer error="invalid_token", error_description="{refused.reason}"'
            return response
        except DomainError as error:
            status = next((code for kind, code in _STATUS.items() if isinstance(error, kind)), 400)
            details: dict[str, object] = {"field": list(error.field)} if error.field else {}
            if "problem" in error.details:
                details["problem"] = error.details["problem"]
            response = _error(status, error.code.value, locale, message=messages.render_error(error, locale), **details)
            if status == 401:
                response.headers["WWW-Authenticate"] = "Bearer"
            return response
        except Exception:  # a bug: logged, and answered as one, never as a bare traceback
            log.exception("the EPCIS export failed")
            return _error(500, "INTERNAL_SERVER_ERROR", locale)

    async def _pack_document(self, request: Request) -> Response:
        principal = await self._verifier.principal(request.headers.get("authorization"))
        gtin, serial = request.path_params["gtin"], request.path_params["serial"]
        async with self._resources.sessions() as session:
            events = await history.pack_history(principal, session, gtin=gtin, serial=serial)
        pack = history.named_pack(gtin, serial)  # as GS1 writes it: a short GTIN padded to 14 digits
        document = epcis.pack_document(
            events, gtin=pack.gtin, serial=pack.serial, created_at=self._resources.clock.now()
        )
        # Only the pack's owners may read it: no shared cache may keep it for someone else.
        return Response(orjson.dumps(document), media_type=LD_JSON, headers={"Cache-Control": "private, no-store"})


def _error(status: int, code: str, locale: Locale, *, message: str | None = None, **details: object) -> Response:
    body = {"code": code, "message": message or messages.render(code, locale, **details), **details}
    return Response(
        orjson.dumps(body),
        status_code=status,
        media_type="application/json",
        headers={"Content-Language": locale.value, "Cache-Control": "no-store"},
    )
