"""Pieces every reader shares: options, speaker-name resolution, decoding, turn assembly."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import cast

from everytouch.analysis.conversation import SPEAKERS, ConversationError, Speaker, Turn

# Role words seen as speaker prefixes in real exports. Matched on the label's first word, so
# "Agent 2" and "Caller (mobile)" resolve too.
AGENT_WORDS = frozenset(
    {
        "advisor",
        "adviser",
        "agent",
        "assistant",
        "associate",
        "clerk",
        "consultant",
        "csr",
        "employee",
        "operator",
        "receptionist",
        "rep",
        "representative",
        "salesperson",
        "staff",
        "support",
        "technician",
    }
)
CUSTOMER_WORDS = frozenset(
    {
        "buyer",
        "caller",
        "client",
        "customer",
        "guest",
        "member",
        "patient",
        "prospect",
        "shopper",
        "user",
        "visitor",
    }
)
# "Customer Service: ..." is the business speaking, not the customer.
_AGENT_PHRASES = frozenset({"customer service", "customer support", "customer care"})

_SPACES = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class ReadOptions:
    """What the caller knows about who is who; validated once, shared by every reader."""

    speaker_map: Mapping[str, Speaker] = field(default_factory=dict)
    agent_domains: tuple[str, ...] = ()


def make_options(
    speaker_map: Mapping[str, str] | None = None, agent_domains: Sequence[str] = ()
) -> ReadOptions:
    """Normalise user-supplied options; a wrong role name is the caller's bug, so it raises."""
    normalised: dict[str, Speaker] = {}
    for name, role in (speaker_map or {}).items():
        value = str(role).strip().lower()
        if value not in SPEAKERS:
            raise ValueError(f"speaker_map[{name!r}] must be 'agent' or 'customer', got {role!r}")
        normalised[normalise_label(name)] = cast(Speaker, value)
    if isinstance(agent_domains, str):
        agent_domains = (agent_domains,)
    domains = tuple(d.strip().lower().lstrip("@").rstrip(".") for d in agent_domains if d.strip())
    return ReadOptions(normalised, domains)


def normalise_label(label: str) -> str:
    return _SPACES.sub(" ", label).strip().casefold()


def known_role(label: str, speaker_map: Mapping[str, Speaker]) -> Speaker | None:
    """The role a label names by itself (map first, then role words), or None if it is a name."""
    key = normalise_label(label)
    if key in speaker_map:
        return speaker_map[key]
    if key in _AGENT_PHRASES:
        return "agent"
    first = key.split(" ", 1)[0].strip("()[]")
    if first in AGENT_WORDS:
        return "agent"
    if first in CUSTOMER_WORDS:
        return "customer"
    return None


def assign_roles(labels: Iterable[str], speaker_map: Mapping[str, Speaker]) -> dict[str, Speaker]:
    """Give every distinct label a role.

    Labels the map or a role word decides keep that role. Of the rest, in order of first
    appearance, the first is taken to be the agent (the business usually answers first) unless
    a label already names the agent; every other unknown label is taken to be a customer.
    """
    distinct = list(dict.fromkeys(labels))
    roles: dict[str, Speaker] = {}
    for label in distinct:
        role = known_role(label, speaker_map)
        if role is not None:
            roles[label] = role
    next_role: Speaker = "customer" if "agent" in roles.values() else "agent"
    for label in distinct:
        if label not in roles:
            roles[label] = next_role
            next_role = "customer"
    return roles


def merge_runs(pieces: Iterable[tuple[Speaker, str, float | None]]) -> tuple[Turn, ...]:
    """One turn per run of one speaker: cue and segment boundaries are timing artefacts."""
    runs: list[tuple[Speaker, list[str], float | None]] = []
    for speaker, text, start in pieces:
        text = text.strip()
        if not text:
            continue
        if runs and runs[-1][0] == speaker:
            runs[-1][1].append(text)
        else:
            runs.append((speaker, [text], start))
    return tuple(Turn(speaker, " ".join(texts), start) for speaker, texts, start in runs)


_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1a\x1c-\x1f]")


def decode_text(data: bytes) -> str:
    """Bytes to text: UTF-8 (BOM or not), UTF-16 with a BOM, else Windows-1252 as old
    Windows and Outlook exports are; refuses what looks binary rather than guessing."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise ConversationError("not valid UTF-16 despite its byte-order mark") from exc
    elif b"\x00" in data:
        raise ConversationError("looks like a binary file (it contains NUL bytes)")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("cp1252", errors="replace")
    if len(_CONTROL.findall(text[:4096])) > 8:
        raise ConversationError("looks like a binary file (it contains control characters)")
    return text


_CLOCK = re.compile(r"^(?:(\d{1,3}):)?(\d{1,2}):(\d{1,2})(?:[.,](\d{1,3}))?$")


def clock_seconds(value: str) -> float | None:
    """'01:02:03.500', '2:03', '00:00:01,000' to seconds; None if it is not a clock time."""
    match = _CLOCK.match(value.strip())
    if match is None:
        return None
    hours, minutes, seconds, fraction = match.groups()
    total = int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds)
    return total + (int(fraction.ljust(3, "0")) / 1000 if fraction else 0.0)
