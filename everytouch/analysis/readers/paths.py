"""Files and folders to conversations: choose the reader, never let one bad file stop the rest."""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from everytouch.analysis.conversation import Conversation, ConversationError
from everytouch.analysis.readers import jsonfile, mail, subtitles
from everytouch.analysis.readers._common import ReadOptions, decode_text, make_options
from everytouch.analysis.readers.text import parse_text

# Bigger than any real transcript or thread; stops a stray disk image from filling memory.
MAX_FILE_BYTES = 64 * 1024 * 1024

SUFFIX_FORMATS: Mapping[str, str] = {
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".txt": "text",
    ".text": "text",
    ".vtt": "vtt",
    ".srt": "srt",
    ".eml": "eml",
    ".mbox": "mbox",
    ".mbx": "mbox",
}
# Suffixes whose content is sniffed because exporters put anything in them.
_SNIFFED_SUFFIXES = frozenset({".txt", ".text"})

Entry = Conversation | ConversationError


@dataclass(frozen=True, slots=True)
class ReadError:
    """A file (or one record in it) that could not be read, and why."""

    path: str
    reason: str


def read_paths(
    paths: Sequence[str | os.PathLike[str]],
    *,
    speaker_map: Mapping[str, str] | None = None,
    agent_domains: Sequence[str] = (),
    recursive: bool = True,
) -> Iterator[Conversation | ReadError]:
    """Every conversation in the given files and folders, in a deterministic order.

    Folders are walked in sorted order (into subfolders when ``recursive``), taking only files
    with a known suffix and skipping hidden ones; files named directly are always tried. A file
    that cannot be read yields a ``ReadError`` instead of raising.
    """
    options = make_options(speaker_map, agent_domains)
    for item in _expand(paths, recursive):
        if isinstance(item, ReadError):
            yield item
        else:
            yield from _read_entries(item, options)


def read_file(
    path: str | os.PathLike[str],
    *,
    speaker_map: Mapping[str, str] | None = None,
    agent_domains: Sequence[str] = (),
) -> list[Conversation]:
    """All conversations in one file; raises ConversationError naming the file and the reason."""
    options = make_options(speaker_map, agent_domains)
    conversations: list[Conversation] = []
    for entry in _file_entries(Path(path), options):
        if isinstance(entry, ConversationError):
            raise ConversationError(f"{path}: {entry}")
        conversations.append(entry)
    return conversations


def _read_entries(path: Path, options: ReadOptions) -> Iterator[Conversation | ReadError]:
    for entry in _file_entries(path, options):
        if isinstance(entry, ConversationError):
            yield ReadError(str(path), str(entry))
        else:
            yield entry


def _file_entries(path: Path, options: ReadOptions) -> Iterator[Entry]:
    """The file's conversations and per-record errors; a whole-file failure is one error."""
    try:
        data = _read_bytes(path)
        entries = list(_parse_bytes(data, path, options))
    except ConversationError as exc:
        entries = [exc]
    except OSError as exc:
        entries = [ConversationError(f"cannot read: {exc.strerror or exc}")]
    except Exception as exc:
        # A reader bug or a limit of Python itself (RecursionError, MemoryError, OverflowError)
        # must cost this one file, never the rest of the run.
        entries = [ConversationError(f"cannot parse: {type(exc).__name__}: {exc}")]
    for entry in entries:
        yield entry if isinstance(entry, ConversationError) else _with_source(entry, path)


def _with_source(conversation: Conversation, path: Path) -> Conversation:
    return dataclasses.replace(conversation, meta={**conversation.meta, "source": str(path)})


def _read_bytes(path: Path) -> bytes:
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise ConversationError(f"file too large ({size} bytes; the limit is {MAX_FILE_BYTES})")
    data = path.read_bytes()
    if not data.strip():
        raise ConversationError("empty file")
    return data


def _parse_bytes(data: bytes, path: Path, options: ReadOptions) -> Iterator[Entry]:
    fmt = detect_format(path, data)
    reader = _READERS.get(fmt)
    if reader is None:
        raise ConversationError(f"unsupported format {fmt!r}")
    return reader(data, path.stem or path.name, options)


def detect_format(path: Path, data: bytes) -> str:
    """The suffix decides, except for generic suffixes, whose content is sniffed."""
    suffix = path.suffix.lower()
    if suffix in SUFFIX_FORMATS and suffix not in _SNIFFED_SUFFIXES:
        return SUFFIX_FORMATS[suffix]
    return sniff_format(data)


_SRT_START = re.compile(rb"\A\s{0,64}\d{1,9}[ \t]*\r?\n[ \t]*[\d:.,]{7,16}[ \t]*-->")
_HEADER_LINE = re.compile(rb"[A-Za-z][A-Za-z0-9-]{0,76}:")
_MAIL_HEADERS = (b"from:", b"subject:", b"message-id:", b"received:", b"date:", b"to:")


def sniff_format(data: bytes) -> str:
    head = data[:8192].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"WEBVTT"):
        return "vtt"
    if _SRT_START.match(head):
        return "srt"
    if head[:1] in (b"{", b"["):
        return "jsonl" if _looks_like_jsonl(head) else "json"
    if head.startswith(b"From "):
        return "mbox"
    if _looks_like_mail(head):
        return "eml"
    return "text"


def _looks_like_jsonl(head: bytes) -> bool:
    lines = [line.strip() for line in head.splitlines() if line.strip()]
    return (
        len(lines) > 1
        and all(line.startswith(b"{") for line in lines[:2])
        and (lines[0].endswith(b"}"))
    )


def _looks_like_mail(head: bytes) -> bool:
    """A block of 'Name: value' header lines, naming at least From and one other mail header."""
    block = re.split(rb"\r?\n\r?\n", head, maxsplit=1)[0].splitlines()
    starts = [line for line in block if line[:1] not in (b" ", b"\t")]
    if not starts or not all(_HEADER_LINE.match(line) for line in starts):
        return False
    names = {line.split(b":", 1)[0].lower() + b":" for line in starts}
    return b"from:" in names and len(names & set(_MAIL_HEADERS)) >= 2


def _read_json(data: bytes, stem: str, options: ReadOptions) -> Iterator[Entry]:
    return jsonfile.iter_json(decode_text(data), stem, options)


def _read_jsonl(data: bytes, stem: str, options: ReadOptions) -> Iterator[Entry]:
    return jsonfile.iter_jsonl(decode_text(data), stem)


def _read_text(data: bytes, stem: str, options: ReadOptions) -> Iterator[Entry]:
    yield parse_text(decode_text(data), conv_id=stem, options=options)


def _read_vtt(data: bytes, stem: str, options: ReadOptions) -> Iterator[Entry]:
    yield subtitles.parse_vtt(decode_text(data), conv_id=stem, options=options)


def _read_srt(data: bytes, stem: str, options: ReadOptions) -> Iterator[Entry]:
    yield subtitles.parse_srt(decode_text(data), conv_id=stem, options=options)


def _read_eml(data: bytes, stem: str, options: ReadOptions) -> Iterator[Entry]:
    yield mail.parse_eml(data, conv_id=stem, options=options)


def _read_mbox(data: bytes, stem: str, options: ReadOptions) -> Iterator[Entry]:
    return mail.iter_mbox(data, stem, options)


_READERS: Mapping[str, Callable[[bytes, str, ReadOptions], Iterator[Entry]]] = {
    "json": _read_json,
    "jsonl": _read_jsonl,
    "text": _read_text,
    "vtt": _read_vtt,
    "srt": _read_srt,
    "eml": _read_eml,
    "mbox": _read_mbox,
}


def _expand(paths: Sequence[str | os.PathLike[str]], recursive: bool) -> Iterator[Path | ReadError]:
    if isinstance(paths, str | os.PathLike):
        paths = [paths]
    for raw in paths:
        path = Path(raw)
        try:
            yield from _expand_one(path, recursive)
        except OSError as exc:  # a name too long for the file system, a path we may not read
            yield ReadError(str(path)[:200], f"cannot read: {exc.strerror or exc}")


def _expand_one(path: Path, recursive: bool) -> Iterator[Path | ReadError]:
    if path.is_dir():
        yield from _walk(path, recursive)
    elif path.is_file():
        yield path
    elif path.exists():
        yield ReadError(str(path), "not a regular file")
    else:
        yield ReadError(str(path), "no such file or directory")


def _walk(folder: Path, recursive: bool) -> Iterator[Path | ReadError]:
    try:
        children = sorted(folder.iterdir(), key=lambda p: p.name)
    except OSError as exc:
        yield ReadError(str(folder), f"cannot list folder: {exc.strerror or exc}")
        return
    for child in children:
        if child.name.startswith("."):
            continue
        if child.is_dir():
            if recursive:
                yield from _walk(child, recursive)
        elif child.is_file() and child.suffix.lower() in SUFFIX_FORMATS:
            yield child
