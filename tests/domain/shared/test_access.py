from __future__ import annotations

import pytest

from domain.shared import access
from domain.shared.access import AuthorityKind, OrganisationKind
from domain.shared.bin import Bin
from domain.shared.errors import Forbidden, Unauthenticated
from domain.shared.iin import Iin

CITIZEN = access.Citizen(iin=Iin.parse("850315400015"))
PHARMACY = access.OrganisationUser("u1", Bin.parse("981240000041"), OrganisationKind.PHARMACY)
BANK = access.BankClient("kaspi", Bin.parse("050140000011"), frozenset({"contributions:write"}))
REGULATOR = access.AuthorityUser("o1", AuthorityKind.MEDICINES_REGULATOR, None)


def test_an_anonymous_caller_is_asked_to_sign_in_rather_than_forbidden():
    with pytest.raises(Unauthenticated):
        access.require_citizen(access.ANONYMOUS)
    with pytest.raises(Unauthenticated):
        access.require_bank(access.ANONYMOUS, "contributions:write")


@pytest.mark.parametrize("principal", [PHARMACY, BANK, REGULATOR])
def test_only_a_citizen_acts_as_a_citizen(principal: access.Principal):
    with pytest.raises(Forbidden):
        access.require_citizen(principal)

    assert access.require_citizen(CITIZEN) is CITIZEN


def test_an_organisation_of_another_kind_is_forbidden():
    with pytest.raises(Forbidden):
        access.require_organisation(PHARMACY, OrganisationKind.MANUFACTURER, OrganisationKind.IMPORTER)

    assert access.require_organisation(PHARMACY, OrganisationKind.PHARMACY) is PHARMACY
    assert access.require_organisation(PHARMACY) is PHARMACY


def test_a_bank_needs_the_scope_it_uses():
    with pytest.raises(Forbidden):
        access.require_bank(BANK, "contributions:refund")

    assert access.require_bank(BANK, "contributions:write") is BANK


def test_an_authority_is_only_itself():
    with pytest.raises(Forbidden):
        access.require_authority(REGULATOR, AuthorityKind.INSURANCE_FUND)

    assert access.require_authority(REGULATOR, AuthorityKind.MEDICINES_REGULATOR) is REGULATOR
