"""E-mail: .eml and mbox threads, quoted history and signatures stripped."""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

import pytest

from everytouch.analysis.conversation import ConversationError
from everytouch.analysis.readers import ReadError, parse_eml, parse_mbox, read_file, read_paths
from everytouch.analysis.readers._common import make_options
from everytouch.analysis.readers.htmltext import html_to_text
from everytouch.analysis.readers.mailtext import strip_quotes_and_signature

FIXTURES = Path(__file__).parent / "fixtures"
ACME = ("acme-heating.example",)


def test_it_reads_an_eml_reply_without_its_quoted_history_or_signature() -> None:
    (conversation,) = read_file(FIXTURES / "boiler_reply.eml", agent_domains=ACME)
    (turn,) = conversation.turns
    assert conversation.channel == "email"
    assert turn.speaker == "agent"
    assert turn.text.startswith("Hi Priya,\n\nSorry to hear the boiler has stopped.")
    assert turn.text.endswith("number we can reach you on?")
    assert "\u2013" in turn.text  # the quoted-printable en dash is decoded
    assert conversation.started_at == datetime(2024, 5, 2, 9, 31, 5, tzinfo=UTC)
    assert conversation.meta["subject"] == "Re: Boiler not working"


def test_it_converts_an_html_only_outlook_message_to_text() -> None:
    (conversation,) = read_file(FIXTURES / "outlook_html.eml")
    assert conversation.turns[0].text == (
        "Thanks for the quote.\n\n"
        "The price is fine \u2013 please go ahead and book the work for the week of 20 May."
    )
    assert conversation.turns[0].speaker == "customer"


def test_it_splits_an_mbox_into_threads_ordered_by_date() -> None:
    first, second = read_file(FIXTURES / "support_inbox.mbox", agent_domains=ACME)
    assert (first.id, second.id) == ("support_inbox#1", "support_inbox#2")
    assert [t.speaker for t in first.turns] == ["customer", "agent", "customer"]
    assert [t.start for t in first.turns] == [0.0, 1985.0, 2520.0]
    assert first.turns[0].text.endswith("Can someone come out this week?")
    assert first.turns[2].text == "Tomorrow is perfect. My number is 555-0199."
    assert first.started_at == datetime(2024, 5, 2, 8, 58, tzinfo=UTC)


def test_it_joins_a_bare_re_reply_to_its_thread_and_cuts_outlook_headers() -> None:
    second = read_file(FIXTURES / "support_inbox.mbox", agent_domains=ACME)[1]
    assert [t.speaker for t in second.turns] == ["customer", "agent"]
    assert second.turns[0].text.splitlines()[1] == "From what I read it saves 10%."
    assert second.turns[1].text.endswith("Shall I book a visit?")


def test_it_takes_the_first_sender_as_the_customer_without_agent_domains() -> None:
    first = read_file(FIXTURES / "support_inbox.mbox")[0]
    assert first.meta["participants"] == {
        "priya.shah@mailbox.example": "customer",
        "dana.whitfield@acme-heating.example": "agent",
    }


def test_it_counts_subdomains_of_an_agent_domain_as_the_agent() -> None:
    message = EmailMessage()
    message["From"] = "Sam <sam@eu.acme.example>"
    message["Date"] = "Mon, 06 May 2024 09:00:00 +0000"
    message.set_content("Your order has shipped.")
    options = make_options(agent_domains=["acme.example"])
    conversation = parse_eml(message.as_bytes(), conv_id="x", options=options)
    assert conversation.turns[0].speaker == "agent"


def test_it_reports_a_thread_without_text_and_keeps_the_others(tmp_path: Path) -> None:
    mbox = (FIXTURES / "support_inbox.mbox").read_bytes() + (
        b"\nFrom x@y.example Sat May  4 10:00:00 2024\nFrom: x@y.example\n"
        b"Subject: empty\n\n> only a quote\n"
    )
    path = tmp_path / "inbox.mbox"
    path.write_bytes(mbox)
    items = list(read_paths([path]))
    assert [type(i).__name__ for i in items] == ["Conversation", "Conversation", "ReadError"]
    assert isinstance(items[2], ReadError)
    assert items[2].reason == "thread 3: no message text found in the mbox"


def test_it_refuses_an_mbox_without_separators() -> None:
    with pytest.raises(ConversationError, match="no messages found"):
        parse_mbox(b"Subject: hi\n\nhello\n", conv_id="x")


def test_it_refuses_text_that_is_not_an_email() -> None:
    with pytest.raises(ConversationError, match="not an e-mail"):
        parse_eml(b"just words\n", conv_id="x")


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("Yes.\n\nOn Mon, 6 May 2024, Ann <a@b.c> wrote:\n> When?", "Yes."),
        ("Yes.\n\nOn Mon, 6 May 2024 at 09:58, Ann Lee <ann@b.c>\nwrote:\n\n> When?", "Yes."),
        ("Fine.\n\nAm 06.05.2024 um 10:00 schrieb Ann <a@b.c>:\n> Wann?", "Fine."),
        ("See below.\n> old line\nMy answer.", "See below.\nMy answer."),
        ("Done.\n-----Original Message-----\nFrom: Ann\nhello", "Done."),
        ("Done.\n________________________________\nFrom: Ann\nSent: Monday\nTo: Bo", "Done."),
        ("Booked.\n\nCheers,\nBo\nAcme Ltd | 555-0100", "Booked."),
        ("Booked.\n-- \nBo Jensen\nAcme", "Booked."),
        ("Booked.\n\nSent from my iPhone", "Booked."),
        ("Thanks!", "Thanks!"),
        ("Thanks for the quick reply, it helps.", "Thanks for the quick reply, it helps."),
        ("On Monday I can come in.\nBo", "On Monday I can come in.\nBo"),
    ],
)  # fmt: skip
def test_it_strips_quotes_and_signatures(body: str, expected: str) -> None:
    assert strip_quotes_and_signature(body) == expected


def test_it_keeps_a_sign_off_followed_by_a_long_paragraph() -> None:
    body = "Hi.\n\nThanks,\n" + "this line is long enough that it cannot be a name block at all."
    assert strip_quotes_and_signature(body) == body


def test_it_drops_blockquotes_and_scripts_from_html() -> None:
    html = (
        "<p>Yes&nbsp;please.</p><script>var x = 1;</script>"
        "<blockquote><p>Old <blockquote>older</blockquote> text</p></blockquote><p>Bye</p>"
        '<div class="gmail_quote">On Mon wrote: quoted</div>'
    )
    assert html_to_text(html) == "Yes please.\n\nBye"
