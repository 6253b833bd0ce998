from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry

from domain.shared import access
from domain.shared.access import AuthorityKind, OrganisationKind
from domain.shared.bin import Bin
from domain.shared.iin import Iin
from domain.shared.regions import Region
from schema.context import Context

strawberry.enum(OrganisationKind, name="OrganisationKind")
strawberry.enum(AuthorityKind, name="AuthorityKind")
strawberry.enum(Region, name="Region", description="A region or city of republican significance (ISO 3166-2:KZ).")


@strawberry.type(description="A person signed in through the egov identity provider.")
class Citizen:
    iin: Iin
    birth_date: date


@strawberry.type(description="A user acting for an organisation: a manufacturer, pharmacy, kindergarten …")
class OrganisationUser:
    user_id: str
    organisation_bin: Bin
    organisation_kind: OrganisationKind


@strawberry.type(description="A bank's server, signed in with client credentials.")
class BankClient:
    client_id: str
    bank_bin: Bin
    scopes: list[str]


@strawberry.type(description="An official of a regulator, a regional education department or the insurance fund.")
class AuthorityUser:
    user_id: str
    authority: AuthorityKind
    region: Region | None


Viewer = Annotated[Citizen | OrganisationUser | BankClient | AuthorityUser, strawberry.union("Viewer")]


def viewer_from_principal(principal: access.Principal) -> Viewer | None:
    match principal:
        case access.Citizen(iin=iin):
            return Citizen(iin=iin, birth_date=iin.birth_date)
        case access.OrganisationUser():
            return OrganisationUser(
                user_id=principal.user_id,
                organisation_bin=principal.organisation_bin,
                organisation_kind=principal.organisation_kind,
            )
        case access.BankClient():
            return BankClient(
                client_id=principal.client_id, bank_bin=principal.bank_bin, scopes=sorted(principal.scopes)
            )
        case access.AuthorityUser():
            return AuthorityUser(user_id=principal.user_id, authority=principal.authority, region=principal.region)
    return None


def me(info: strawberry.Info[Context, None]) -> Viewer | None:
    """Who the request's token says the caller is; null for an anonymous caller."""
    return viewer_from_principal(info.context.principal)
