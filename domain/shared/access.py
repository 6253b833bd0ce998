from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from domain.shared.bin import Bin
from domain.shared.errors import Forbidden, Unauthenticated
from domain.shared.iin import Iin
from domain.shared.regions import Region


class OrganisationKind(StrEnum):
    MANUFACTURER = "MANUFACTURER"
    IMPORTER = "IMPORTER"
    WHOLESALER = "WHOLESALER"
    PHARMACY = "PHARMACY"
    HOSPITAL = "HOSPITAL"
    KINDERGARTEN = "KINDERGARTEN"


class AuthorityKind(StrEnum):
    MEDICINES_REGULATOR = "MEDICINES_REGULATOR"
    EDUCATION_DEPARTMENT = "EDUCATION_DEPARTMENT"  # of one region
    INSURANCE_FUND = "INSURANCE_FUND"


@dataclass(frozen=True, slots=True)
class Anonymous:
    """A caller without a token: reaches only what is public."""


@dataclass(frozen=True, slots=True)
class Citizen:
    iin: Iin


@dataclass(frozen=True, slots=True)
class OrganisationUser:
    user_id: str
    organisation_bin: Bin
    organisation_kind: OrganisationKind


@dataclass(frozen=True, slots=True)
class BankClient:
    client_id: str
    bank_bin: Bin
    scopes: frozenset[str]


@dataclass(frozen=True, slots=True)
class AuthorityUser:
    user_id: str
    authority: AuthorityKind
    region: Region | None  # set for a region's education department


Principal = Anonymous | Citizen | OrganisationUser | BankClient | AuthorityUser

ANONYMOUS = Anonymous()


def require_citizen(principal: Principal) -> Citizen:
    """The principal as a citizen, or the error that says why it is not one."""
    if isinstance(principal, Citizen):
        return principal
    if isinstance(principal, Anonymous):
        raise Unauthenticated()
    raise Forbidden("act as a citizen")


def require_organisation(principal: Principal, *kinds: OrganisationKind) -> OrganisationUser:
    """The principal as a user of an organisation of one of `kinds` (any kind when none is named)."""
    if isinstance(principal, OrganisationUser) and (not kinds or principal.organisation_kind in kinds):
        return principal
    if isinstance(principal, Anonymous):
        raise Unauthenticated()
    raise Forbidden("act for an organisation of this kind")


def require_bank(principal: Principal, scope: str) -> BankClient:
    """The principal as a bank client holding `scope`."""
    if isinstance(principal, BankClient) and scope in principal.scopes:
        return principal
    if isinstance(principal, Anonymous):
        raise Unauthenticated()
    raise Forbidden(f"use the bank scope {scope}")


def require_authority(principal: Principal, authority: AuthorityKind) -> AuthorityUser:
    """The principal as an official of `authority`."""
    if isinstance(principal, AuthorityUser) and principal.authority is authority:
        return principal
    if isinstance(principal, Anonymous):
        raise Unauthenticated()
    raise Forbidden(f"act as {authority.value.lower().replace('_', ' ')}")
