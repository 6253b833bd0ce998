from __future__ import annotations

import strawberry

from domain.shared.errors import DomainError, ErrorCode
from schema import messages
from schema.messages import Locale

strawberry.enum(ErrorCode, name="ErrorCode")  # the domain enum, shown to clients as it is


def camel_case(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


@strawberry.type(description="An expected failure of a mutation: nothing of its input was written.")
class UserError:
    code: ErrorCode
    message: str
    field: list[str] | None = strawberry.field(description="Path of the input field at fault, from `input`.")

    @classmethod
    def from_domain(cls, error: DomainError, locale: Locale) -> UserError:
        path = ["input", *map(camel_case, error.field)] if error.field else None
        return cls(code=error.code, message=messages.render_error(error, locale), field=path)
