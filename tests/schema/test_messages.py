from __future__ import annotations

import pytest

from domain.shared.errors import ErrorCode, InvalidIin
from schema import messages
from schema.messages import CATALOGUES, Locale

REQUEST_CODES = [
    "INVALID_TOKEN",
    "DEPTH_LIMIT_EXCEEDED",
    "ALIAS_LIMIT_EXCEEDED",
    "TOKEN_LIMIT_EXCEEDED",
    "COST_LIMIT_EXCEEDED",
    "REQUEST_TOO_LARGE",
    "BAD_REQUEST",
    "TIMEOUT",
    "INTERNAL_SERVER_ERROR",
]


@pytest.mark.parametrize("locale", list(Locale))
def test_every_code_has_a_message_in_every_language(locale: Locale):
    missing = [code for code in [*ErrorCode, *REQUEST_CODES] if code not in CATALOGUES[locale]]

    assert missing == []


def test_a_domain_error_is_rendered_in_the_callers_language():
    error = InvalidIin("123456789012", "check digit does not match")

    kazakh, russian, english = (messages.render_error(error, locale) for locale in (Locale.KK, Locale.RU, Locale.EN))

    assert "ЖСН" in kazakh
    assert "ИИН" in russian
    assert english == "The IIN 123456789012 is not valid: check digit does not match."


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, Locale.KK),
        ("", Locale.KK),
        ("ru-RU,ru;q=0.9,en;q=0.8", Locale.RU),
        ("en;q=0.5, ru;q=0.6", Locale.RU),
        ("de-DE, en;q=0.1", Locale.EN),
        ("de, fr", Locale.KK),
        ("kk-KZ", Locale.KK),
        ("ru;q=0, en", Locale.EN),
        ("en;q=abc, ru;q=0.1", Locale.RU),
    ],
)
def test_accept_language_picks_our_best_locale(header: str | None, expected: Locale):
    assert messages.negotiate(header) is expected


def test_an_unknown_detail_in_a_template_is_left_visible_rather_than_failing():
    assert "{limit}" in messages.render("DEPTH_LIMIT_EXCEEDED", Locale.EN, depth=3)


@pytest.mark.parametrize("locale", list(Locale))
def test_every_verdict_has_words_in_every_language(locale: Locale):
    from domain.medicines.verification import Verdict

    missing = [verdict for verdict in Verdict if f"VERDICT_{verdict.value}" not in CATALOGUES[locale]]

    assert missing == []


def test_a_short_reason_code_is_said_in_words_of_the_language_and_a_sentence_is_left_alone():
    russian = messages.render("INVALID_TOKEN", Locale.RU, reason="expired")
    english = messages.render("INVALID_TOKEN", Locale.EN, reason="expired")

    assert russian == "Токен доступа отклонён (срок его действия истёк). Войдите заново."
    assert english == "The access token was refused: it has expired. Sign in again."
    assert "send application/json" in messages.render("BAD_REQUEST", Locale.EN, reason="send application/json")


@pytest.mark.parametrize("locale", list(Locale))
@pytest.mark.parametrize(
    "kind", ["alert", "batch", "shipment", "application", "offer", "kindergarten"]
)  # every kind the domain's NotFound names
def test_what_was_not_found_is_said_in_words_of_the_language(locale, kind):
    message = messages.render("NOT_FOUND", locale, kind=kind)

    assert message != f"{kind}."  # the code's own word would be quoted bare
    assert len(message) > 10


@pytest.mark.parametrize("locale", list(Locale))
def test_every_kindergarten_application_status_has_words_in_every_language(locale: Locale):
    from domain.kindergarten.models import ApplicationStatus

    missing = [status for status in ApplicationStatus if f"STATE_{status.value}" not in CATALOGUES[locale]]

    assert missing == []
