"""Required content of templates, checked without a database."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from solvent.contact.domain.model import Channel
from solvent.contact.domain.templates import (
    KNOWN_VARIABLES,
    TemplateDraft,
    TemplateProblemError,
    render,
    template_problems,
)

GOOD_EMAIL = TemplateDraft(
    channel=Channel.EMAIL,
    language="en",
    subject="Your {{ creditor_name }} account",
    body="Hello {{ debtor_first_name }}.\n{{ debt_collector_disclosure }}\n"
    "Stop e-mails: {{ unsubscribe_url }}",
)


def test_a_complete_email_has_no_problems() -> None:
    assert template_problems(GOOD_EMAIL) == []


def test_an_unknown_variable_is_caught_at_activation() -> None:
    draft = TemplateDraft(**{**GOOD_EMAIL.__dict__, "body": GOOD_EMAIL.body + " {{ balanse }}"})
    assert template_problems(draft) == ["unknown variable(s): balanse"]


def test_an_email_without_opt_out_cannot_be_activated() -> None:
    draft = TemplateDraft(**{**GOOD_EMAIL.__dict__, "body": "{{ debt_collector_disclosure }}"})
    [problem] = template_problems(draft)
    assert "1006.6(e)" in problem


def test_a_message_without_the_debt_collector_disclosure_cannot_be_activated() -> None:
    draft = TemplateDraft(
        channel=Channel.SMS,
        language="en",
        subject="",
        body="Please call us. Reply STOP to opt out.",
    )
    [problem] = template_problems(draft)
    assert "1006.18(e)" in problem


def test_a_spanish_text_needs_spanish_disclosure_and_opt_out() -> None:
    good = TemplateDraft(
        channel=Channel.SMS,
        language="es",
        subject="",
        body="{{ debt_collector_disclosure }} Responda STOP para no recibir mensajes.",
    )
    bad = TemplateDraft(channel=Channel.SMS, language="es", subject="", body="Hola. Reply STOP.")
    assert template_problems(good) == []
    assert len(template_problems(bad)) == 2


def test_a_limited_content_voicemail_must_not_mention_the_debt() -> None:
    good = TemplateDraft(
        channel=Channel.VOICEMAIL,
        language="en",
        subject="",
        limited_content=True,
        body="Hi, this is {{ agent_name }} from {{ agency_name }}. Please call {{ callback_number }}.",
    )
    bad = TemplateDraft(**{**good.__dict__, "body": good.body + " It is about your debt."})
    assert template_problems(good) == []
    assert any("1006.2(j)" in problem for problem in template_problems(bad))


def test_render_refuses_a_missing_value() -> None:
    with pytest.raises(TemplateProblemError):
        render("Hi {{ debtor_first_name }}", {})


@given(st.dictionaries(st.sampled_from(sorted(KNOWN_VARIABLES)), st.text(max_size=20), min_size=1))
def test_render_fills_every_placeholder(values: dict[str, str]) -> None:
    text = " ".join(f"{{{{ {name} }}}}" for name in values)
    assert render(text, values) == " ".join(values.values())
