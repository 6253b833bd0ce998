from __future__ import annotations

import functools
import re
import string
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum
from typing import NamedTuple

from biip import ParseError
from biip.checksums import gs1_standard_check_digit
from biip.gs1_application_identifiers import GS1ApplicationIdentifier
from biip.gs1_element_strings import GS1ElementString

from domain.medicines import digital_link
from domain.medicines.keys import KEY_ID_LENGTH
from domain.medicines.serials import SERIAL_ALPHABET, SERIAL_LENGTH

# Medicines rules, "The code on a pack": 92 verification code of 44 (serial and key id lengths: serials.py, keys.py).
VERIFICATION_CODE_LENGTH = 44
# Decisions, "Reading a code": longer texts are refused before anything else is looked at.
MAX_CODE_LENGTH = 512

GS = "\x1d"  # the group separator a scanner sends for every FNC1 but the first
_GS_BYTE = re.compile(GS)
# Apps that cannot carry the byte write it out; these texts count only when the message holds no GS byte.
_GS_TEXT = re.compile(r"<gs>|\\u001d", re.IGNORECASE)
# Symbology identifiers of GS1 carriers (ISO/IEC 15424): Data Matrix, GS1-128, DataBar, QR, DotCode, FNC1 first.
_GS1_SYMBOLOGIES = frozenset({"]d2", "]c1", "]e0", "]q3", "]j1"})
# A plain Data Matrix or QR Code carries no element string, but may carry a Digital Link URL.
_PLAIN_SYMBOLOGIES = frozenset({"]d1", "]q1"})
_BRACKETED_AI = re.compile(r"\s*\(\s*([0-9]{2,4})\s*\)\s*")
_LEADING_DIGITS = re.compile(r"[0-9]{1,4}")
# GS1 General Specifications 7.11, the 82 characters of "X" fields; biip's patterns use the same set.
_GS1_CHARACTERS = frozenset(string.ascii_letters + string.digits + "!\"%&'()*+,-./:;<=>?_")
_DIGITS = frozenset(string.digits)
_SERIAL_CHARACTERS = frozenset(SERIAL_ALPHABET)
# Standard base64 of 32 bytes: 43 characters and "="; the last one holds 4 bits and two zero bits.
_BASE64_OF_32_BYTES = re.compile(r"[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=")
# A Kazakhstan code read with its separators dropped (keyboard-wedge scanners send no GS): only the full form,
# 13 + 91 + 4 + 92 + 44, is split, where the 92 is either run on or follows as its own field of 44.
_X = '[!%-?A-Z_a-z"]'
_RUN_ON_SERIAL = re.compile(rf"([{SERIAL_ALPHABET}]{{13}})(91)({_X}{{4}})(?:(92)({_X}{{44}}))?")
_RUN_ON_KEY_ID = re.compile(rf"({_X}{{4}})(92)({_X}{{44}})")
_OURS = frozenset({"01", "10", "21", "91", "92"})  # checked here; biip checks the others whole (dates, …)


class CodeProblem(StrEnum):
    # Append only: clients switch on these.
    EMPTY_CODE = "EMPTY_CODE"
    CODE_TOO_LONG = "CODE_TOO_LONG"
    NOT_GS1 = "NOT_GS1"
    UNKNOWN_AI = "UNKNOWN_AI"
    TRUNCATED_FIELD = "TRUNCATED_FIELD"
    ILLEGAL_CHARACTER = "ILLEGAL_CHARACTER"
    BAD_CHECK_DIGIT = "BAD_CHECK_DIGIT"
    INVALID_DATE = "INVALID_DATE"
    FIELD_TOO_LONG = "FIELD_TOO_LONG"
    MISSING_GTIN = "MISSING_GTIN"
    MISSING_SERIAL = "MISSING_SERIAL"
    NOT_A_PACK = "NOT_A_PACK"
    DUPLICATE_AI = "DUPLICATE_AI"
    INVALID_DIGITAL_LINK = "INVALID_DIGITAL_LINK"


class FormProblem(StrEnum):
    """How a GS1-valid code departs from the Kazakhstan pack form; verification answers UNKNOWN_CODE."""

    SERIAL_NOT_13 = "SERIAL_NOT_13"
    SERIAL_OUTSIDE_ALPHABET = "SERIAL_OUTSIDE_ALPHABET"
    MISSING_KEY_ID = "MISSING_KEY_ID"
    KEY_ID_NOT_4 = "KEY_ID_NOT_4"
    MISSING_VERIFICATION_CODE = "MISSING_VERIFICATION_CODE"
    VERIFICATION_CODE_NOT_44 = "VERIFICATION_CODE_NOT_44"
    VERIFICATION_CODE_NOT_BASE64 = "VERIFICATION_CODE_NOT_BASE64"


class UnreadableCode(Exception):
    """A text is not a GS1 message in any accepted form, or not one naming a pack; verification answers INVALID_CODE."""

    def __init__(
        self, problem: CodeProblem, message: str, *, ai: str | None = None, position: int | None = None
    ) -> None:
        super().__init__(message)
        self.problem = problem
        self.message = message  # English, for logs: what was expected where
        self.ai = ai  # the application identifier at fault, the GraphQL `field`
        self.position = position  # offset in the text exactly as sent, surrounding whitespace included

    def __repr__(self) -> str:
        return f"UnreadableCode({self.problem}, {self.message!r}, ai={self.ai!r}, position={self.position!r})"


@dataclass(frozen=True, slots=True)
class PackCode:
    """What a pack's code says: GTIN, serial, the verification pair (AIs 91, 92), and batch and expiry if printed."""

    gtin: str
    serial: str
    key_id: str | None = None
    verification_code: str | None = None
    batch: str | None = None
    expiry: date | None = None  # AI 17; day 00 is read as the last day of the month
    # How a damaged reading was repaired; the same pack read cleanly is the same code.
    notes: tuple[str, ...] = field(default=(), compare=False)

    @property
    def form_problems(self) -> tuple[FormProblem, ...]:
        """Where the code departs from the Kazakhstan pack form; empty when it is in that form."""
        problems = []
        if len(self.serial) != SERIAL_LENGTH:
            problems.append(FormProblem.SERIAL_NOT_13)
        if not _SERIAL_CHARACTERS.issuperset(self.serial):
            problems.append(FormProblem.SERIAL_OUTSIDE_ALPHABET)
        if self.key_id is None:
            problems.append(FormProblem.MISSING_KEY_ID)
        elif len(self.key_id) != KEY_ID_LENGTH:
            problems.append(FormProblem.KEY_ID_NOT_4)
        if self.verification_code is None:
            problems.append(FormProblem.MISSING_VERIFICATION_CODE)
        elif len(self.verification_code) != VERIFICATION_CODE_LENGTH:
            problems.append(FormProblem.VERIFICATION_CODE_NOT_44)
        elif not _BASE64_OF_32_BYTES.fullmatch(self.verification_code):
            problems.append(FormProblem.VERIFICATION_CODE_NOT_BASE64)
        return tuple(problems)

    @property
    def is_kazakhstan_form(self) -> bool:
        return not self.form_problems

    def element_string(self) -> str:
        """The raw form a scanner reports, less `]d2`: fixed-length fields first, GS after the others but the last."""
        fixed = "01" + self.gtin + ("17" + self.expiry.strftime("%y%m%d") if self.expiry else "")
        return fixed + GS.join(ai + value for ai, value in self._variable_fields())

    def human_readable(self) -> str:
        """The bracketed form printed under the symbol: (01)…(17)…(10)…(21)…(91)…(92)…."""
        expiry = f"(17){self.expiry:%y%m%d}" if self.expiry else ""
        return f"(01){self.gtin}{expiry}" + "".join(f"({ai}){value}" for ai, value in self._variable_fields())

    def digital_link(self, base: str = "https://id.gs1.org") -> str:
        """The GS1 Digital Link under `base` (scheme, host and any path prefix): batch and serial in the path."""
        path = [("01", self.gtin), ("21", self.serial)]
        if self.batch is not None:
            path.insert(1, ("10", self.batch))
        query = [(ai, value) for ai, value in self._variable_fields() if ai in ("91", "92")]
        if self.expiry:
            query.insert(0, ("17", f"{self.expiry:%y%m%d}"))
        return digital_link.format_link(base, path, query)

    def _variable_fields(self) -> list[tuple[str, str]]:
        fields = (("10", self.batch), ("21", self.serial), ("91", self.key_id), ("92", self.verification_code))
        return [(ai, value) for ai, value in fields if value is not None]


# The form our printed codes scan as, ]d2 and GS bytes included: nine scans in ten. It is read by one regular
# expression instead of the general parser (≈1 µs instead of ≈10); anything else takes the general path, and
# tests/domain/medicines/test_codes.py holds both to the same answer.
_SCANNED_AS_PRINTED = re.compile(
    r"(?:\]d2)?01([0-9]{14})21([0-9A-Za-z]{13})\x1d91([0-9A-Za-z]{4})\x1d92([0-9A-Za-z+/]{43}=)"
)


def parse_pack_code(text: str) -> PackCode:
    """The pack named by a code in any form a client sends; UnreadableCode says what is wrong and where."""
    printed = _SCANNED_AS_PRINTED.fullmatch(text)
    if printed is not None and gs1_standard_check_digit(printed[1][:13]) == int(printed[1][13]):
        return PackCode(printed[1], printed[2], printed[3], printed[4])
    return parse_any_form(text)


def parse_any_form(text: str) -> PackCode:
    """parse_pack_code's general path, for every accepted form."""
    return _pack_code(*_elements(text))


@dataclass(frozen=True, slots=True)
class ContainerCode:
    """A box or pallet, named by its SSCC (AI 00)."""

    sscc: str


def parse_logistic_code(text: str) -> PackCode | ContainerCode:
    """A pack's code or a box's or pallet's SSCC, in any form a client sends, as the supply chain scans them."""
    printed = _SCANNED_AS_PRINTED.fullmatch(text)
    if printed is not None and gs1_standard_check_digit(printed[1][:13]) == int(printed[1][13]):
        return PackCode(printed[1], printed[2], printed[3], printed[4])
    elements, notes = _elements(text)
    for element in elements:
        if element.rule.ai == "00":
            _checked(element)
            return ContainerCode(element.value)
    return _pack_code(elements, notes)


def _elements(text: str) -> tuple[list[_Element], tuple[str, ...]]:
    if len(text) > MAX_CODE_LENGTH:
        raise UnreadableCode(
            CodeProblem.CODE_TOO_LONG,
            f"a code has at most {MAX_CODE_LENGTH} characters; this one has {len(text)}",
            position=MAX_CODE_LENGTH,
        )
    start, end = len(text) - len(text.lstrip()), len(text.rstrip())
    if start == len(text):
        raise UnreadableCode(CodeProblem.EMPTY_CODE, "the code is empty")
    if text.startswith("]", start):  # a symbology identifier, sent by scanners set to prefix it
        symbology = text[start : start + 3].lower()
        is_link = digital_link.is_digital_link(text, start + 3, end)
        if symbology not in _GS1_SYMBOLOGIES and not (symbology in _PLAIN_SYMBOLOGIES and is_link):
            plain = " (a plain symbol, without FNC1 first)" if symbology in _PLAIN_SYMBOLOGIES else ""
            raise UnreadableCode(
                CodeProblem.NOT_GS1, f"{text[start : start + 3]!r}{plain} is not a GS1 symbology", position=start
            )
        start += 3
        if start >= end:
            raise UnreadableCode(CodeProblem.EMPTY_CODE, "nothing follows the symbology identifier", position=start)
    if digital_link.is_digital_link(text, start, end):
        return _link_elements(text, start, end), ()
    if text.startswith("(", start):
        return _bracketed_elements(text, start, end), ()
    separator = _GS_BYTE if text.find(GS, start, end) >= 0 else _GS_TEXT
    return _restore_separators(_raw_elements(text, start, end, separator))


def swapped_case(code: PackCode) -> PackCode | None:
    """The code as it reads with letter case swapped (caps lock on a keyboard-wedge scanner), or None if the same."""

    def swap(value: str | None) -> str | None:
        return None if value is None else value.swapcase()

    swapped = replace(
        code,
        serial=code.serial.swapcase(),
        key_id=swap(code.key_id),
        verification_code=swap(code.verification_code),
        batch=swap(code.batch),
        notes=(*code.notes, "letter case was swapped"),
    )
    return None if swapped == code else swapped


@dataclass(frozen=True, slots=True)
class _Rule:
    """What biip's table of application identifiers says about one AI's data."""

    ai: str
    title: str
    pattern: re.Pattern[str]  # biip's pattern for the data alone; \d is ASCII digits only
    fixed_length: int | None  # a predefined length: no separator needs to follow
    max_length: int
    numeric: bool
    is_date: bool

    @classmethod
    def of(cls, ai: GS1ApplicationIdentifier) -> _Rule:
        data_format = ai.format.split("+", 1)[1]  # "N2+X..20" is the AI's own two digits, then the data
        # Each "+" part ends in its longest length ("N..15", "N6[", "N4]"); "[-]" is one optional character.
        parts = [re.findall(r"[0-9]+", part) for part in data_format.split("+")]
        return cls(
            ai=ai.ai,
            title=ai.data_title,
            pattern=re.compile(ai.pattern.removeprefix(f"^{ai.ai}"), re.ASCII),
            fixed_length=None if ai.separator_required else int(data_format[1:]),
            max_length=sum(int(numbers[-1]) if numbers else 1 for numbers in parts),
            numeric=not any(kind in data_format for kind in "XYZ"),
            is_date=r"(?:0\d|1[0-2])" in ai.pattern,  # biip's patterns spell months so; dates check further
        )


@functools.cache
def _rule(digits: str) -> _Rule | None:
    """The AI that these 1 to 4 ASCII digits begin with; cached, as biip searches its table from the top."""
    try:
        return _Rule.of(GS1ApplicationIdentifier.extract(digits))
    except ParseError:
        return None


def _rule_named(ai: str) -> _Rule | None:
    rule = _rule(ai) if len(ai) <= 4 else None
    return rule if rule is not None and rule.ai == ai else None


class _Element(NamedTuple):
    rule: _Rule
    value: str
    ai_at: int  # offsets in the text as sent
    at: int
    link: digital_link.LinkElement | None = None  # where it came from a link, whose escapes shift the offsets

    def place(self, index: int) -> int:
        return self.at + index if self.link is None else self.link.place(index)

    def fault(self, problem: CodeProblem, index: int, expected: str) -> UnreadableCode:
        message = f"AI {self.rule.ai} ({self.rule.title}): {expected}"
        return UnreadableCode(problem, message, ai=self.rule.ai, position=self.place(index))


def _raw_elements(text: str, start: int, end: int, separator: re.Pattern[str]) -> list[_Element]:
    elements: list[_Element] = []
    at = start
    while at < end:
        if gap := separator.match(text, at, end):  # allowed between any two fields, GS1 General Specifications 7.8.6
            at = gap.end()
            continue
        digits = _LEADING_DIGITS.match(text, at, end)
        rule = _rule(digits.group()) if digits else None
        if rule is None:
            raise _no_ai_at(text, at, elements)
        value_at = at + len(rule.ai)
        stop = separator.search(text, value_at, end)
        value_end = stop.start() if stop else end
        if rule.fixed_length is not None:
            value_end = min(value_end, value_at + rule.fixed_length)
        elements.append(_Element(rule, text[value_at:value_end], at, value_at))
        at = value_end
    return elements


def _no_ai_at(text: str, at: int, elements: list[_Element]) -> UnreadableCode:
    found = text[at : at + 4]
    after = f" after AI {elements[-1].rule.ai}" if elements else ""
    if not elements and found[0] not in _DIGITS:
        return UnreadableCode(CodeProblem.NOT_GS1, f"expected a GS1 message, found {found!r}", position=at)
    if found[0] not in _DIGITS:
        problem = CodeProblem.ILLEGAL_CHARACTER
        return UnreadableCode(problem, f"expected an application identifier{after}, found {found!r}", position=at)
    return UnreadableCode(CodeProblem.UNKNOWN_AI, f"no GS1 application identifier begins {found!r}{after}", position=at)


def _restore_separators(elements: list[_Element]) -> tuple[list[_Element], tuple[str, ...]]:
    ais = {element.rule.ai: element for element in elements}
    if "91" in ais and "92" in ais:
        return elements, ()
    restored: list[_Element] = []
    notes: list[str] = []
    for element in elements:
        match = _run_on(element, ais)
        if match is None:
            restored.append(element)
            continue
        restored.append(element._replace(value=match[1]))
        for group in range(2, match.lastindex or 0, 2):
            rule = _rule_named(match[group])
            assert rule is not None  # 91 and 92 are in every edition of the AI table
            ai_at, value_at = element.at + match.start(group), element.at + match.start(group + 1)
            restored.append(_Element(rule, match[group + 1], ai_at, value_at))
            notes.append(f"a missing GS separator before AI {rule.ai} has been restored")
    return restored, tuple(notes)


def _run_on(element: _Element, ais: dict[str, _Element]) -> re.Match[str] | None:
    """How a serial (21) or key id (91) splits when it ran on into the next fields, if the form is whole."""
    if element.rule.ai == "21" and "91" not in ais:
        match = _RUN_ON_SERIAL.fullmatch(element.value)
        if match is None:
            return None
        # Serial and key id alone are the whole form only when a 92 of 44 follows in its own field.
        code = match[5] if match[5] is not None else ais["92"].value if "92" in ais else ""
        return match if len(code) == VERIFICATION_CODE_LENGTH else None
    if element.rule.ai == "91" and "92" not in ais:
        return _RUN_ON_KEY_ID.fullmatch(element.value)
    return None


def _bracketed_elements(text: str, start: int, end: int) -> list[_Element]:
    marks = list(_BRACKETED_AI.finditer(text, start, end))
    if not marks or marks[0].start() != start:
        raise UnreadableCode(CodeProblem.NOT_GS1, "expected (AI) and its value, as in (01)", position=start)
    elements = []
    for mark, following in zip(marks, [*marks[1:], None], strict=True):
        rule = _rule_named(mark[1])
        if rule is None:
            raise UnreadableCode(
                CodeProblem.UNKNOWN_AI, f"GS1 defines no AI ({mark[1]})", ai=mark[1], position=mark.start(1)
            )
        # The marks swallow whitespace next to a bracket; whitespace inside a value stays, to be refused.
        value_end = following.start() if following else end
        elements.append(_Element(rule, text[mark.end() : value_end], mark.start(1), mark.end()))
    return elements


def _link_elements(text: str, start: int, end: int) -> list[_Element]:
    try:
        parts = digital_link.link_elements(text, start, end)
    except digital_link.InvalidDigitalLink as error:
        raise UnreadableCode(CodeProblem.INVALID_DIGITAL_LINK, error.message, position=error.position) from None
    elements = []
    for part in parts:
        rule = _rule_named(part.ai)
        if rule is None:
            message = f"GS1 defines no AI {part.ai}"
            raise UnreadableCode(CodeProblem.UNKNOWN_AI, message, ai=part.ai, position=part.ai_at)
        elements.append(_Element(rule, part.value, part.ai_at, part.raw_at, part))
    return elements


def _pack_code(elements: list[_Element], notes: tuple[str, ...] = ()) -> PackCode:
    found: dict[str, _Element] = {}
    expiry = None
    for element in elements:
        day = _checked(element)
        if element.rule.ai == "17":
            expiry = day
        first = found.setdefault(element.rule.ai, element)
        if first.value != element.value:  # the same value twice says nothing new and is let pass
            message = f"AI {element.rule.ai} is given twice, as {first.value!r} and as {element.value!r}"
            raise UnreadableCode(CodeProblem.DUPLICATE_AI, message, ai=element.rule.ai, position=element.ai_at)
    if "00" in found:
        message = "an SSCC (00) names a box or pallet, not a pack"
        raise UnreadableCode(CodeProblem.NOT_A_PACK, message, ai="00", position=found["00"].ai_at)
    if "01" not in found:
        raise UnreadableCode(CodeProblem.MISSING_GTIN, "expected a GTIN (01)", ai="01")
    if "21" not in found:
        raise UnreadableCode(CodeProblem.MISSING_SERIAL, "expected a serial number (21)", ai="21")
    optional = {ai: found[ai].value if ai in found else None for ai in ("10", "91", "92")}
    return PackCode(
        gtin=found["01"].value,
        serial=found["21"].value,
        key_id=optional["91"],
        verification_code=optional["92"],
        batch=optional["10"],
        expiry=expiry,
        notes=notes,
    )


def _checked(element: _Element) -> date | None:
    """The element's date, if it is one; UnreadableCode for anything GS1 does not allow in it."""
    rule, value = element.rule, element.value
    if not rule.pattern.fullmatch(value):
        raise _fault(element)
    if rule.ai in ("00", "01"):  # SSCC and GTIN end in the same kind of check digit
        last = len(value) - 1
        expected = gs1_standard_check_digit(value[:last])
        if expected != int(value[last]):
            raise element.fault(CodeProblem.BAD_CHECK_DIGIT, last, f"the check digit of {value} should be {expected}")
        return None
    if rule.ai in _OURS:
        return None
    try:  # past its pattern, biip refuses an element only for an impossible date
        return _biip_date(rule.ai, value)
    except ParseError:
        raise _not_a_date(element) from None


# biip takes about 10 µs over an element, as long as the rest of a parse; packs share few expiry dates. The century
# of a YY moves with the clock only at the far edge of GS1's window, 50 years out, where no expiry lies.
@functools.lru_cache(maxsize=4096)
def _biip_date(ai: str, value: str) -> date | None:
    return GS1ElementString.parse(ai + value).date


def _fault(element: _Element) -> UnreadableCode:
    """What is wrong with a value that does not match its AI's pattern, at the first character where it goes wrong."""
    rule, value = element.rule, element.value
    if rule.is_date and len(value) == rule.max_length and _DIGITS.issuperset(value):
        return _not_a_date(element)
    allowed, kind = (_DIGITS, "digits") if rule.numeric else (_GS1_CHARACTERS, "letters, digits and GS1 punctuation")
    for index, char in enumerate(value):
        if index == rule.max_length:
            expected = f"at most {rule.max_length} characters, then a GS separator or the end"
            return element.fault(CodeProblem.FIELD_TOO_LONG, index, expected)
        if char not in allowed:
            return element.fault(CodeProblem.ILLEGAL_CHARACTER, index, f"{char!r} is not allowed; expected {kind}")
    prefix = rule.pattern.pattern.removesuffix("$")
    valid = re.match(prefix, value, re.ASCII)
    if valid is None or valid.end() == len(value):
        length = rule.fixed_length or f"1 to {rule.max_length}"
        expected = f"expected {length} {kind if rule.numeric else 'characters'}, found {len(value)}"
        return element.fault(CodeProblem.TRUNCATED_FIELD, len(value), expected)
    return element.fault(CodeProblem.ILLEGAL_CHARACTER, valid.end(), f"{value[valid.end()]!r} is not allowed here")


def _not_a_date(element: _Element) -> UnreadableCode:
    expected = f"{element.value} is not a date; expected YYMMDD, where day 00 means the end of the month"
    return element.fault(CodeProblem.INVALID_DATE, 0, expected)
