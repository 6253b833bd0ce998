from __future__ import annotations

from starlette.applications import Starlette

from api.app import create_app
from api.settings import Settings


def app() -> Starlette:
    """The application of one worker process of `govgraph serve --workers N`, built from the environment."""
    return create_app(Settings())
