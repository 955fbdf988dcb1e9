"""Reading documents: one text (file or stdin) or a JSONL file of documents.

A batch never dies on one bad line: every problem becomes a ``BadInput`` record that the caller
reports, and the remaining documents are processed.

Reading is bounded: a JSONL line or a text file larger than ``MAX_INPUT_BYTES`` is refused
without being held in memory (an oversized line is read through in 1 MiB pieces, counted and
skipped), so a 2 GB line costs no more memory than a 16 MiB one.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from .errors import InputError
from .model import Document

#: Largest JSONL line (without its newline) and largest text file read, in bytes. A document at
#: the extraction limit (``marsad.extract.MAX_CHARS``, 2,000,000 characters) fits even when
#: written with ``\uXXXX`` escapes (6 bytes a character); anything larger could never be analysed.
MAX_INPUT_BYTES = 16 * 1024 * 1024
_CHUNK = 1024 * 1024


@dataclass
class BadInput:
    where: str  # "file.jsonl:12"
    message: str


def read_text_file(path: str | Path, max_bytes: int | None = None) -> str:
    """Read one text file (``-``: stdin) as UTF-8, refusing binary content and files over
    ``max_bytes`` (default ``MAX_INPUT_BYTES``) with a clear error; never reads more than that."""
    limit = MAX_INPUT_BYTES if max_bytes is None else max_bytes
    where = str(path)
    if where == "-":
        data = _stdin_bytes(limit + 1)
    else:
        with open(path, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size  # 0 for pipes and devices: the bounded read decides
            if size > limit:
                raise InputError(f"{where}: file is {size:,} bytes; the limit is {limit:,} bytes")
            data = fh.read(limit + 1)
    if len(data) > limit:
        raise InputError(f"{where}: input is larger than the limit of {limit:,} bytes")
    return decode_text(data, where)


def _stdin_bytes(limit: int = -1) -> bytes:
    return sys.stdin.buffer.read(limit)


def decode_text(data: bytes, where: str) -> str:
    if not data.strip():
        raise InputError(f"{where}: input is empty")
    if b"\x00" in data[:65536]:
        raise InputError(f"{where}: input is binary, not UTF-8 text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{where}: input is not valid UTF-8 text ({exc.reason} at byte {exc.start})") from None


def document_from_record(record: object, where: str, published: str | None = None,
                         source: str | None = None) -> Document:
    """A Document from one JSON record (raises InputError naming ``where``)."""
    if not isinstance(record, dict):
        raise InputError(f"{where}: a document must be a JSON object, got {type(record).__name__}")
    text = record.get("text")
    if not isinstance(text, str):
        raise InputError(f"{where}: missing or non-string \"text\" field")
    return Document(
        text=text,
        url=_str(record.get("url")),
        title=_str(record.get("title")),
        source=_str(record.get("source")) or source,
        published=_str(record.get("published")) or published,
        id=_str(record.get("id") or record.get("doc_id")),
        origin=where,
    )


def _str(value: object) -> str | None:
    return None if value is None else str(value)


def iter_jsonl(path: str | Path, published: str | None = None, source: str | None = None,
               max_line_bytes: int | None = None) -> Iterator[Document | BadInput]:
    """Documents of a JSONL file (``-``: stdin); bad lines come out as BadInput and do not stop
    the batch. A line over ``max_line_bytes`` (default ``MAX_INPUT_BYTES``) is skipped unread."""
    limit = MAX_INPUT_BYTES if max_line_bytes is None else max_line_bytes
    try:
        opener = open(path, "rb") if str(path) != "-" else None  # noqa: SIM115
    except OSError as exc:  # a folder, no permission, ...
        yield BadInput(str(path), f"cannot read ({exc.strerror or exc})")
        return
    fh = opener or sys.stdin.buffer
    try:
        for line_no, raw, size in _bounded_lines(fh, limit):
            where = f"{path}:{line_no}"
            if raw is None:
                yield BadInput(where, f"line is {size:,} bytes; the limit is {limit:,} bytes")
                continue
            if not raw.strip():
                continue
            if b"\x00" in raw:
                yield BadInput(where, "line is binary (NUL bytes), not UTF-8 JSON text")
                continue
            try:
                line = raw.decode("utf-8-sig")  # a byte-order mark before the first record is harmless
                record = json.loads(line)
                yield document_from_record(record, where, published, source)
            except UnicodeDecodeError as exc:
                yield BadInput(where, f"line is not valid UTF-8 ({exc.reason} at byte {exc.start})")
            except json.JSONDecodeError as exc:
                yield BadInput(where, f"invalid JSON ({exc.msg} at column {exc.colno})")
            except InputError as exc:
                yield BadInput(where, str(exc).split(": ", 1)[-1])
            except RecursionError:
                yield BadInput(where, "JSON nested too deeply")
            except ValueError as exc:  # e.g. an integer of more than 4,300 digits
                yield BadInput(where, f"invalid JSON ({str(exc).split(': ', 1)[0]})")
    finally:
        if opener:
            opener.close()


def _bounded_lines(fh: BinaryIO, limit: int) -> Iterator[tuple[int, bytes | None, int]]:
    """(line number, line, size) for every line of ``fh``, holding at most ``limit + 1`` bytes of
    a line in memory; an oversized line comes as (number, None, its size without the newline)."""
    line_no = 0
    while True:
        raw = fh.readline(limit + 1)
        if not raw:
            return
        line_no += 1
        if len(raw) <= limit or raw.endswith(b"\n"):
            yield line_no, raw, len(raw)
            continue
        size = len(raw)
        del raw
        while True:  # read through the rest of the line without keeping it
            chunk = fh.readline(_CHUNK)
            if not chunk:
                break
            if chunk.endswith(b"\n"):
                size += len(chunk) - 1
                break
            size += len(chunk)
        yield line_no, None, size


def count_lines(path: str | Path) -> int | None:
    """Number of non-blank lines of a file for a progress bar, reading it in bounded pieces (a
    line is blank only when it is empty or whitespace up to 1 MiB); None for stdin or a file that
    cannot be read (``iter_jsonl`` reports why)."""
    if str(path) == "-":
        return None
    n = 0
    try:
        with open(path, "rb") as fh:
            for _, raw, _size in _bounded_lines(fh, _CHUNK):
                if raw is None or raw.strip():
                    n += 1
    except OSError:
        return None
    return n
