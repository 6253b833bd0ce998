from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from api.cli import main
from api.settings import Mode, Settings
from schema.sdl import sdl
from tests.graphql import serving


def test_a_development_token_is_refused_in_production_mode(tmp_path: Path):
    env = {
        "GOVGRAPH_MODE": "production",
        "DATABASE_URL": "postgresql://x@localhost/x",
        "GOVGRAPH_JWKS_FILE": "/x",
        "GOVGRAPH_CODE_KEYS": "0001:" + "A" * 44,
        "GOVGRAPH_CODE_KEY_ID": "0001",
    }

    result = CliRunner().invoke(main, ["token", "--role", "citizen", "--iin", "850315400015"], env=env)

    assert result.exit_code != 0
    assert "refused in production" in result.output


async def test_a_development_token_opens_the_development_service(tmp_path: Path, engine, database_url: str):
    env = {"GOVGRAPH_DATA_DIR": str(tmp_path), "GOVGRAPH_MODE": "development"}
    minted = CliRunner().invoke(main, ["token", "--role", "citizen", "--iin", "900102500025"], env=env)
    settings = Settings(mode=Mode.DEVELOPMENT, data_dir=tmp_path, database_url=database_url)

    async with serving(settings, engine) as client:
        response = await client.post(
            "/graphql",
            json={"query": "{ me { ... on Citizen { iin } } }"},
            headers={"Authorization": f"Bearer {minted.output.strip()}"},
        )

    assert minted.exit_code == 0
    assert response.json()["data"] == {"me": {"iin": "900102500025"}}


@pytest.mark.parametrize(
    "role_args", [["--role", "bank", "--scope", "contributions:write"], ["--role", "organisation"]]
)
def test_a_token_can_be_minted_for_every_role(tmp_path: Path, role_args: list[str]):
    result = CliRunner().invoke(main, ["token", *role_args], env={"GOVGRAPH_DATA_DIR": str(tmp_path)})

    assert result.exit_code == 0
    assert result.output.count(".") == 2  # header.payload.signature


def test_an_authority_token_needs_its_authority(tmp_path: Path):
    result = CliRunner().invoke(main, ["token", "--role", "authority"], env={"GOVGRAPH_DATA_DIR": str(tmp_path)})

    assert result.exit_code != 0
    assert "--authority" in result.output


def test_export_schema_writes_the_sdl_and_check_notices_a_stale_file(tmp_path: Path):
    target = tmp_path / "schema.graphql"

    written = CliRunner().invoke(main, ["export-schema", "--output", str(target)])
    fresh = CliRunner().invoke(main, ["export-schema", "--output", str(target), "--check"])
    target.write_text("type Query { old: Int }\n")
    stale = CliRunner().invoke(main, ["export-schema", "--output", str(target), "--check"])

    assert written.exit_code == 0
    assert target.read_text() != sdl()
    assert fresh.exit_code == 0
    assert stale.exit_code == 1
