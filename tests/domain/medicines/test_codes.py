from __future__ import annotations

import base64
import hashlib
from datetime import date

import pytest

from domain.medicines.codes import (
    MAX_CODE_LENGTH,
    CodeProblem,
    FormProblem,
    PackCode,
    UnreadableCode,
    parse_pack_code,
    swapped_case,
)

# 0·3 + 4·1 + 6·3 + 0·1 + 1·3 + 2·1 + 3·3 + 4·1 + 5·3 + 6·1 + 7·3 + 8·1 + 9·3 = 117, (10 − 7) mod 10 = 3
GTIN = "04601234567893"
SERIAL = "ABCdef1234567"
KEY_ID = "AB12"
# Standard base64 of an HMAC-SHA256-sized value: 44 characters, one "=", here with both "+" and "/".
CODE = base64.b64encode(hashlib.sha256(b"pack-8").digest()).decode()
assert CODE == "uy49DP7E+TZw/Ceq042SobXh8B4mpY01myypOYMBbAo="
CODE_IN_LINK = CODE.replace("+", "%2B").replace("/", "%2F").replace("=", "%3D")
RAW = f"01{GTIN}21{SERIAL}\x1d91{KEY_ID}\x1d92{CODE}"
PACK = PackCode(gtin=GTIN, serial=SERIAL, key_id=KEY_ID, verification_code=CODE)
SSCC = "106141412345678908"  # GS1's own example; check digit 8
EU_SERIAL = "PQ7R2X9K4M8N3T6V5W1Z"  # 20 characters, as many EU packs carry


@pytest.mark.parametrize(
    "text",
    [
        RAW,
        f"]d2{RAW}",
        f" \t]D2{RAW}\r\n",
        f"]C1{RAW}",
        f"]Q3{RAW}",
        f"01{GTIN}\x1d21{SERIAL}\x1d91{KEY_ID}\x1d92{CODE}\x1d",  # GS after a fixed-length field, and at the end
        f"\x1d01{GTIN}21{SERIAL}\x1d91{KEY_ID}\x1d92{CODE}",  # the first FNC1 sent as a GS as well
        f"01{GTIN}21{SERIAL}<GS>91{KEY_ID}<GS>92{CODE}",
        f"]d201{GTIN}21{SERIAL}<gs>91{KEY_ID}<Gs>92{CODE}",
        f"01{GTIN}21{SERIAL}\\u001d91{KEY_ID}\\U001D92{CODE}",
        f"(01){GTIN}(21){SERIAL}(91){KEY_ID}(92){CODE}",
        f"  (01) {GTIN} ( 21 ){SERIAL}  (91)\t{KEY_ID} (92) {CODE} ",
        f"https://id.gs1.org/01/{GTIN}/21/{SERIAL}?91={KEY_ID}&92={CODE_IN_LINK}",
        f"HTTP://Pharm.Example.KZ/scan/v2/01/{GTIN}/21/{SERIAL}?91={KEY_ID}&92={CODE_IN_LINK}",
        f"hTTpS://example.kz/2025/01/01/{GTIN}/21/{SERIAL}?91={KEY_ID}&92={CODE_IN_LINK}",  # a prefix holding /01/
        f"https://example.kz/01/{GTIN[1:]}/21/{SERIAL}?91={KEY_ID}&92={CODE_IN_LINK}",  # GTIN-13 in the path
        f"https://example.kz/01/{GTIN}?21={SERIAL}&91={KEY_ID}&92={CODE_IN_LINK}",  # serial in the query
        f"https://example.kz/01/{GTIN}/21/{SERIAL}/?linkType=gs1:pip&91={KEY_ID}&92={CODE}#top",  # + / = as written
        f"]d1https://example.kz/01/{GTIN}/21/{SERIAL}?91={KEY_ID}&92={CODE_IN_LINK}",  # a link in a plain matrix
        f"https://example.kz/01/{GTIN}/21/%41%42%43def1234567?91={KEY_ID}&92={CODE_IN_LINK}",
    ],
)
def test_every_accepted_form_of_a_code_names_the_same_pack(text: str) -> None:
    code = parse_pack_code(text)

    assert code == PACK
    assert code.notes == ()
    assert code.is_kazakhstan_form


@pytest.mark.parametrize(
    ("text", "restored"),
    [
        (f"01{GTIN}21{SERIAL}91{KEY_ID}92{CODE}", ["91", "92"]),
        (f"]d201{GTIN}21{SERIAL}91{KEY_ID}92{CODE}", ["91", "92"]),
        (f"01{GTIN}21{SERIAL}91{KEY_ID}\x1d92{CODE}", ["91"]),
        (f"01{GTIN}21{SERIAL}\x1d91{KEY_ID}92{CODE}", ["92"]),
        (f"01{GTIN}21{SERIAL}91{KEY_ID}<GS>92{CODE}", ["91"]),
    ],
)
def test_separators_dropped_inside_the_kazakhstan_form_are_restored_and_said_so(text: str, restored: list[str]) -> None:
    code = parse_pack_code(text)

    assert code == PACK
    assert code.notes == tuple(f"a missing GS separator before AI {ai} has been restored" for ai in restored)


def test_a_serial_running_into_a_key_id_is_kept_whole_when_no_verification_code_completes_the_form() -> None:
    text = f"01{GTIN}21{SERIAL}91{KEY_ID}"  # 19 characters: a valid GS1 serial, just not one of ours

    code = parse_pack_code(text)

    assert (code.serial, code.key_id, code.notes) == (f"{SERIAL}91{KEY_ID}", None, ())
    assert code.form_problems == (
        FormProblem.SERIAL_NOT_13,
        FormProblem.MISSING_KEY_ID,
        FormProblem.MISSING_VERIFICATION_CODE,
    )


def test_a_separator_restored_is_a_note_not_part_of_what_the_code_is() -> None:
    clean, recovered = parse_pack_code(RAW), parse_pack_code(RAW.replace("\x1d", ""))

    assert clean == recovered
    assert hash(clean) == hash(recovered)
    assert recovered.notes != ()


def test_expiry_and_batch_are_read_from_the_code() -> None:
    code = parse_pack_code(f"01{GTIN}" + "17270531" + f"10LOT-42/B\x1d21{SERIAL}\x1d91{KEY_ID}\x1d92{CODE}")

    assert (code.expiry, code.batch) == (date(2027, 5, 31), "LOT-42/B")
    assert code.is_kazakhstan_form  # batch and expiry may be printed; the form asks only for 21, 91 and 92


@pytest.mark.parametrize(
    ("yymmdd", "expiry"),
    [("250600", date(2025, 6, 30)), ("280200", date(2028, 2, 29)), ("270200", date(2027, 2, 28))],
)
def test_day_00_of_an_expiry_means_the_last_day_of_that_month(yymmdd: str, expiry: date) -> None:
    code = parse_pack_code(f"01{GTIN}17{yymmdd}21{SERIAL}")

    assert code.expiry == expiry


@pytest.mark.parametrize(
    ("text", "problem", "ai", "position"),
    [
        ("", CodeProblem.EMPTY_CODE, None, None),
        (" \t\r\n ", CodeProblem.EMPTY_CODE, None, None),
        ("]d2", CodeProblem.EMPTY_CODE, None, 3),
        ("0" * 10_000, CodeProblem.CODE_TOO_LONG, None, MAX_CODE_LENGTH),
        (" " * 500 + RAW, CodeProblem.CODE_TOO_LONG, None, MAX_CODE_LENGTH),  # counted before anything is stripped
        ("hello, world", CodeProblem.NOT_GS1, None, 0),
        ("\x00\x01\x02", CodeProblem.NOT_GS1, None, 0),
        (f"]d1{RAW}", CodeProblem.NOT_GS1, None, 0),  # a plain Data Matrix: no FNC1 first
        (f"  ]A0{RAW}", CodeProblem.NOT_GS1, None, 2),  # Code 39
        ("(hello)", CodeProblem.NOT_GS1, None, 0),
        (f"01{GTIN[:13]}4" + f"21{SERIAL}", CodeProblem.BAD_CHECK_DIGIT, "01", 15),
        (f"01{GTIN}" + "17250230" + f"21{SERIAL}", CodeProblem.INVALID_DATE, "17", 18),  # 30 February
        (f"01{GTIN}" + "17251301" + f"21{SERIAL}", CodeProblem.INVALID_DATE, "17", 18),  # month 13
        (f"01{GTIN}" + "17250015" + f"21{SERIAL}", CodeProblem.INVALID_DATE, "17", 18),  # month 00
        (f"01{GTIN}" + "11250230" + f"21{SERIAL}", CodeProblem.INVALID_DATE, "11", 18),  # an AI we ignore
        (f"01{GTIN}", CodeProblem.MISSING_SERIAL, "21", None),
        (f"21{SERIAL}\x1d91{KEY_ID}", CodeProblem.MISSING_GTIN, "01", None),
        (f"01{GTIN}21{'A' * 21}", CodeProblem.FIELD_TOO_LONG, "21", 38),
        (f"01{GTIN}21{SERIAL}<GS>91{KEY_ID}\x1d92{CODE}", CodeProblem.FIELD_TOO_LONG, "21", 38),  # text, not a GS
        (f"01{GTIN}21ABC DEF", CodeProblem.ILLEGAL_CHARACTER, "21", 21),
        (f"01{GTIN}21ABCäDEF", CodeProblem.ILLEGAL_CHARACTER, "21", 21),
        (f"01{GTIN}21ABC\x1d91A B", CodeProblem.ILLEGAL_CHARACTER, "91", 25),
        (f"01{GTIN[:5]}X{GTIN[6:]}21{SERIAL}", CodeProblem.ILLEGAL_CHARACTER, "01", 7),
        (f"01{GTIN} 21{SERIAL}", CodeProblem.ILLEGAL_CHARACTER, None, 16),
        (f"(01){GTIN}(21)ABC DEF", CodeProblem.ILLEGAL_CHARACTER, "21", 25),
        (f"(01)0460123 4567893(21){SERIAL}", CodeProblem.ILLEGAL_CHARACTER, "01", 11),
        (f"  01{GTIN}21{SERIAL}<GS>91A B", CodeProblem.ILLEGAL_CHARACTER, "91", 40),  # offsets as sent
        (f"01{GTIN[:6]}\x1d21{SERIAL}", CodeProblem.TRUNCATED_FIELD, "01", 8),
        (f"01{GTIN}21\x1d91{KEY_ID}", CodeProblem.TRUNCATED_FIELD, "21", 18),
        (f"(01){GTIN}(21)", CodeProblem.TRUNCATED_FIELD, "21", 22),
        (f"00{SSCC}", CodeProblem.NOT_A_PACK, "00", 0),
        (f"]C100{SSCC}" + f"02{GTIN}" + "3712", CodeProblem.NOT_A_PACK, "00", 3),
        (f"https://id.gs1.org/00/{SSCC}", CodeProblem.NOT_A_PACK, "00", 19),
        (f"01{GTIN}21{SERIAL}\x1d21ABCdef7654321", CodeProblem.DUPLICATE_AI, "21", 32),
        (f"01{GTIN}89ABC", CodeProblem.UNKNOWN_AI, None, 16),
        (f"(01){GTIN}(21){SERIAL}(89)ABC", CodeProblem.UNKNOWN_AI, "89", 36),
        (f"https://x.kz/01/{GTIN}/21/{SERIAL}?89=ABC", CodeProblem.UNKNOWN_AI, "89", 48),
        (f"https://x.kz/01/{GTIN}/21/AB%ZZ", CodeProblem.INVALID_DIGITAL_LINK, None, 36),
        (f"https://x.kz/01/{GTIN}?21=AB%2", CodeProblem.INVALID_DIGITAL_LINK, None, 36),
        (f"https://x.kz/01/{GTIN}/21/%C3%28", CodeProblem.INVALID_DIGITAL_LINK, None, 34),  # not UTF-8
        ("https://x.kz/products/4601234567893", CodeProblem.INVALID_DIGITAL_LINK, None, 12),
        (f"https://x.kz/01/{GTIN}/21/{SERIAL}/10/LOT1", CodeProblem.INVALID_DIGITAL_LINK, None, 48),
        (f"https://x.kz/01/{GTIN}/21/{SERIAL}?21=ABCdef7654321", CodeProblem.DUPLICATE_AI, "21", 48),
        (f"https://x.kz/01/{GTIN}?21={SERIAL}&21=ABCdef7654321", CodeProblem.DUPLICATE_AI, "21", 48),
        (f"https://x.kz/01/{GTIN}/21/AB%41%42C D", CodeProblem.ILLEGAL_CHARACTER, "21", 43),  # offset past escapes
        (f"https://x.kz/01/{GTIN}/21/{SERIAL}?92=a+b c", CodeProblem.ILLEGAL_CHARACTER, "92", 54),  # "+" stays
        (f"https://x.kz/01/{GTIN[:13]}4/21/{SERIAL}", CodeProblem.BAD_CHECK_DIGIT, "01", 29),
        (f"https://x.kz/01/{GTIN[1:12]}1/21/{SERIAL}", CodeProblem.BAD_CHECK_DIGIT, "01", 27),  # padded GTIN-12
    ],
)
def test_a_malformed_code_is_refused_with_its_problem_the_ai_and_the_offset(
    text: str, problem: CodeProblem, ai: str | None, position: int | None
) -> None:
    with pytest.raises(UnreadableCode) as raised:
        parse_pack_code(text)

    assert (raised.value.problem, raised.value.ai, raised.value.position) == (problem, ai, position)


def test_the_message_says_what_was_expected_where() -> None:
    with pytest.raises(UnreadableCode) as raised:
        parse_pack_code(f"01{GTIN}21{'A' * 21}")

    assert raised.value.message == "AI 21 (SERIAL): at most 20 characters, then a GS separator or the end"
    assert str(raised.value) == raised.value.message
    assert "FIELD_TOO_LONG" in repr(raised.value)


def test_the_same_ai_twice_with_the_same_value_is_read_once() -> None:
    code = parse_pack_code(f"01{GTIN}21{SERIAL}\x1d01{GTIN}21{SERIAL}\x1d91{KEY_ID}\x1d92{CODE}")

    assert code == PACK


def test_ais_we_do_not_use_are_checked_and_then_ignored() -> None:
    code = parse_pack_code(f"01{GTIN}" + "11250101" + f"240ABC-1\x1d21{SERIAL}\x1d91{KEY_ID}\x1d92{CODE}")

    assert code == PACK


def test_an_eu_pack_is_a_valid_gs1_code_but_not_in_the_kazakhstan_form() -> None:
    code = parse_pack_code(f"]d201{GTIN}" + "17270131" + f"10LOT42\x1d21{EU_SERIAL}")

    assert (code.serial, code.batch, code.expiry) == (EU_SERIAL, "LOT42", date(2027, 1, 31))
    assert code.form_problems == (
        FormProblem.SERIAL_NOT_13,
        FormProblem.MISSING_KEY_ID,
        FormProblem.MISSING_VERIFICATION_CODE,
    )
    assert not code.is_kazakhstan_form


@pytest.mark.parametrize(
    ("fields", "problems"),
    [
        (f"21{SERIAL}\x1d91{KEY_ID}", [FormProblem.MISSING_VERIFICATION_CODE]),
        (f"21{SERIAL}\x1d91{KEY_ID}\x1d92{CODE[:-1]}", [FormProblem.VERIFICATION_CODE_NOT_44]),
        (f"21{SERIAL}\x1d91{KEY_ID}\x1d92!{CODE[1:]}", [FormProblem.VERIFICATION_CODE_NOT_BASE64]),
        (f"21{SERIAL}\x1d91{KEY_ID}\x1d92{CODE[:-1]}A", [FormProblem.VERIFICATION_CODE_NOT_BASE64]),  # no padding
        (f"21{SERIAL}\x1d91{KEY_ID}\x1d92{CODE[:42]}p=", [FormProblem.VERIFICATION_CODE_NOT_BASE64]),  # low bits set
        (f"21{SERIAL}\x1d91ABCDE\x1d92{CODE}", [FormProblem.KEY_ID_NOT_4]),
        (f"21{SERIAL}\x1d92{CODE}", [FormProblem.MISSING_KEY_ID]),
        (f"21ABC-ef1234567\x1d91{KEY_ID}\x1d92{CODE}", [FormProblem.SERIAL_OUTSIDE_ALPHABET]),
        (f"21ABCdef123456\x1d91{KEY_ID}\x1d92{CODE}", [FormProblem.SERIAL_NOT_13]),
    ],
)
def test_a_gs1_valid_code_outside_the_kazakhstan_form_lists_its_form_problems(
    fields: str, problems: list[FormProblem]
) -> None:
    code = parse_pack_code(f"01{GTIN}{fields}")

    assert code.form_problems == tuple(problems)


def test_the_canonical_element_string_puts_fixed_length_fields_first_and_separates_the_others() -> None:
    code = PackCode(GTIN, SERIAL, KEY_ID, CODE, batch="LOT42", expiry=date(2027, 1, 31))

    raw = code.element_string()

    assert raw == f"01{GTIN}1727013110LOT42\x1d21{SERIAL}\x1d91{KEY_ID}\x1d92{CODE}"
    assert parse_pack_code(raw) == code


def test_the_human_readable_form_brackets_each_ai_and_reads_back() -> None:
    code = PackCode(GTIN, SERIAL, KEY_ID, CODE, batch="LOT42", expiry=date(2027, 1, 31))

    text = code.human_readable()

    assert text == f"(01){GTIN}(17)270131(10)LOT42(21){SERIAL}(91){KEY_ID}(92){CODE}"
    assert parse_pack_code(text) == code


def test_the_digital_link_escapes_the_verification_code_and_reads_back() -> None:
    code = PackCode(GTIN, SERIAL, KEY_ID, CODE, batch="LOT42", expiry=date(2027, 1, 31))

    link = code.digital_link("https://scan.example.kz/p/")

    assert link == f"https://scan.example.kz/p/01/{GTIN}/10/LOT42/21/{SERIAL}?17=270131&91={KEY_ID}&92={CODE_IN_LINK}"
    assert parse_pack_code(link) == code
    assert PACK.digital_link().startswith(f"https://id.gs1.org/01/{GTIN}/21/{SERIAL}?")


def test_swapping_letter_case_swaps_every_text_field_and_says_so() -> None:
    code = parse_pack_code(f"01{GTIN}10Lot42\x1d21{SERIAL}\x1d91{KEY_ID}\x1d92{CODE}")

    swapped = swapped_case(code)

    assert swapped is not None
    assert (swapped.serial, swapped.key_id, swapped.batch) == ("abcDEF1234567", "ab12", "lOT42")
    assert swapped.verification_code == CODE.swapcase()
    assert swapped.notes == ("letter case was swapped",)
    assert swapped_case(swapped) == code


def test_swapping_letter_case_of_a_code_without_letters_gives_nothing() -> None:
    code = PackCode(GTIN, "1234567890123", "0001", None, batch="2025")

    assert swapped_case(code) is None


def _outcome(parse, text: str) -> object:
    try:
        return parse(text)
    except UnreadableCode as unreadable:
        return (unreadable.problem, unreadable.ai, unreadable.position)


def test_the_fast_path_for_printed_codes_answers_as_the_general_parser_does():
    import random

    from domain.medicines.codes import parse_any_form

    rng = random.Random(7)
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    texts = []
    for _ in range(300):
        gtin = "".join(rng.choice("0123456789") for _ in range(14))
        serial = "".join(rng.choice(alphabet) for _ in range(13))
        mac = "".join(rng.choice(alphabet + "+/") for _ in range(43)) + "="
        text = f"01{gtin}21{serial}\x1d910001\x1d92{mac}"
        texts += [text, "]d2" + text, text[:-1], text.replace("\x1d", "")]

    for text in texts:
        assert _outcome(parse_pack_code, text) == _outcome(parse_any_form, text), repr(text)
