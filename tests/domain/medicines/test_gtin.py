from __future__ import annotations

import pytest

from domain.medicines.errors import InvalidGtin
from domain.medicines.gtin import Gtin


@pytest.mark.parametrize(
    ("text", "gtin14"),
    [
        ("04601234567893", "04601234567893"),
        ("4601234567893", "04601234567893"),  # GTIN-13 (EAN-13) is padded
        ("96385074", "00000096385074"),  # GTIN-8
        ("036000291452", "00036000291452"),  # GTIN-12 (UPC-A)
        (" 04601234567893 ", "04601234567893"),
    ],
)
def test_a_gtin_of_any_length_is_kept_as_gtin_14(text: str, gtin14: str):
    assert Gtin.parse(text) == Gtin(gtin14)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("04601234567890", "check digit"),
        ("4601234567", "digits"),
        ("0460123456789A", "digits"),
        ("", "digits"),
        ("046012345678931", "digits"),
        ("٠٤٦٠١٢٣٤٥٦٧٨٩٣", "digits"),  # Arabic-Indic digits are digits to Python, not to GS1
    ],
)
def test_a_malformed_gtin_is_invalid_gtin(text: str, reason: str):
    with pytest.raises(InvalidGtin, match=reason):
        Gtin.parse(text)
