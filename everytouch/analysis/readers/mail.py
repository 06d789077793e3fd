"""E-mail: one ``.eml`` message, or the threads of an mbox file, each message one turn.

Who is the agent: a sender whose address is in one of ``agent_domains`` (or a subdomain);
without that option, the first sender of a thread is taken to be the customer and every other
sender the agent. ``Turn.start`` is seconds since the thread's first message when Dates allow.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.errors import HeaderParseError
from email.header import decode_header, make_header
from email.message import Message
from email.parser import BytesParser
from email.utils import getaddresses, parsedate_to_datetime

from everytouch.analysis.conversation import Conversation, ConversationError, Speaker, Turn
from everytouch.analysis.readers._common import ReadOptions
from everytouch.analysis.readers.htmltext import html_to_text
from everytouch.analysis.readers.mailtext import strip_quotes_and_signature

_REPLY_PREFIX = re.compile(
    r"\A\s*(?:(?:re|aw|sv|fw|fwd|wg|tr|rif)\s?(?:\[\d{1,4}\])?\s?:\s*)+", re.I
)
_MESSAGE_ID = re.compile(r"<[^<>\s]{1,500}>")
_MBOX_FROM = b"From "
_BARE_ADDRESS = re.compile(r"[^\s<>()\[\]\",;:@]{1,64}@[A-Za-z0-9.-]{1,253}")
_MAX_HEADER_CHARS = 20_000
_FOLD = re.compile(r"\r?\n[ \t]+")


@dataclass(frozen=True, slots=True)
class Mail:
    sender: str  # lower-cased address, or "" when missing
    sent_at: datetime | None
    subject: str
    text: str
    message_id: str | None
    references: tuple[str, ...]


def parse_eml(data: bytes, *, conv_id: str, options: ReadOptions | None = None) -> Conversation:
    return thread_to_conversation([read_mail(data)], conv_id, options or ReadOptions(), "eml")


def iter_mbox(
    data: bytes, conv_id: str, options: ReadOptions
) -> Iterator[Conversation | ConversationError]:
    """One conversation per thread, in the order each thread first appears in the file; an
    unreadable message or thread is reported and the rest are still read."""
    raw_messages = split_mbox(data)
    if not raw_messages:
        raise ConversationError("no messages found in the mbox (no 'From ' separator lines)")
    mails: list[Mail] = []
    for number, raw in enumerate(raw_messages, start=1):
        try:
            mails.append(read_mail(raw))
        except ConversationError as exc:
            yield ConversationError(f"message {number}: {exc}")
    threads = group_threads(mails)
    for index, thread in enumerate(threads, start=1):
        thread_id = conv_id if len(threads) == 1 else f"{conv_id}#{index}"
        try:
            yield thread_to_conversation(thread, thread_id, options, "mbox")
        except ConversationError as exc:
            yield ConversationError(f"thread {index}: {exc}")


def parse_mbox(
    data: bytes, *, conv_id: str, options: ReadOptions | None = None
) -> list[Conversation]:
    out: list[Conversation] = []
    for entry in iter_mbox(data, conv_id, options or ReadOptions()):
        if isinstance(entry, ConversationError):
            raise entry
        out.append(entry)
    return out


def split_mbox(data: bytes) -> list[bytes]:
    """Messages of an mbox: each starts at a 'From ' line at the top or after a blank line."""
    messages: list[list[bytes]] = []
    previous_blank = True
    for line in data.splitlines(keepends=True):
        if line.startswith(_MBOX_FROM) and previous_blank:
            messages.append([])
        elif messages:
            # mboxrd escapes body lines that start with "From " as ">From "
            unescaped = line[1:] if re.match(rb">+From ", line) else line
            messages[-1].append(unescaped)
        previous_blank = not line.strip()
    return [b"".join(lines) for lines in messages if b"".join(lines).strip()]


def read_mail(data: bytes) -> Mail:
    """One message; the stdlib parser's own errors become a ConversationError with a reason."""
    try:
        # compat32: the default policy's header parser is superlinear on long hostile
        # Content-Type values (measured 21 s on 200 KB); this one stays fast.
        message = BytesParser(policy=policy.compat32).parsebytes(data)
        return _to_mail(message)
    except ConversationError:
        raise
    # The email package raises assorted exceptions on hostile headers and MIME structure
    # (IndexError, AttributeError, LookupError, ...); any of them means "not readable mail".
    except Exception as exc:
        raise ConversationError(f"malformed e-mail ({type(exc).__name__}: {exc})") from exc


def _to_mail(message: Message) -> Mail:
    headers = _raw_headers(message)
    if not headers.keys() & {"from", "date", "subject", "message-id"}:
        raise ConversationError("not an e-mail: no From, Date, Subject or Message-ID header")
    return Mail(
        sender=_sender(headers.get("from", "")),
        sent_at=_date(headers.get("date", "")),
        subject=_subject(headers.get("subject", "")),
        text=strip_quotes_and_signature(_body(message)),
        message_id=next(iter(_MESSAGE_ID.findall(headers.get("message-id", ""))), None),
        references=tuple(
            _MESSAGE_ID.findall(f"{headers.get('references', '')} {headers.get('in-reply-to', '')}")
        ),
    )


def _raw_headers(message: Message) -> dict[str, str]:
    """The first value of each header, unparsed and cut to a sane length: the stdlib's header
    parser is slow on huge hostile values, and only a few short headers matter here."""
    headers: dict[str, str] = {}
    for name, value in message.raw_items():
        headers.setdefault(name.lower(), str(value)[:_MAX_HEADER_CHARS])
    return headers


def _sender(raw: str) -> str:
    try:
        addresses = getaddresses([raw[:2000]])
    except RecursionError:
        # deeply nested "(comments)" defeat the stdlib; the bare address is still findable
        found = _BARE_ADDRESS.search(raw[:2000])
        return found.group(0).lower() if found else ""
    return next((addr.strip().lower() for _, addr in addresses if addr.strip()), "")


def _subject(raw: str) -> str:
    unfolded = _FOLD.sub(" ", raw[:2000])
    try:
        return str(make_header(decode_header(unfolded))).strip()
    except (HeaderParseError, UnicodeError, LookupError, ValueError):
        return unfolded.strip()


def _date(raw: str) -> datetime | None:
    if not raw.strip():
        return None
    try:
        parsed = parsedate_to_datetime(raw[:300])
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    # "-0000" means the zone is unknown; UTC keeps every date comparable.
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _body(message: Message) -> str:
    """The first plain-text part that is not an attachment, else the first HTML one."""
    html: Message | None = None
    for part in message.walk():
        if part.is_multipart() or _is_attachment(part):
            continue
        content_type = part.get_content_type()
        if content_type == "text/plain":
            return _part_text(part)
        if content_type == "text/html" and html is None:
            html = part
    return html_to_text(_part_text(html)) if html is not None else ""


def _is_attachment(part: Message) -> bool:
    return str(part.get("Content-Disposition", "")).strip().lower().startswith("attachment")


def _part_text(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    charset = part.get_content_charset() or "utf-8"
    try:
        return payload.decode(charset, errors="replace")
    except LookupError:
        # An unknown charset name; the bytes are most likely UTF-8 or close to it.
        return payload.decode("utf-8", errors="replace")


def group_threads(mails: Sequence[Mail]) -> list[list[Mail]]:
    """Threads by Message-ID / References / In-Reply-To; a reply without those headers
    ("Re: subject") joins the thread with the same subject."""
    parent = list(range(len(mails)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(i: int, j: int) -> None:
        parent[find(j)] = find(i)

    by_id: dict[str, int] = {}
    by_subject: dict[str, int] = {}
    for index, mail in enumerate(mails):
        for ref in (mail.message_id, *mail.references):
            if ref is None:
                continue
            if ref in by_id:
                union(by_id[ref], index)
            else:
                by_id[ref] = index
        subject = normalise_subject(mail.subject)
        is_bare_reply = not mail.references and subject != mail.subject.strip().casefold()
        if is_bare_reply and subject in by_subject:
            union(by_subject[subject], index)
        by_subject.setdefault(subject, index)
    groups: dict[int, list[Mail]] = {}
    for index, mail in enumerate(mails):
        groups.setdefault(find(index), []).append(mail)
    return list(groups.values())


def normalise_subject(subject: str) -> str:
    return _REPLY_PREFIX.sub("", subject, count=1).strip().casefold()


def thread_to_conversation(
    mails: Sequence[Mail], conv_id: str, options: ReadOptions, fmt: str
) -> Conversation:
    ordered = _chronological(mails)
    roles = _roles(ordered, options.agent_domains)
    first_date = next((m.sent_at for m in ordered if m.sent_at is not None), None)
    turns = tuple(
        Turn(roles[mail.sender], mail.text, _offset(mail.sent_at, first_date))
        for mail in ordered
        if mail.text.strip()
    )
    if not turns:
        raise ConversationError(f"no message text found in the {fmt}")
    meta = {"format": fmt, "subject": ordered[0].subject, "participants": roles}
    return Conversation(conv_id, turns, "email", first_date, meta=meta)


def _chronological(mails: Sequence[Mail]) -> list[Mail]:
    """By Date when every message has one; else file order, which mbox exports keep."""
    if all(mail.sent_at is not None for mail in mails):
        return sorted(mails, key=lambda mail: mail.sent_at or datetime.min.replace(tzinfo=UTC))
    return list(mails)


def _roles(mails: Sequence[Mail], agent_domains: Sequence[str]) -> dict[str, Speaker]:
    senders = list(dict.fromkeys(mail.sender for mail in mails))
    if agent_domains:
        return {s: "agent" if _in_domains(s, agent_domains) else "customer" for s in senders}
    return {s: "customer" if i == 0 else "agent" for i, s in enumerate(senders)}


def _in_domains(address: str, domains: Sequence[str]) -> bool:
    domain = address.rpartition("@")[2]
    return any(domain == d or domain.endswith(f".{d}") for d in domains)


def _offset(sent_at: datetime | None, first: datetime | None) -> float | None:
    if sent_at is None or first is None:
        return None
    return (sent_at - first).total_seconds()
