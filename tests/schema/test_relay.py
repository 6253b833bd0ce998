from __future__ import annotations

import base64

import pytest
from strawberry.relay.utils import to_base64

from domain.shared.errors import InvalidId, InvalidPage
from schema.relay import MAX_PAGE_SIZE, PageRequest, decode_cursor, decode_global_id, encode_cursor


def test_a_global_id_opens_to_its_type_and_key():
    assert decode_global_id(to_base64("Product", "04601234567893")) == ("Product", "04601234567893")


@pytest.mark.parametrize("value", ["garbage", "", "!!!", base64.b64encode(b"no separator").decode()])
def test_a_malformed_global_id_is_invalid_id(value: str):
    with pytest.raises(InvalidId):
        decode_global_id(value)


def test_an_id_of_another_type_is_refused_where_one_type_is_expected():
    with pytest.raises(InvalidId, match="Offer"):
        decode_global_id(to_base64("Product", "1"), expected_type="Offer")


def test_a_cursor_survives_the_round_trip_and_a_foreign_one_is_refused():
    assert decode_cursor(encode_cursor("2026-01-05|42")) == "2026-01-05|42"
    with pytest.raises(InvalidPage):
        decode_cursor(to_base64("Product", "1"))


def test_a_page_defaults_to_the_largest_and_reads_its_cursors():
    page = PageRequest.from_arguments(first=None, after=encode_cursor("7"), last=None, before=None)

    assert (page.size, page.after, page.backwards) == (MAX_PAGE_SIZE, "7", False)


def test_last_pages_backwards():
    page = PageRequest.from_arguments(first=None, after=None, last=5, before=encode_cursor("9"))

    assert (page.size, page.before, page.backwards) == (5, "9", True)


@pytest.mark.parametrize(
    ("first", "last"),
    [(101, None), (-1, None), (None, 101), (5, 5)],
    ids=["too many", "negative", "last too many", "both"],
)
def test_a_page_out_of_bounds_is_invalid_page(first: int | None, last: int | None):
    with pytest.raises(InvalidPage):
        PageRequest.from_arguments(first=first, after=None, last=last, before=None)
