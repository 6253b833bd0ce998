from __future__ import annotations

from strawberry.relay.utils import to_base64

from domain.shared.errors import DomainError
from schema.errors import UserError
from schema.messages import Locale

# Where a domain argument is named otherwise in the input.
_INPUT_FIELDS: dict[tuple[str, ...], tuple[str, ...]] = {("benefit", "document"): ("benefit", "document_reference")}


def user_error(error: DomainError, locale: Locale) -> UserError:
    """The payload's error: its field path in the input's own names, and an application it names by global ID."""
    error.field = _INPUT_FIELDS.get(error.field, error.field)
    if "application_id" in error.details:  # ALREADY_QUEUED names the child's existing application
        error.details["application"] = to_base64("KindergartenApplication", error.details["application_id"])
    return UserError.from_domain(error, locale)
