from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any


class EmbeddedPostgres:
    """A PostgreSQL server of our own in the user's data folder, for running without DATABASE_URL."""

    def __init__(self, data_dir: Path) -> None:
        self.pgdata = data_dir / "pgdata"
        self._server: Any = None

    def start(self) -> str:
        """Start (or join) the server and return its libpq URL."""
        self.pgdata.mkdir(parents=True, exist_ok=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # platformdirs warns about XDG_RUNTIME_DIR on headless machines
            import pgserver  # imported here: it is only needed when no DATABASE_URL is given

            # "stop": the server is shut down when the last process using this data folder lets go of it.
            self._server = pgserver.get_server(self.pgdata, cleanup_mode="stop")  # type: ignore[attr-defined]  # re-exported without __all__
        return str(self._server.get_uri())

    def stop(self) -> None:
        if self._server is not None:
            self._server.cleanup()
            self._server = None

    def __enter__(self) -> str:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
