from __future__ import annotations

from datetime import date, datetime
from typing import Any

import strawberry
from strawberry.types.scalar import ScalarDefinition

from domain.medicines.gtin import Gtin
from domain.shared.bin import Bin
from domain.shared.calendar import ALMATY
from domain.shared.errors import InvalidDate
from domain.shared.iin import Iin
from domain.shared.money import Money
from domain.shared.months import YearMonth

# A value that breaks its scalar's rules is refused before any resolver runs, as a request error whose
# extensions.code is the domain's code (INVALID_IIN …): the domain error travels as the GraphQL error's cause.


def _text(value: Any) -> str:
    return value if isinstance(value, str) else repr(value)


def _parse_date(value: Any) -> date:
    try:
        return date.fromisoformat(_text(value))
    except ValueError:
        raise InvalidDate(_text(value), "write a date as YYYY-MM-DD") from None


def _parse_datetime(value: Any) -> datetime:
    try:
        parsed = datetime.fromisoformat(_text(value))
    except ValueError:
        raise InvalidDate(_text(value), "write a time as ISO 8601 with its offset") from None
    if parsed.tzinfo is None:
        raise InvalidDate(_text(value), "a time without its UTC offset is ambiguous")
    return parsed


SCALARS: dict[object, ScalarDefinition] = {
    Iin: strawberry.scalar(
        name="IIN",
        description="Individual identification number of a person: 12 digits with a valid check digit.",
        serialize=str,
        parse_value=lambda value: Iin.parse(_text(value)),
    ),
    Bin: strawberry.scalar(
        name="BIN",
        description="Business identification number of an organisation: 12 digits with a valid check digit.",
        serialize=str,
        parse_value=lambda value: Bin.parse(_text(value)),
    ),
    Gtin: strawberry.scalar(
        name="GTIN",
        description="Global Trade Item Number of a product: 8, 12, 13 or 14 digits with a valid check digit; "
        "answered as GTIN-14.",
        serialize=str,
        parse_value=lambda value: Gtin.parse(_text(value)),
    ),
    Money: strawberry.scalar(
        name="Money",
        description="An amount in tenge as a decimal string with at most two decimals, e.g. `4250.00`.",
        serialize=str,
        parse_value=lambda value: Money.parse(_text(value)),
    ),
    YearMonth: strawberry.scalar(
        name="YearMonth",
        description="A calendar month as `YYYY-MM`.",
        serialize=str,
        parse_value=lambda value: YearMonth.parse(_text(value)),
    ),
    date: strawberry.scalar(
        name="Date",
        description="A calendar date, ISO 8601 `YYYY-MM-DD`.",
        serialize=date.isoformat,
        parse_value=_parse_date,
    ),
    datetime: strawberry.scalar(
        name="DateTime",
        description="An instant, ISO 8601 with its UTC offset; the service answers in Almaty time, e.g. "
        "`2026-11-25T10:00:00+05:00`.",
        serialize=lambda value: value.astimezone(ALMATY).isoformat(),
        parse_value=_parse_datetime,
    ),
}
