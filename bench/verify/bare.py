"""The bare reference: the verifyPack lookup as a plain starlette + asyncpg endpoint, no GraphQL at all.

    .venv/bin/python bench/verify/bare.py --port 8101 --database-url postgresql://… --code-key-file …/code_key

It takes the body a GraphQL client sends for the benchmark's document and ignores the query text: only
`variables.code` is read. The code is cut by position (the Kazakhstan form, 85 characters: 01 GTIN 21 serial GS 91
key GS 92 MAC), not with domain.medicines.codes.parse_pack_code: a reference is the floor of what the work costs,
and a hand-written endpoint for one form would do just that; a code in any other form answers INVALID_CODE. Then, as
domain.medicines.verification does: AI 92 is checked (HMAC-SHA256 with the bench key), one SQL round trip fetches the
pack with the same joins as verification._registry_view (product, batch, holder, manufacturer, price in force today in
Almaty), through an asyncpg pool whose connections prepare the statement once (asyncpg's statement cache) and are not
reset on release (a plain pool's reset is a second round trip; --reset puts it back), the verdict
follows verification._verdict, and the answer has the GraphQL response's shape, serialised with orjson.
It selects only the columns it needs, where the ORM path loads whole rows: part of the floor.

One process, uvicorn with uvloop and httptools, no access log: as `govgraph serve` runs.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import hashlib
import hmac
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import asyncpg
import orjson
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

GS = "\x1d"
ALMATY = timezone(timedelta(hours=5))
SQL = """
SELECT p.state, pr.status AS product_status, pr.trade_name, pr.inn, b.number, b.expiry, b.status AS batch_status,
       o.name AS holder_name, o.kind AS holder_kind, m.name AS manufacturer_name,
       (SELECT price_tiyn FROM max_retail_prices mrp
        WHERE mrp.gtin = p.gtin AND mrp.effective_from <= $3 ORDER BY mrp.effective_from DESC LIMIT 1) AS price_tiyn
FROM packs p
JOIN products pr ON pr.gtin = p.gtin
LEFT JOIN batches b ON b.id = p.batch_id
JOIN organisations o ON o.bin = p.owner_bin
LEFT JOIN organisations m ON m.bin = pr.manufacturer_bin
WHERE p.gtin = $1 AND p.serial = $2
"""
SEVERITY = {"GENUINE": "GREEN", "NOT_RELEASED": "GREY", "ALREADY_DISPENSED": "GREY", "EXPIRED": "GREY"}
JSON = {"content-type": "application/json"}


def verdict_of(row: asyncpg.Record, today: Any) -> str:
    """domain.medicines.verification._verdict (the code carries no batch or expiry, so no MISMATCH)."""
    if row["product_status"] == "WITHDRAWN":
        return "WITHDRAWN"
    if row["batch_status"] == "RECALLED":
        return "RECALLED"
    state = row["state"]
    if state in ("WRITTEN_OFF", "EXPORTED"):
        return "WRITTEN_OFF"
    if state in ("DISPENSED", "PARTIALLY_DISPENSED"):
        return "ALREADY_DISPENSED"
    if row["expiry"] is not None and row["expiry"] < today:
        return "EXPIRED"
    if state != "ACTIVE" or row["holder_kind"] not in ("PHARMACY", "HOSPITAL"):
        return "NOT_RELEASED"
    return "GENUINE"


async def _keep_state(connection: asyncpg.Connection) -> None:
    """No reset on release: nothing in this app changes a connection's state."""


def build_app(database_url: str, keys: dict[str, bytes], pool_size: int, *, reset: bool = False) -> Starlette:
    pool: asyncpg.Pool | None = None

    def answer(verdict: str, row: asyncpg.Record | None = None) -> Response:
        result: dict[str, Any] = {
            "verdict": verdict,
            "severity": SEVERITY.get(verdict, "RED"),
            "product": None,
            "batch": None,
            "expiry": None,
            "maxRetailPrice": None,
            "location": None,
        }
        if row is not None:
            price = row["price_tiyn"]
            result["product"] = {"tradeName": row["trade_name"], "inn": row["inn"]}
            result["batch"] = row["number"]
            result["expiry"] = row["expiry"]
            result["maxRetailPrice"] = None if price is None else f"{price // 100}.{price % 100:02d}"
            result["location"] = {"organisation": {"name": row["holder_name"]}}
        return Response(orjson.dumps({"data": {"verifyPack": result}}), headers=JSON)

    async def graphql(request: Request) -> Response:
        try:
            code = orjson.loads(await request.body())["variables"]["code"]
        except (orjson.JSONDecodeError, KeyError, TypeError):
            return Response(b'{"errors":[{"message":"bad request"}]}', status_code=400, headers=JSON)
        if not (
            isinstance(code, str)
            and len(code) == 85
            and code.startswith("01")
            and code[16:18] == "21"
            and code[31:34] == GS + "91"
            and code[38:41] == GS + "92"
        ):
            return answer("INVALID_CODE")
        gtin, serial, key_id, mac = code[2:16], code[18:31], code[34:38], code[41:]
        secret = keys.get(key_id)
        if secret is None or not hmac.compare_digest(
            base64.b64encode(hmac.digest(secret, (gtin + serial).encode(), hashlib.sha256)).decode(), mac
        ):
            return answer("INVALID_CODE")
        today = datetime.now(UTC).astimezone(ALMATY).date()
        assert pool is not None
        async with pool.acquire() as connection:
            row = await connection.fetchrow(SQL, gtin, serial, today)
        if row is None:
            return answer("UNKNOWN_CODE")
        return answer(verdict_of(row, today), row)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        nonlocal pool
        pool = await asyncpg.create_pool(
            database_url,
            min_size=pool_size,
            max_size=pool_size,
            # A plain asyncpg pool resets a connection on release with a second round trip (RESET ALL, UNLISTEN *,
            # …): the reference makes one round trip a request, so not by default; --reset puts it back.
            reset=None if reset else _keep_state,
            # asyncpg replaces a connection after 50,000 queries by default: a few new backends a minute at this
            # rate, which run.py's per-backend CPU accounting would lose track of.
            max_queries=1_000_000_000,
            server_settings={"application_name": "bench-bare", "timezone": "UTC"},
        )
        try:
            yield
        finally:
            await pool.close()

    return Starlette(routes=[Route("/graphql", graphql, methods=["POST"])], lifespan=lifespan)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8101)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--code-key-file", required=True, help="`id:base64` (bench/verify/.data/<db>/code_key)")
    parser.add_argument("--pool-size", type=int, default=10, help="as govgraph's GOVGRAPH_DB_POOL_SIZE default")
    parser.add_argument("--reset", action="store_true", help="asyncpg's reset on release (a second round trip)")
    args = parser.parse_args()
    with open(args.code_key_file) as file:
        key_id, secret = file.read().strip().split(":", 1)
    app = build_app(args.database_url, {key_id: base64.b64decode(secret)}, args.pool_size, reset=args.reset)
    config = uvicorn.Config(
        app,
        host=args.host,
        port=args.port,
        loop="uvloop",
        http="httptools",
        access_log=False,
        log_level="warning",
        server_header=False,
    )
    uvicorn.Server(config).run()


if __name__ == "__main__":
    main()
