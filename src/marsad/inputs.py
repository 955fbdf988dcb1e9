"""Reading documents: one text (file or stdin) or a JSONL file of documents.

A batch never dies on one bad line: every problem becomes a ``BadInput`` record that the caller
reports, and the remaining documents are processed.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .errors import InputError
from .model import Document


@dataclass
class BadInput:
    where: str  # "file.jsonl:12"
    message: str


def read_text_file(path: str | Path) -> str:
    """Read one text file as UTF-8, refusing binary content with a clear error."""
    data = Path(path).read_bytes() if str(path) != "-" else _stdin_bytes()
    return decode_text(data, str(path))


def _stdin_bytes() -> bytes:
    import sys

    return sys.stdin.buffer.read()


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


def iter_jsonl(path: str | Path, published: str | None = None,
               source: str | None = None) -> Iterator[Document | BadInput]:
    """Documents of a JSONL file; bad lines come out as BadInput and do not stop the batch."""
    opener = open(path, "rb") if str(path) != "-" else None  # noqa: SIM115
    import sys

    fh = opener or sys.stdin.buffer
    try:
        for line_no, raw in enumerate(fh, start=1):
            where = f"{path}:{line_no}"
            if not raw.strip():
                continue
            try:
                line = raw.decode("utf-8")
                record = json.loads(line)
                yield document_from_record(record, where, published, source)
            except UnicodeDecodeError:
                yield BadInput(where, "line is not valid UTF-8")
            except json.JSONDecodeError as exc:
                yield BadInput(where, f"invalid JSON ({exc.msg} at column {exc.colno})")
            except InputError as exc:
                yield BadInput(where, str(exc).split(": ", 1)[-1])
            except RecursionError:
                yield BadInput(where, "JSON nested too deeply")
    finally:
        if opener:
            opener.close()
