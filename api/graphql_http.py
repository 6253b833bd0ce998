from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, cast

import asyncpg
import orjson
from graphql import (
    DocumentNode,
    ExecutionResult,
    FragmentDefinitionNode,
    GraphQLError,
    OperationDefinitionNode,
    OperationType,
    execute,
    parse,
    specified_rules,
    validate,
)
from graphql.validation import NoSchemaIntrospectionCustomRule
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.types import Receive, Scope, Send
from strawberry.execution import optimized_is_awaitable
from strawberry.http.ides import get_graphql_ide_html
from strawberry.schema.validation_rules.maybe_null import MaybeNullValidationRule
from strawberry.schema.validation_rules.one_of import OneOfInputValidationRule

from api import limits
from api.auth import InvalidToken, TokenVerifier
from api.metrics import Metrics
from api.plan import Plan, PlanRun, Unsupported, coerce_variables, compile_plan
from api.ratelimit import CostBudget, caller_key
from api.settings import Settings
from domain.shared.errors import DomainError
from schema import messages
from schema.context import Context, Resources
from schema.messages import DEFAULT_LOCALE, Locale
from schema.schema import schema as strawberry_schema

log = logging.getLogger("govgraph.graphql")

GRAPHQL_RESPONSE = "application/graphql-response+json"
_GRAPHQL_RESPONSE_BYTES = GRAPHQL_RESPONSE.encode()
_SCHEMA = strawberry_schema._schema


@dataclass(slots=True)
class PreparedDocument:
    """What a query text settles once, however often it is sent: its AST, its operations and its verdict."""

    document: DocumentNode | None
    errors: list[dict[str, Any]]  # non-empty: refused before execution
    operations: dict[str | None, OperationDefinitionNode] = field(default_factory=dict)
    fragments: dict[str, FragmentDefinitionNode] = field(default_factory=dict)
    static_costs: dict[str | None, int] = field(default_factory=dict)  # per operation whose cost has no variables
    labels: dict[str | None, str] = field(default_factory=dict)
    plans: dict[str | None, Plan] = field(default_factory=dict)  # the queries the compiler covers


class RequestRefused(Exception):
    """A request refused before execution; `document_error` marks one about the GraphQL document itself."""

    def __init__(self, status: int, code: str, *, document_error: bool = False, **details: object) -> None:
        super().__init__(code)
        self.status, self.code, self.details = status, code, details
        self.document_error = document_error


class GraphQLResponse(Response):
    """A GraphQL answer with its headers put together directly: Starlette's general header handling cost the
    busiest route a few microseconds a request (its `headers` stay usable for the rare ones that add some)."""

    def __init__(self, body: bytes, status: int, graphql_response: bool, locale: Locale) -> None:
        self.status_code = status
        self.body = body
        self.background = None
        self.raw_headers = [
            (b"content-length", str(len(body)).encode()),
            (b"content-type", _GRAPHQL_RESPONSE_BYTES if graphql_response else b"application/json"),
            (b"content-language", locale.value.encode()),
        ]


class GraphQLEndpoint:
    """POST and GET /graphql: our own edge to graphql-core, with each distinct document prepared only once."""

    def __init__(
        self,
        *,
        settings: Settings,
        verifier: TokenVerifier,
        resources: Resources,
        metrics: Metrics,
        compile_plans: bool = True,
    ) -> None:
        self._settings = settings
        self._verifier = verifier
        self._resources = resources
        self._metrics = metrics
        self._limits = limits.Limits(settings.max_depth, settings.max_aliases, settings.max_cost)
        self._rules = (*specified_rules, MaybeNullValidationRule, OneOfInputValidationRule)
        if settings.is_production:
            self._rules = (*self._rules, NoSchemaIntrospectionCustomRule)
        self._documents: OrderedDict[str, PreparedDocument] = OrderedDict()
        self._compile = compile_plans
        self._budget = CostBudget(capacity=settings.rate_limit_points, restore_per_s=settings.rate_limit_restore_per_s)

    async def serve(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The ASGI entry for HTTP on /graphql, reached without Starlette's router and middleware (see app.py)."""
        request = Request(scope, receive)
        if request.method not in ("GET", "POST"):
            response: Response = self._refusal(
                request, 405, "OPERATION_NOT_ALLOWED", DEFAULT_LOCALE, operation="any", method=request.method
            )
            response.headers["Allow"] = "GET, POST"
        else:
            try:
                response = await self.handle(request)
            except Exception:  # a bug: logged, and answered as one, never as a bare traceback
                log.exception("the GraphQL endpoint failed")
                response = self._refusal(request, 500, "INTERNAL_SERVER_ERROR", DEFAULT_LOCALE)
        await response(scope, receive, send)

    async def handle(self, request: Request) -> Response:
        started = time.perf_counter()
        locale = messages.negotiate(request.headers.get("accept-language"))
        label = "invalid"
        try:
            if request.method == "GET" and not self._settings.is_production and _wants_html(request):
                return HTMLResponse(get_graphql_ide_html())
            principal = await self._verifier.principal(request.headers.get("authorization"))
            body = await self._read(request)
            prepared = self._prepare(body["query"])
            if prepared.errors:
                errors = [_localised(error, locale) for error in prepared.errors]
                self._metrics.observe(label, time.perf_counter() - started, errors)
                return self._respond(request, {"errors": errors}, locale, status=400, document_error=True)
            operation_name = body["operationName"]
            operation = self._operation(prepared, operation_name)
            label = prepared.labels[operation.name.value if operation.name else None]
            if request.method == "GET" and operation.operation is not OperationType.QUERY:
                raise RequestRefused(405, "OPERATION_NOT_ALLOWED", operation=operation.operation.value, method="GET")
            if operation.operation is OperationType.SUBSCRIPTION:
                raise RequestRefused(400, "OPERATION_NOT_ALLOWED", operation=operation.operation.value, method="POST")
            cost = self._check_cost(prepared, operation, body["variables"])
            spend = self._budget.spend(
                caller_key(principal, request.client.host if request.client else None), cost, started
            )
            if not spend.allowed:
                raise RequestRefused(429, "RATE_LIMITED", cost=cost, retry_after_s=spend.retry_after_s)
            context = Context(principal=principal, locale=locale, resources=self._resources)
            try:
                result = await self._execute(prepared, operation_name, body["variables"], context)
            finally:
                await context.close()
            payload = self._format_result(result, locale)
            payload["extensions"] = {
                "rateLimit": {
                    "cost": cost,
                    "remaining": spend.remaining,
                    "limit": self._budget.capacity,
                    "restorePerSecond": self._budget.restore_per_s,
                }
            }
            self._metrics.observe(label, time.perf_counter() - started, payload.get("errors"))
            # GraphQL-over-HTTP: a response without `data` (variables that do not fit their types) MUST be 4xx
            # for application/graphql-response+json; legacy application/json clients keep their 200.
            no_data = "data" not in payload
            return self._respond(request, payload, locale, status=400 if no_data else 200, document_error=no_data)
        except InvalidToken as refused:
            self._metrics.observe(label, time.perf_counter() - started, [{"extensions": {"code": "INVALID_TOKEN"}}])
            response = self._refusal(request, 401, "INVALID_TOKEN", locale, reason=refused.reason)
            response.headers["WWW-Authenticate"] = f'Bearer error="invalid_token", error_description="{refused.reason}"'
            return response
        except RequestRefused as refused:
            self._metrics.observe(label, time.perf_counter() - started, [{"extensions": {"code": refused.code}}])
            response = self._refusal(
                request, refused.status, refused.code, locale, document_error=refused.document_error, **refused.details
            )
            if refused.status == 405:
                response.headers["Allow"] = "POST"
            if refused.status == 429:
                response.headers["Retry-After"] = str(refused.details["retry_after_s"])
            return response

    async def _read(self, request: Request) -> dict[str, Any]:
        """The GraphQL-over-HTTP request parameters, from a JSON body or a GET query string."""
        if request.method == "GET":
            params = request.query_params
            raw: Any = {key: params.get(key) for key in ("query", "operationName", "variables")}
            if raw["variables"]:
                raw["variables"] = _json(raw["variables"].encode(), what="the `variables` parameter")
        elif request.headers.get("content-type", "").startswith("multipart/form-data"):
            raw = await self._read_multipart(request)
        else:
            content_type = request.headers.get("content-type", "")
            if not content_type.startswith("application/json"):
                raise RequestRefused(415, "BAD_REQUEST", reason="send application/json")
            declared = request.headers.get("content-length")
            if (
                declared
                and (declared.isascii() and declared.isdigit())
                and int(declared) > self._settings.max_body_bytes
            ):
                raise RequestRefused(413, "REQUEST_TOO_LARGE", limit=self._settings.max_body_bytes)
            chunks, size = [], 0
            async for chunk in request.stream():
                size += len(chunk)
                if size > self._settings.max_body_bytes:
                    raise RequestRefused(413, "REQUEST_TOO_LARGE", limit=self._settings.max_body_bytes)
                chunks.append(chunk)
            raw = _json(b"".join(chunks))
        if not isinstance(raw, dict):
            raise RequestRefused(400, "BAD_REQUEST", reason="the body must be a JSON object")
        query, name, variables = raw.get("query"), raw.get("operationName"), raw.get("variables")
        if not isinstance(query, str) or not query.strip():
            raise RequestRefused(400, "BAD_REQUEST", reason="`query` must be a non-empty string")
        if name is not None and not isinstance(name, str):
            raise RequestRefused(400, "BAD_REQUEST", reason="`operationName` must be a string")
        if variables is not None and not isinstance(variables, dict):
            raise RequestRefused(400, "BAD_REQUEST", reason="`variables` must be an object")
        return {"query": query, "operationName": name, "variables": variables or {}}

    async def _read_multipart(self, request: Request) -> Any:
        """A GraphQL multipart request (jaydenseric's spec): `operations`, `map`, and the files it maps to variables.

        Files are read into memory, bounded by max_upload_bytes, so that nothing outlives the request.
        """
        limit = self._settings.max_upload_bytes
        declared = request.headers.get("content-length", "")
        if not (declared.isascii() and declared.isdigit()):
            raise RequestRefused(411, "BAD_REQUEST", reason="an upload must state its Content-Length")
        if int(declared) > limit:
            raise RequestRefused(413, "REQUEST_TOO_LARGE", limit=limit)
        try:
            async with request.form(max_files=4, max_fields=8) as form:
                operations = _json(str(form.get("operations", "")).encode(), what="the `operations` field")
                mapping = _json(str(form.get("map", "{}")).encode(), what="the `map` field")
                if not isinstance(operations, dict) or not isinstance(mapping, dict):
                    raise RequestRefused(400, "BAD_REQUEST", reason="`operations` and `map` must be objects")
                for key, paths in mapping.items():
                    upload = form.get(key)
                    if not isinstance(upload, UploadFile) or not isinstance(paths, list):
                        raise RequestRefused(400, "BAD_REQUEST", reason=f"`map` names a file {key!r} that is not sent")
                    content = await upload.read()
                    for path in paths:
                        _place(operations, str(path), content)
        except MultiPartException as error:
            raise RequestRefused(400, "BAD_REQUEST", reason=error.message) from None
        return operations

    def _prepare(self, query: str) -> PreparedDocument:
        prepared = self._documents.get(query)
        if prepared is not None:
            self._documents.move_to_end(query)
            return prepared
        prepared = self._prepare_uncached(query)
        self._documents[query] = prepared
        if len(self._documents) > self._settings.document_cache_size:
            self._documents.popitem(last=False)
        return prepared

    def _prepare_uncached(self, query: str) -> PreparedDocument:
        try:
            document = parse(query, no_location=False, max_lexical_tokens=self._settings.max_tokens)
        except GraphQLError as error:
            # graphql-core reports its token limit as a syntax error; we name it for what it is.
            if "tokens. Parsing aborted" in error.message:
                return PreparedDocument(None, [_refusal_error("TOKEN_LIMIT_EXCEEDED", limit=self._settings.max_tokens)])
            return PreparedDocument(None, [_document_error(error, "GRAPHQL_PARSE_FAILED")])
        operations = {
            (d.name.value if d.name else None): d
            for d in document.definitions
            if isinstance(d, OperationDefinitionNode)
        }
        fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
        for operation in operations.values():
            exceeded = limits.check_shape(operation, fragments, self._limits)
            if exceeded is not None:
                return PreparedDocument(None, [_refusal_error(exceeded.code, **exceeded.details)])
        errors = validate(_SCHEMA, document, self._rules, max_errors=20)
        if errors:
            return PreparedDocument(None, [_document_error(error, "GRAPHQL_VALIDATION_FAILED") for error in errors])
        prepared = PreparedDocument(document, [], operations, fragments)
        for name, operation in operations.items():
            roots = sorted({s.name.value for s in operation.selection_set.selections if hasattr(s, "name")})
            prepared.labels[name] = f"{operation.operation.value} {'+'.join(roots) or '-'}"
            if not limits.uses_variable_sizes(operation):
                prepared.static_costs[name] = limits.cost(_SCHEMA, operation, fragments, {})
            if self._compile:
                with contextlib.suppress(Unsupported):
                    prepared.plans[name] = compile_plan(_SCHEMA, operation, fragments, strawberry_schema.config)
        return prepared

    def _operation(self, prepared: PreparedDocument, name: str | None) -> OperationDefinitionNode:
        if name is None and len(prepared.operations) == 1:
            return next(iter(prepared.operations.values()))
        operation = prepared.operations.get(name)
        if operation is None:
            reason = "name the operation to run in `operationName`" if name is None else f"no operation named {name}"
            raise RequestRefused(400, "BAD_REQUEST", reason=reason)
        return operation

    def _check_cost(
        self, prepared: PreparedDocument, operation: OperationDefinitionNode, variables: Mapping[str, Any]
    ) -> int:
        name = operation.name.value if operation.name else None
        cost = prepared.static_costs.get(name)
        if cost is None:
            cost = limits.cost(_SCHEMA, operation, prepared.fragments, variables)
        if cost > self._limits.max_cost:
            raise RequestRefused(
                400, "COST_LIMIT_EXCEEDED", document_error=True, cost=cost, limit=self._limits.max_cost
            )
        return cost

    async def _execute(
        self, prepared: PreparedDocument, operation_name: str | None, variables: dict[str, Any], context: Context
    ) -> ExecutionResult:
        assert prepared.document is not None
        plan = prepared.plans.get(operation_name if operation_name is not None else _only_name(prepared))
        coerced = coerce_variables(plan, _SCHEMA, variables) if plan is not None else None
        if plan is not None and coerced is not None:
            # A query's waits are its statements, each bounded by PostgreSQL's statement_timeout (and photo
            # decoding by its own budget), so the compiled path spares the per-request timer of asyncio.timeout.
            run = PlanRun(plan, _SCHEMA, context, coerced)
            data = await run.execute()
            return ExecutionResult(data, run.errors or None)
        try:
            async with asyncio.timeout(self._settings.execution_timeout_s):
                # Not compiled, or variables that do not fit: graphql-core executes, and explains.
                result = execute(
                    _SCHEMA,
                    prepared.document,
                    context_value=context,
                    variable_values=variables,
                    operation_name=operation_name,
                    executor_class=strawberry_schema.execution_context_class,
                    is_awaitable=cast(Any, optimized_is_awaitable),  # a plain bool predicate, typed loosely upstream
                )
                if not isinstance(result, ExecutionResult):
                    result = await result
        except TimeoutError:
            raise RequestRefused(504, "TIMEOUT", limit=self._settings.execution_timeout_s) from None
        assert isinstance(result, ExecutionResult)
        return result

    def _format_result(self, result: ExecutionResult, locale: Locale) -> dict[str, Any]:
        payload: dict[str, Any] = {"data": result.data}
        if result.errors:
            payload["errors"] = [self._format_error(error, locale) for error in result.errors]
            if result.data is None and all(error.path is None for error in result.errors):
                del payload["data"]  # a request error: execution never started (GraphQL-over-HTTP)
        return payload

    def _format_error(self, error: GraphQLError, locale: Locale) -> dict[str, Any]:
        formatted = dict(error.formatted)
        cause = _root_cause(error)
        if isinstance(cause, DomainError):
            formatted["message"] = messages.render_error(cause, locale)
            formatted["extensions"] = {"code": cause.code.value}
        elif isinstance(cause, TimeoutError | asyncpg.QueryCanceledError):  # a statement past the timeout
            formatted["message"] = messages.render("TIMEOUT", locale, limit=self._settings.execution_timeout_s)
            formatted["extensions"] = {"code": "TIMEOUT"}
        elif error.path is None:  # variables that do not fit their types
            formatted["extensions"] = {"code": "BAD_USER_INPUT"}
        else:
            log.error("resolver failed at %s", error.path, exc_info=cause or error)
            formatted["extensions"] = {"code": "INTERNAL_SERVER_ERROR"}
            if self._settings.is_production:
                formatted["message"] = messages.render("INTERNAL_SERVER_ERROR", locale)
        return formatted

    def _refusal(
        self,
        request: Request,
        status: int,
        code: str,
        locale: Locale,
        *,
        document_error: bool = False,
        **details: object,
    ) -> Response:
        error = {"message": messages.render(code, locale, **details), "extensions": {"code": code, **details}}
        return self._respond(request, {"errors": [error]}, locale, status=status, document_error=document_error)

    def _respond(
        self, request: Request, payload: dict[str, Any], locale: Locale, *, status: int, document_error: bool = False
    ) -> Response:
        # GraphQL-over-HTTP: a document that fails to parse or validate is 200 for legacy application/json
        # clients and 400 for those that accept application/graphql-response+json.
        accepts_new = GRAPHQL_RESPONSE in request.headers.get("accept", "")
        if document_error and not accepts_new:
            status = 200
        return GraphQLResponse(orjson.dumps(payload), status, accepts_new, locale)


def _only_name(prepared: PreparedDocument) -> str | None:
    [name] = prepared.operations  # without operationName a document holds one operation (checked before)
    return name


def _place(operations: dict[str, Any], path: str, value: bytes) -> None:
    """Put a file's bytes where `map` says, e.g. `variables.image` or `variables.photos.0`."""
    *parents, last = path.split(".")
    target: Any = operations
    try:
        for part in parents:
            target = target[int(part)] if isinstance(target, list) else target[part]
        if isinstance(target, list):
            target[int(last)] = value
        elif isinstance(target, dict) and last in target:
            target[last] = value
        else:
            raise KeyError(last)
    except (KeyError, IndexError, ValueError, TypeError):
        raise RequestRefused(
            400, "BAD_REQUEST", reason=f"`map` points at {path!r}, which is not in operations"
        ) from None


def _root_cause(error: GraphQLError) -> BaseException | None:
    """The exception behind an error, through graphql-core's wrapping (a scalar's error is wrapped twice)."""
    cause = error.original_error
    while isinstance(cause, GraphQLError) and cause.original_error is not None:
        cause = cause.original_error
    return cause


def _json(raw: bytes, *, what: str = "the body") -> Any:
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise RequestRefused(400, "BAD_REQUEST", reason=f"{what} is not valid JSON") from None


def _wants_html(request: Request) -> bool:
    return "text/html" in request.headers.get("accept", "") and "query" not in request.query_params


def _document_error(error: GraphQLError, code: str) -> dict[str, Any]:
    formatted = dict(error.formatted)
    cause = _root_cause(error)
    if isinstance(cause, DomainError):
        # A literal that breaks its scalar's rules ({ product(gtin: "1234") }) is the domain's error, as the same
        # value sent in a variable is: its code, and its message in the caller's language (rendered per request).
        formatted["extensions"] = {"code": cause.code.value}
        formatted[_DOMAIN_ERROR] = cause
        return formatted
    formatted["extensions"] = {"code": code}
    return formatted


_DOMAIN_ERROR = "_domain_error"  # kept with a cached verdict, never sent


_LIMIT_CODES = frozenset({"TOKEN_LIMIT_EXCEEDED", "DEPTH_LIMIT_EXCEEDED", "ALIAS_LIMIT_EXCEEDED"})


def _refusal_error(code: str, **details: object) -> dict[str, Any]:
    # The text is rendered per request in the caller's language; the cached verdict keeps code and details.
    return {"message": code, "extensions": {"code": code, **details}}


def _localised(error: dict[str, Any], locale: Locale) -> dict[str, Any]:
    if _DOMAIN_ERROR in error:
        answer = {key: value for key, value in error.items() if key != _DOMAIN_ERROR}
        answer["message"] = messages.render_error(error[_DOMAIN_ERROR], locale)
        return answer
    extensions = error["extensions"]
    if extensions["code"] not in _LIMIT_CODES:
        return error  # graphql-core's own words about the document, for the client's developers
    details = {key: value for key, value in extensions.items() if key != "code"}
    return {**error, "message": messages.render(extensions["code"], locale, **details)}
