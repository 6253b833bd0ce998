from __future__ import annotations

from datetime import datetime

from domain.shared.errors import DomainError, ErrorCode


class AlreadyQueued(DomainError):
    """The child already has an active application, anywhere in the country."""

    code = ErrorCode.ALREADY_QUEUED

    def __init__(self, application_id: int) -> None:
        super().__init__(
            f"the child is already queued under application {application_id}",
            field=("child_iin",),
            application_id=application_id,
        )


class NotYourChild(DomainError):
    """The registry does not link the caller to the child."""

    code = ErrorCode.NOT_YOUR_CHILD

    def __init__(self) -> None:
        super().__init__("the registry does not list this child as the caller's", field=("child_iin",))


class UnknownKindergarten(DomainError):
    """A choice names no kindergarten of the registry."""

    code = ErrorCode.UNKNOWN_KINDERGARTEN

    def __init__(self, field: tuple[str, ...]) -> None:
        super().__init__("no such kindergarten", field=field)


class ChoicesInDifferentRegions(DomainError):
    """Kindergarten rules, "Application": all choices lie in one region."""

    code = ErrorCode.CHOICES_IN_DIFFERENT_REGIONS

    def __init__(self, index: int) -> None:
        super().__init__("all kindergartens must be in one region", field=("choices", str(index)))


class LanguageNotOffered(DomainError):
    """A chosen kindergarten has no group in the application's language: no place there could ever fit."""

    code = ErrorCode.LANGUAGE_NOT_OFFERED

    def __init__(self, field: tuple[str, ...]) -> None:
        super().__init__("the kindergarten has no group in this language", field=field)


class DeadlinePassed(DomainError):
    """The deadline decides, not the sweep: an answer after it is refused even if nothing has lapsed yet."""

    code = ErrorCode.DEADLINE_PASSED

    def __init__(self, deadline: datetime) -> None:
        super().__init__(f"the deadline was {deadline.isoformat()}", deadline=deadline.isoformat())


class ReactivationUsed(DomainError):
    code = ErrorCode.REACTIVATION_USED

    def __init__(self) -> None:
        super().__init__("the application was reactivated once already")


class ReactivationWindowClosed(DomainError):
    code = ErrorCode.REACTIVATION_WINDOW_CLOSED

    def __init__(self) -> None:
        super().__init__("the 28 days to reactivate have passed")


class ExtensionUsed(DomainError):
    code = ErrorCode.EXTENSION_USED

    def __init__(self) -> None:
        super().__init__("the contract period was extended once already")


class BenefitNotConfirmed(DomainError):
    code = ErrorCode.BENEFIT_NOT_CONFIRMED

    def __init__(self) -> None:
        super().__init__("the claimed benefit is not confirmed yet")


class NoCapacity(DomainError):
    """More places than the cohort's capacity leaves free: a typo of staff, not places that exist."""

    code = ErrorCode.NO_CAPACITY

    def __init__(self, free: int) -> None:
        super().__init__(f"only {free} more places fit the capacity", field=("count",), free=free)


class InvalidDays(DomainError):
    """An extension of the contract period outside 1 to 30 calendar days."""

    code = ErrorCode.INVALID_QUANTITY

    def __init__(self, days: int, limit: int) -> None:
        super().__init__(f"{days} days, give 1 to {limit}", field=("days",), quantity=days, minimum=1, maximum=limit)


class InvalidCount(DomainError):
    """A number of places outside what one publication may hold."""

    code = ErrorCode.INVALID_QUANTITY

    def __init__(self, count: int, limit: int) -> None:
        super().__init__(
            f"{count} places, give 1 to {limit}", field=("count",), quantity=count, minimum=1, maximum=limit
        )
