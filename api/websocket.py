from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from graphql.validation import NoSchemaIntrospectionCustomRule
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.extensions import AddValidationRules, MaskErrors, MaxTokensLimiter, SchemaExtension
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types.unset import UnsetType

from api import limits
from api.auth import InvalidToken, TokenVerifier
from api.settings import Settings
from domain.shared import access
from schema import messages
from schema.context import Context, Resources
from schema.schema import build_schema


class SubscriptionEndpoint(GraphQL[Context, None]):
    """The websocket side of /graphql (graphql-transport-ws): the token comes in connection_init, not a header.

    Operations here run through strawberry's own executor, so its extensions enforce the same limits that the
    HTTP edge applies by itself (the cost limit awaits the first subscription field).
    """

    def __init__(self, *, settings: Settings, verifier: TokenVerifier, resources: Resources) -> None:
        shape = limits.shape_rule(limits.Limits(settings.max_depth, settings.max_aliases, settings.max_cost))
        rules = [shape, NoSchemaIntrospectionCustomRule] if settings.is_production else [shape]
        extensions: list[Callable[[], SchemaExtension]] = [
            lambda: MaxTokensLimiter(max_token_count=settings.max_tokens),
            lambda: AddValidationRules(rules),
        ]
        if settings.is_production:
            extensions.append(MaskErrors)
        super().__init__(
            build_schema(extensions),
            graphql_ide=None,
            allow_queries_via_get=False,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            connection_init_wait_timeout=timedelta(seconds=10),
        )
        self._settings, self._verifier, self._resources = settings, verifier, resources

    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> Context:
        return Context(
            principal=access.ANONYMOUS,
            locale=messages.negotiate(request.headers.get("accept-language")),
            resources=self._resources,
        )

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        params = context.connection_params
        authorization = params.get("Authorization") or params.get("authorization")
        if authorization is not None and not isinstance(authorization, str):
            raise ConnectionRejectionError({"code": "INVALID_TOKEN", "reason": "malformed"})
        try:
            context.principal = await self._verifier.principal(authorization)
        except InvalidToken as refused:
            # graphql-transport-ws closes the socket with 4403 Forbidden; a bad token never becomes anonymous.
            raise ConnectionRejectionError({"code": "INVALID_TOKEN", "reason": refused.reason}) from None
        return None
