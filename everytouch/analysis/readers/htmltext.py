"""HTML e-mail bodies to plain text with the standard library's parser.

Quoted history (``<blockquote>``, Gmail's ``gmail_quote``, Outlook's reply header div) is
dropped here, where the markup still says what it is.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

_BLOCK_TAGS = frozenset(
    {"address", "div", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "li", "p", "pre", "table", "tr"}
)
_HIDDEN_TAGS = frozenset({"head", "script", "style", "title", "template"})
_QUOTE_CLASSES = frozenset({"gmail_quote", "yahoo_quoted", "moz-cite-prefix"})
_QUOTE_IDS = frozenset({"divrplyfwdmsg", "appendonsend"})
_BLANK_RUNS = re.compile(r"\n{3,}")
_INLINE_SPACE = re.compile(r"[ \t\r\f\v\u00a0]+")


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip_tag: str | None = None
        self._skip_depth = 0
        self._quoted_rest = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._skip_tag is not None:
            self._skip_depth += tag == self._skip_tag
            return
        if _starts_quote(tag, dict(attrs)) or tag in _HIDDEN_TAGS:
            self._skip_tag, self._skip_depth = tag, 1
            # Outlook puts the whole quoted history after this marker, not inside it.
            self._quoted_rest = self._quoted_rest or (dict(attrs).get("id") or "").lower() in (
                _QUOTE_IDS
            )
            return
        if tag == "br" or tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if self._skip_tag is not None:
            self._skip_depth -= tag == self._skip_tag
            if self._skip_depth <= 0:
                self._skip_tag = None
            return
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self._skip_tag is None and not self._quoted_rest:
            self.parts.append(_INLINE_SPACE.sub(" ", data.replace("\n", " ")))


def _starts_quote(tag: str, attrs: dict[str, str | None]) -> bool:
    if tag == "blockquote":
        return True
    classes = set((attrs.get("class") or "").lower().split())
    return bool(classes & _QUOTE_CLASSES) or (attrs.get("id") or "").lower() in _QUOTE_IDS


def html_to_text(html: str) -> str:
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    lines = (line.strip() for line in "".join(parser.parts).split("\n"))
    return _BLANK_RUNS.sub("\n\n", "\n".join(lines)).strip()
