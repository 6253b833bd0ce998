from __future__ import annotations

import asyncio
import contextlib
import gc
import os
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import click
import uvicorn
from pydantic import ValidationError

from api import migrate
from api.demo import (
    DEMO_CITIZEN_IIN,
    DEMO_ORGANISATIONS,
    seed_demo,
    seed_demo_insurance,
    seed_demo_kindergarten,
    seed_demo_medicines,
)
from api.devkeys import DevelopmentKey
from api.embedded import EmbeddedPostgres
from api.logs import configure_logging
from api.settings import Settings
from domain.shared import clock_setting
from domain.shared.calendar import ALMATY
from domain.shared.db import async_url, create_engine, create_sessionmaker

SCHEMA_FILE = Path("schema.graphql")


def _settings() -> Settings:
    try:
        return Settings()
    except ValidationError as error:
        raise click.UsageError(f"bad settings: {error}") from None


@contextlib.contextmanager
def _database(settings: Settings) -> Iterator[str]:
    """DATABASE_URL when given; otherwise the embedded server, started now and stopped on the way out."""
    if settings.database_url:
        yield settings.database_url
        return
    embedded = EmbeddedPostgres(settings.data_dir)
    click.echo(f"Starting the embedded PostgreSQL in {embedded.pgdata} …", err=True)
    with embedded as url:
        yield url


async def _seed(url: str, settings: Settings) -> tuple[int, str]:
    """The demo data; (organisations added, the printed form of a genuine demo pack)."""
    from api.app import build_code_keys

    engine = create_engine(async_url(url), pool_size=1)
    try:
        sessions = create_sessionmaker(engine)
        added = await seed_demo(sessions())
        genuine = await seed_demo_medicines(sessions, build_code_keys(settings), datetime.now(UTC))
        await seed_demo_insurance(sessions)
        await seed_demo_kindergarten(sessions)
        return added, genuine
    finally:
        await engine.dispose()


@click.group()
def main() -> None:
    """govgraph: the GraphQL service for medicines, the kindergarten queue and health insurance."""


@main.command()
def serve() -> None:
    """Run the service (embedded database when DATABASE_URL is not set, migrated and with demo data)."""
    settings = _settings()
    configure_logging(settings.log_level, json=settings.log_json)
    from api.app import create_app

    with _database(settings) as url:
        asyncio.run(migrate.upgrade(url))
        genuine = ""
        if not settings.database_url:
            _, genuine = asyncio.run(_seed(url, settings))
        app = create_app(settings.model_copy(update={"database_url": url}))
        where = f"http://{settings.host}:{settings.port}/graphql"
        click.echo(f"govgraph ({settings.mode.value}) listens on {where}", err=True)
        if not settings.is_production:
            click.echo(f"  GraphiQL: open {where} in a browser", err=True)
            data_dir = (
                f"GOVGRAPH_DATA_DIR={os.environ['GOVGRAPH_DATA_DIR']} " if "GOVGRAPH_DATA_DIR" in os.environ else ""
            )
            click.echo(f"  a token:  {data_dir}./dev token --role citizen --iin {DEMO_CITIZEN_IIN}", err=True)
            click.echo("  then send the header  Authorization: Bearer <token>", err=True)
            if genuine:
                click.echo(f"  a genuine demo pack to verifyPack:  {genuine}", err=True)
        if settings.workers > 1:
            # Each worker builds its own app from the environment; the database is the one just migrated.
            os.environ["DATABASE_URL"] = url
            uvicorn.run("api.asgi:app", factory=True, workers=settings.workers, **_uvicorn_options(settings))
            click.echo("govgraph stopped", err=True)
            return
        config = uvicorn.Config(app, **_uvicorn_options(settings))
        # What is built by now (schema, app, settings) lives as long as the process: moved out of the collector's
        # sight, it is not walked again at every full collection, which otherwise shows in the scan's p99.
        gc.collect()
        gc.freeze()
        # uvicorn re-raises the Ctrl-C it caught once it has shut down; by then stopping is done and clean.
        with contextlib.suppress(KeyboardInterrupt):
            uvicorn.Server(config).run()
    click.echo("govgraph stopped", err=True)


def _uvicorn_options(settings: Settings) -> dict[str, Any]:
    return {
        "host": settings.host,
        "port": settings.port,
        "loop": "uvloop",
        "http": "httptools",
        "access_log": False,
        "proxy_headers": True,
        "forwarded_allow_ips": settings.trusted_proxies,
        "log_config": None,
        "server_header": False,
    }


@main.command("migrate")
@click.option("--revision", default="head", show_default=True, help="Alembic revision to upgrade to.")
def migrate_command(revision: str) -> None:
    """Upgrade the database schema."""
    settings = _settings()
    with _database(settings) as url:
        asyncio.run(migrate.upgrade(url, revision))
    click.echo(f"migrated to {revision}", err=True)


@main.command("seed-demo")
def seed_demo_command() -> None:
    """Load the demo data (idempotent)."""
    settings = _settings()
    if settings.is_production:
        raise click.UsageError("demo data is refused in production mode")
    with _database(settings) as url:
        asyncio.run(migrate.upgrade(url))
        added, _ = asyncio.run(_seed(url, settings))
    click.echo(f"demo data loaded ({added} new rows)", err=True)


@main.command()
@click.option("--role", type=click.Choice(["citizen", "organisation", "bank", "authority"]), required=True)
@click.option("--iin", help="citizen: the IIN (the token's subject).")
@click.option("--bin", "bin_", help="organisation or bank: the organisation's BIN.")
@click.option(
    "--org-kind",
    type=click.Choice(["MANUFACTURER", "IMPORTER", "WHOLESALER", "PHARMACY", "HOSPITAL", "KINDERGARTEN"]),
    help="organisation: its kind.",
)
@click.option("--scope", "scopes", multiple=True, help="bank: a scope (repeatable).")
@click.option("--authority", type=click.Choice(["MEDICINES_REGULATOR", "EDUCATION_DEPARTMENT", "INSURANCE_FUND"]))
@click.option("--region", help="authority: ISO 3166-2:KZ code of an education department's region, e.g. KZ-75.")
@click.option("--sub", default="demo-user", show_default=True, help="subject of a non-citizen token.")
@click.option("--lifetime", default=3600, show_default=True, help="seconds until the token expires.")
def token(
    role: str,
    iin: str | None,
    bin_: str | None,
    org_kind: str | None,
    scopes: tuple[str, ...],
    authority: str | None,
    region: str | None,
    sub: str,
    lifetime: int,
) -> None:
    """Print a development token signed with the local key (refused in production mode)."""
    settings = _settings()
    if settings.is_production:
        raise click.UsageError("development tokens are refused in production mode")
    claims: dict[str, object] = {"role": role, "sub": sub}
    if role == "citizen":
        claims["sub"] = iin or DEMO_CITIZEN_IIN
    elif role in ("organisation", "bank"):
        claims["bin"] = bin_ or DEMO_ORGANISATIONS[0][0]
        if role == "organisation":
            claims["org_kind"] = org_kind or "MANUFACTURER"
        else:
            claims["scope"] = " ".join(scopes)
    else:
        if authority is None:
            raise click.UsageError("--authority is required for --role authority")
        claims["authority"] = authority
        if region:
            claims["region"] = region
    key = DevelopmentKey.load_or_create(settings.dev_keys_dir)
    click.echo(key.sign(claims, issuer=settings.jwt_issuer, audience=settings.jwt_audience, lifetime_s=lifetime))


@main.command("export-schema")
@click.option("--output", type=click.Path(path_type=Path), default=SCHEMA_FILE, show_default=True)
@click.option("--check", is_flag=True, help="Fail if the file differs from the schema instead of writing it.")
def export_schema(output: Path, check: bool) -> None:
    """Write the GraphQL SDL that client teams review."""
    from schema.sdl import sdl

    text = sdl()
    if check:
        if not output.exists() or output.read_text() != text:
            click.echo(f"{output} is stale: run `govgraph export-schema`", err=True)
            sys.exit(1)
        return
    output.write_text(text)
    click.echo(f"wrote {output}", err=True)


@main.command("sweep")
def sweep_command() -> None:
    """Enforce the kindergarten deadlines now: lapse and expire offers, re-offer their places, close applications
    whose windows ran out. Safe beside running instances, which sweep on a timer themselves."""
    from domain.kindergarten.sweep import sweep

    settings = _settings()

    async def run(url: str) -> object:
        engine = create_engine(async_url(url), pool_size=2)
        try:
            sessions = create_sessionmaker(engine)
            now = datetime.now(UTC)
            if not settings.is_production:  # the development clock every instance follows
                async with sessions() as session:
                    now = (await clock_setting.read_shift(session)).apply(now)
            return await sweep(sessions, now=now)
        finally:
            await engine.dispose()

    with _database(settings) as url:
        report = asyncio.run(run(url))
    click.echo(str(report))


@main.command("clock")
@click.option(
    "--at",
    "at",
    type=click.DateTime(["%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M%z"]),
    help="the instant to show, with its offset, e.g. 2026-01-05T09:00:00+05:00",
)
@click.option("--advance", type=int, help="move the clock on by this many seconds (negative: back)")
@click.option("--frozen", is_flag=True, help="with --at: stand still at that instant")
def clock_command(at: datetime | None, advance: int | None, frozen: bool) -> None:
    """Set or move the development clock of every running instance; with no option, back to real time."""
    settings = _settings()
    if settings.is_production:
        raise click.UsageError("the clock cannot be set in production mode")
    if at is not None and advance is not None:
        raise click.UsageError("give --at or --advance, not both")

    async def move(url: str) -> datetime:
        engine = create_engine(async_url(url), pool_size=1)
        try:
            real_now = datetime.now(UTC)
            shift = await clock_setting.move_clock(
                create_sessionmaker(engine)(),
                to=at,
                frozen=frozen,
                real_now=real_now,
                production=False,
                advance_by=timedelta(seconds=advance) if advance is not None else None,
            )
            return shift.apply(real_now)
        finally:
            await engine.dispose()

    with _database(settings) as url:
        now = asyncio.run(move(url))
    click.echo(now.astimezone(ALMATY).isoformat())
