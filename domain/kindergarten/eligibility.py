from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from domain.shared.errors import DomainError, ErrorCode

# Kindergarten rules, "Application": queued from birth until the day before the 6th birthday, 1 to 4 choices.
AGE_LIMIT_YEARS = 6
MAX_CHOICES = 4


class ChildTooOld(DomainError):
    """The child has turned 6 (or turns 6 today): the queue is for younger children."""

    code = ErrorCode.CHILD_TOO_OLD

    def __init__(self, turns_six: date) -> None:
        super().__init__(f"the child turns 6 on {turns_six}", field=("child_iin",), turns_six=turns_six)


class NoChoices(DomainError):
    """An application names no kindergarten."""

    code = ErrorCode.NO_CHOICES

    def __init__(self) -> None:
        super().__init__("choose 1 to 4 kindergartens", field=("choices",))


class TooManyChoices(DomainError):
    """An application names more than 4 kindergartens."""

    code = ErrorCode.TOO_MANY_CHOICES

    def __init__(self, count: int) -> None:
        super().__init__(f"{count} kindergartens, at most {MAX_CHOICES}", field=("choices",), count=count)


class DuplicateChoice(DomainError):
    """The same kindergarten is chosen twice."""

    code = ErrorCode.DUPLICATE_CHOICE

    def __init__(self, index: int) -> None:
        super().__init__("a kindergarten is chosen twice", field=("choices", str(index)))


def sixth_birthday(born: date) -> date:
    """The day a child turns 6; one born on 29 February turns 6 on 28 February of a common year."""
    year = born.year + AGE_LIMIT_YEARS
    try:
        return born.replace(year=year)
    except ValueError:  # 29 February in a common year
        return date(year, 2, 28)


def check_age(born: date, today: date) -> None:
    """A child may be queued from birth until the day before the 6th birthday."""
    turns_six = sixth_birthday(born)
    if today >= turns_six:
        raise ChildTooOld(turns_six)


def check_choices(choices: Sequence[int]) -> None:
    """1 to 4 distinct kindergartens, in the parent's order of preference."""
    if not choices:
        raise NoChoices()
    if len(choices) > MAX_CHOICES:
        raise TooManyChoices(len(choices))
    seen: set[int] = set()
    for index, choice in enumerate(choices):
        if choice in seen:
            raise DuplicateChoice(index)
        seen.add(choice)


def cohort(born: date) -> int:
    """Decisions: the birth cohort is the calendar year of birth."""
    return born.year
