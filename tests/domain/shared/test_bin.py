from __future__ import annotations

import pytest

from domain.shared.bin import Bin, Division, EntityKind
from domain.shared.errors import ErrorCode, InvalidBin

# The State Corporation's BIN from the insurance rules: 1·1 + 6·2 + 4·4 + 4·5 + 7·9 + 1·10 + 6·11 = 188 ≡ 1.
STATE_CORPORATION = "160440007161"
# 5·2 + 1·3 + 2·4 + 4·5 + 1·6 + 1·9 + 2·10 + 3·11 = 109 ≡ 10, so the second weights:
# 5·4 + 1·5 + 2·6 + 4·7 + 1·8 + 1·11 + 2·1 + 3·2 = 92 ≡ 4
BRANCH_BY_SECOND_WEIGHTS = "051241001234"


@pytest.mark.parametrize(
    ("text", "kind", "division"),
    [
        (STATE_CORPORATION, EntityKind.RESIDENT, Division.HEAD_OFFICE),
        (BRANCH_BY_SECOND_WEIGHTS, EntityKind.RESIDENT, Division.BRANCH),
        ("990150000428", EntityKind.NON_RESIDENT, Division.HEAD_OFFICE),
        ("231062000079", EntityKind.JOINT_VENTURE_ENTREPRENEUR, Division.REPRESENTATIVE_OFFICE),
        ("200143000556", EntityKind.RESIDENT, Division.PEASANT_FARM),
    ],
)
def test_a_valid_bin_gives_its_kind_and_division(text: str, kind: EntityKind, division: Division) -> None:
    bin_ = Bin.parse(text)

    assert (bin_.value, bin_.kind, bin_.division) == (text, kind, division)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("123456789012", "registration month must be 01 to 12"),
        ("", "must be 12 digits"),
        ("16044000716", "must be 12 digits"),
        ("1604400071610", "must be 12 digits"),
        ("1604400O7161", "must be 12 digits"),  # a letter O for a zero
        ("160040007167", "registration month must be 01 to 12"),  # check digit right for the wrong month
        ("161340007160", "registration month must be 01 to 12"),
        ("160430007167", "entity kind digit must be 4, 5 or 6"),
        ("160470007165", "entity kind digit must be 4, 5 or 6"),
        ("160444007163", "division digit must be 0 to 3"),
        ("160440007162", "check digit does not match"),
        ("051241001233", "check digit does not match"),
        ("160440000610", "check digit does not match"),  # both weightings give 10: never issued
    ],
)
def test_an_invalid_bin_is_refused_with_its_reason(text: str, reason: str) -> None:
    with pytest.raises(InvalidBin) as raised:
        Bin.parse(text)

    assert raised.value.code is ErrorCode.INVALID_BIN
    assert raised.value.details["reason"] == reason


def test_surrounding_whitespace_is_not_part_of_the_bin() -> None:
    bin_ = Bin.parse(f"  {STATE_CORPORATION}\n")

    assert str(bin_) == STATE_CORPORATION


def test_a_bin_cannot_be_built_around_an_invalid_value() -> None:
    with pytest.raises(InvalidBin):
        Bin("160440007162")


def test_the_error_names_the_field_it_is_given() -> None:
    with pytest.raises(InvalidBin) as raised:
        Bin.parse("16044000716", field=("bank_bin",))

    assert raised.value.field == ("bank_bin",)
