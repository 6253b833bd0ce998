from __future__ import annotations

from datetime import date

import pytest

from domain.shared.errors import ErrorCode, InvalidIin
from domain.shared.iin import Iin, Sex, iin_check_digit

# Synthetic numbers; each check digit is worked out by hand in the comment (digits times weights, mod 11).
MAN_BORN_1990 = "900101300007"  # 9·1 + 1·4 + 1·6 + 3·7 = 40 ≡ 7
MAN_BORN_1899 = "991231100000"  # 9·1 + 9·2 + 1·3 + 2·4 + 3·5 + 1·6 + 1·7 = 66 ≡ 0
MAN_BORN_2000 = "000101500001"  # 1·4 + 1·6 + 5·7 = 45 ≡ 1
GIRL_BORN_29_FEB_2020 = "200229600006"  # 2·1 + 2·4 + 2·5 + 9·6 + 6·7 = 116 ≡ 6
GIRL_BORN_29_FEB_2000 = "000229500008"  # 2·4 + 2·5 + 9·6 + 5·7 = 107 ≡ 8, with 5 (a man): 2000 is a leap year
# 9·1 + 9·2 + 1·3 + 2·4 + 3·5 + 1·6 + 4·7 = 87 ≡ 10, so the second weights:
# 9·3 + 9·4 + 1·5 + 2·6 + 3·7 + 1·8 + 4·9 = 145 ≡ 2
WOMAN_BORN_1999_BY_SECOND_WEIGHTS = "991231400002"
# 9·1 + 1·4 + 1·6 + 3·7 + 8·10 = 120 ≡ 10 and 9·3 + 1·6 + 1·8 + 3·9 + 8·1 = 76 ≡ 10: never issued
NEVER_ISSUED_ELEVEN = "90010130080"


@pytest.mark.parametrize(
    ("text", "birth_date", "sex"),
    [
        (MAN_BORN_1990, date(1990, 1, 1), Sex.MALE),
        (MAN_BORN_1899, date(1899, 12, 31), Sex.MALE),
        (MAN_BORN_2000, date(2000, 1, 1), Sex.MALE),
        (GIRL_BORN_29_FEB_2020, date(2020, 2, 29), Sex.FEMALE),
        (GIRL_BORN_29_FEB_2000, date(2000, 2, 29), Sex.MALE),
        (WOMAN_BORN_1999_BY_SECOND_WEIGHTS, date(1999, 12, 31), Sex.FEMALE),
    ],
)
def test_a_valid_iin_gives_its_birth_date_and_sex(text: str, birth_date: date, sex: Sex) -> None:
    iin = Iin.parse(text)

    assert (iin.value, iin.birth_date, iin.sex) == (text, birth_date, sex)


def test_surrounding_whitespace_is_not_part_of_the_iin() -> None:
    iin = Iin.parse(f" \t{MAN_BORN_1990}\n")

    assert iin.value == MAN_BORN_1990


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("123456789012", "century digit must be 1 to 6"),
        ("", "must be 12 digits"),
        ("90010130000", "must be 12 digits"),
        ("9001013000070", "must be 12 digits"),
        ("900101 300007", "must be 12 digits"),
        ("+90010130000", "must be 12 digits"),
        ("90010130000a", "must be 12 digits"),
        ("９００１０１３０００７", "must be 12 digits"),  # full-width digits
        ("٩٠٠١٠١٣٠٠٠٠٧", "must be 12 digits"),  # Arabic-Indic digits, which str.isdigit() accepts
        ("900101000007", "century digit must be 1 to 6"),
        ("900101700007", "century digit must be 1 to 6"),
        ("050229500007", "birth date is not a real date"),  # 2005 is a common year
        ("000229300005", "birth date is not a real date"),  # 1900 was not a leap year; 2000 was
        ("901301300007", "birth date is not a real date"),
        ("900132300007", "birth date is not a real date"),
        ("900101300008", "check digit does not match"),
        ("991231400001", "check digit does not match"),
        (f"{NEVER_ISSUED_ELEVEN}0", "check digit does not match"),
        (f"{NEVER_ISSUED_ELEVEN}2", "check digit does not match"),
    ],
)
def test_an_invalid_iin_is_refused_with_its_reason(text: str, reason: str) -> None:
    with pytest.raises(InvalidIin) as raised:
        Iin.parse(text)

    assert raised.value.code is ErrorCode.INVALID_IIN
    assert raised.value.details["reason"] == reason


def test_no_twelfth_digit_completes_eleven_digits_that_give_ten_twice() -> None:
    accepted = [digit for digit in "0123456789" if _is_valid(NEVER_ISSUED_ELEVEN + digit)]

    assert iin_check_digit(NEVER_ISSUED_ELEVEN) is None
    assert accepted == []


@pytest.mark.parametrize(
    ("first_eleven", "check_digit"),
    [("90010130000", 7), ("99123110000", 0), ("20022960000", 6), ("99123140000", 2), (NEVER_ISSUED_ELEVEN, None)],
)
def test_the_check_digit_uses_the_second_weights_only_when_the_first_give_ten(
    first_eleven: str, check_digit: int | None
) -> None:
    computed = iin_check_digit(first_eleven)

    assert computed == check_digit


@pytest.mark.parametrize("first_eleven", ["9001013000", "900101300000", "9001013000a", "９００１０１３０００"])
def test_the_check_digit_of_anything_but_eleven_ascii_digits_is_a_programming_error(first_eleven: str) -> None:
    with pytest.raises(ValueError, match="11 ASCII digits"):
        iin_check_digit(first_eleven)


def test_exactly_one_last_digit_completes_each_issuable_number() -> None:
    prefixes = [f"9001013{serial:04d}" for serial in range(300)]

    completions = {prefix: [digit for digit in "0123456789" if _is_valid(prefix + digit)] for prefix in prefixes}

    assert all(len(digits) == (0 if iin_check_digit(p) is None else 1) for p, digits in completions.items())
    assert sum(len(digits) == 0 for digits in completions.values()) == 3  # serials 0080, 0161 and 0242


def test_a_birth_date_after_today_is_refused() -> None:
    born_1_january_2027 = "270101500006"  # 2·1 + 7·2 + 1·4 + 1·6 + 5·7 = 61 ≡ 6

    with pytest.raises(InvalidIin) as raised:
        Iin.parse(born_1_january_2027, today=date(2026, 12, 31))

    assert raised.value.details["reason"] == "birth date is in the future"
    assert Iin.parse(born_1_january_2027).birth_date == date(2027, 1, 1)  # without today it is a valid number


def test_a_child_born_today_has_a_valid_iin() -> None:
    iin = Iin.parse(GIRL_BORN_29_FEB_2020, today=date(2020, 2, 29))

    assert iin.birth_date == date(2020, 2, 29)


def test_the_error_names_the_field_it_is_given() -> None:
    with pytest.raises(InvalidIin) as raised:
        Iin.parse("123456789012", field=("child_iin",))

    assert raised.value.field == ("child_iin",)


def test_an_iin_cannot_be_built_around_an_invalid_value() -> None:
    with pytest.raises(InvalidIin):
        Iin("123456789012")


@pytest.mark.parametrize(
    ("day", "age"),
    [
        (date(1990, 1, 1), 0),
        (date(1990, 12, 31), 0),
        (date(1991, 1, 1), 1),
        (date(2025, 12, 31), 35),
        (date(2026, 1, 1), 36),
    ],
)
def test_age_counts_full_years(day: date, age: int) -> None:
    iin = Iin.parse(MAN_BORN_1990)

    assert iin.age_on(day) == age


@pytest.mark.parametrize(
    ("day", "age"),
    [
        (date(2021, 2, 27), 0),
        (date(2021, 2, 28), 1),  # a common year: the birthday is the last day of February
        (date(2026, 2, 27), 5),
        (date(2026, 2, 28), 6),
        (date(2026, 3, 1), 6),
        (date(2028, 2, 28), 7),  # a leap year: the birthday is 29 February itself
        (date(2028, 2, 29), 8),
    ],
)
def test_a_child_born_on_29_february_has_its_birthday_on_28_february_in_a_common_year(day: date, age: int) -> None:
    iin = Iin.parse(GIRL_BORN_29_FEB_2020)

    assert iin.age_on(day) == age


def test_the_birthday_of_a_leap_day_child_moves_only_in_common_years() -> None:
    iin = Iin.parse(GIRL_BORN_29_FEB_2020)

    birthdays = [iin.birthday_in(year) for year in (2026, 2028)]

    assert birthdays == [date(2026, 2, 28), date(2028, 2, 29)]


def test_age_before_birth_is_a_programming_error() -> None:
    iin = Iin.parse(MAN_BORN_1990)

    with pytest.raises(ValueError, match="before the birth date"):
        iin.age_on(date(1989, 12, 31))


def test_a_masked_iin_shows_the_birth_date_only() -> None:
    iin = Iin.parse(MAN_BORN_1990)

    masked = iin.masked()

    assert masked == "900101******"


def test_the_repr_of_an_iin_does_not_reveal_it_but_str_does() -> None:
    iin = Iin.parse(MAN_BORN_1990)

    assert MAN_BORN_1990 not in repr(iin)
    assert str(iin) == MAN_BORN_1990


def test_iins_with_the_same_digits_are_equal() -> None:
    assert Iin.parse(MAN_BORN_1990) == Iin.parse(f" {MAN_BORN_1990}")
    assert len({Iin.parse(MAN_BORN_1990), Iin.parse(MAN_BORN_2000), Iin.parse(MAN_BORN_1990)}) == 2


def _is_valid(text: str) -> bool:
    try:
        Iin.parse(text)
    except InvalidIin:
        return False
    return True
