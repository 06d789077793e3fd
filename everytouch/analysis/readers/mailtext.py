"""Cut an e-mail body down to what its sender wrote this time: no quoted history, no signature.

Works line by line with short, anchored patterns, so a huge or hostile body stays linear.
"""

from __future__ import annotations

import re

_REPLY_HEADER = re.compile(
    r"(?:On|Am|Le|El|Il|Op)\b.{0,300}?\b(?:wrote|schrieb|a écrit|escribió|ha scritto|schreef)"
    r"[^:]{0,120}:\s*$",
    re.IGNORECASE,
)
_REPLY_OPENERS = frozenset({"on ", "am ", "le ", "el ", "il ", "op "})
_ORIGINAL = re.compile(r"\s*-{2,}\s*(?:Original Message|Ursprüngliche Nachricht)\s*-{2,}", re.I)
_OUTLOOK_FROM = re.compile(r"\s*\*?(?:From|Von|De)\s?:\*?\s", re.IGNORECASE)
_OUTLOOK_SENT = re.compile(r"\s*\*?(?:Sent|Date|Gesendet|Envoyé)\s?:\*?\s", re.IGNORECASE)
_MOBILE_FOOTER = re.compile(r"\s*(?:Sent from my \w|Get Outlook for \w|Sent from Mail for)", re.I)
_SIGN_OFF = re.compile(
    r"(?:(?:best|kind|warm|warmest|many|with)\s+)?"
    r"(?:regards|wishes|thanks(?:\s+again)?|thank\s+you|cheers|sincerely|best|respectfully|"
    r"yours(?:\s+(?:sincerely|truly|faithfully))?|all\s+the\s+best|talk\s+soon|take\s+care)"
    r"[\s,.!-]*",
    re.IGNORECASE,
)
_SEPARATOR = re.compile(r"[\s_\-=*]*")
_MAX_NAME_BLOCK_LINES = 5
_MAX_NAME_BLOCK_WIDTH = 60


def strip_quotes_and_signature(body: str) -> str:
    lines = body.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    lines = lines[: _history_start(lines)]
    lines = [line for line in lines if not line.lstrip().startswith(">")]
    lines = lines[: _signature_start(lines)]
    lines = _without_sign_off(lines)
    while lines and _SEPARATOR.fullmatch(lines[-1]):
        lines.pop()
    while lines and not lines[0].strip():
        lines.pop(0)
    return "\n".join(line.rstrip() for line in lines)


def _history_start(lines: list[str]) -> int:
    """Index of the first line of quoted history (a reply header), or len(lines)."""
    for index, line in enumerate(lines):
        if _starts_history(lines, index, line):
            return index
    return len(lines)


def _starts_history(lines: list[str], index: int, line: str) -> bool:
    if _ORIGINAL.match(line):
        return True
    if line.lstrip()[:3].lower() in _REPLY_OPENERS:
        # Mail clients wrap a long "On <date>, <name> wrote:" over up to three lines.
        return any(
            _REPLY_HEADER.match(" ".join(part.strip() for part in lines[index:end])[:400])
            for end in range(index + 1, min(index + 3, len(lines)) + 1)
        )
    if _OUTLOOK_FROM.match(line):
        return any(_OUTLOOK_SENT.match(nxt) for nxt in lines[index + 1 : index + 5])
    return False


def _signature_start(lines: list[str]) -> int:
    for index, line in enumerate(lines):
        if line.rstrip() == "--" or line == "-- " or _MOBILE_FOOTER.match(line):
            return index
    return len(lines)


def _without_sign_off(lines: list[str]) -> list[str]:
    """Drop a sign-off ("Best regards,") and the short name block after it, but never the
    whole message: a reply that only says "Thanks!" keeps it."""
    for index in _tail_indexes(lines):
        line = lines[index]
        if len(line) > 40 or not _SIGN_OFF.fullmatch(line.strip()):
            continue
        rest = [tail.strip() for tail in lines[index + 1 :] if tail.strip()]
        short = all(len(tail) <= _MAX_NAME_BLOCK_WIDTH for tail in rest)
        has_content = any(before.strip() for before in lines[:index])
        if has_content and short and len(rest) <= _MAX_NAME_BLOCK_LINES:
            return lines[:index]
    return lines


def _tail_indexes(lines: list[str]) -> list[int]:
    """Indexes of the last few non-empty lines, first to last: only there can a sign-off
    be followed by a short enough name block (and looking only there keeps this linear)."""
    found: list[int] = []
    for index in range(len(lines) - 1, -1, -1):
        if lines[index].strip():
            found.append(index)
            if len(found) > _MAX_NAME_BLOCK_LINES:
                break
    return found[::-1]
