"""Readers: what businesses actually have (transcripts, subtitles, speech-to-text output,
e-mail) turned into ``Conversation`` objects. See docs/analysis-readers.md."""

from everytouch.analysis.readers.jsonfile import parse_json, parse_jsonl
from everytouch.analysis.readers.mail import parse_eml, parse_mbox
from everytouch.analysis.readers.paths import (
    MAX_FILE_BYTES,
    SUFFIX_FORMATS,
    ReadError,
    detect_format,
    read_file,
    read_paths,
    sniff_format,
)
from everytouch.analysis.readers.subtitles import parse_srt, parse_vtt
from everytouch.analysis.readers.text import parse_text

__all__ = [
    "MAX_FILE_BYTES",
    "SUFFIX_FORMATS",
    "ReadError",
    "detect_format",
    "parse_eml",
    "parse_json",
    "parse_jsonl",
    "parse_mbox",
    "parse_srt",
    "parse_text",
    "parse_vtt",
    "read_file",
    "read_paths",
    "sniff_format",
]
