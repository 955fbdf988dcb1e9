"""Telegram Desktop exports (``result.json``, "Export chat history" in JSON format, or a full
account export with ``chats.list``): one Document per message with text."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

from ..inputs import BadInput
from ..model import Document
from ._common import iso_date

_CHANNEL_TYPES = {"public_channel", "private_channel", "public_supergroup", "private_supergroup"}


def message_text(value: object) -> str:
    """The text of a message: a string, or a list of strings and entity objects ({"type", "text"})."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        parts = []
        for part in value:
            if isinstance(part, str):
                parts.append(part)
            elif isinstance(part, dict) and isinstance(part.get("text"), str):
                parts.append(part["text"])
        return "".join(parts)
    return ""


def parse_export(data: bytes, where: str, published: str | None = None,
                 source: str | None = None) -> Iterator[Document | BadInput]:
    """Documents of a Telegram Desktop JSON export; bad messages become BadInput."""
    try:
        export = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        yield BadInput(where, "Telegram export is not valid UTF-8")
        return
    except json.JSONDecodeError as exc:
        yield BadInput(where, f"Telegram export is not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})")
        return
    except RecursionError:
        yield BadInput(where, "Telegram export: JSON nested too deeply")
        return
    if not isinstance(export, dict):
        yield BadInput(where, "not a Telegram Desktop export (a JSON object with \"messages\" was expected)")
        return
    if "messages" in export:
        chats = [export]
    elif isinstance(export.get("chats"), dict):
        chats = [c for key in ("chats", "left_chats") for c in (export.get(key) or {}).get("list") or []]
    else:
        yield BadInput(where, "not a Telegram Desktop export (no \"messages\" list)")
        return
    for chat in chats:
        yield from _chat(chat, where, published, source)


def _chat(chat: object, where: str, published: str | None, source: str | None) -> Iterator[Document | BadInput]:
    if not isinstance(chat, dict) or not isinstance(chat.get("messages"), list):
        yield BadInput(where, "Telegram chat without a \"messages\" list")
        return
    name = chat.get("name") if isinstance(chat.get("name"), str) and chat.get("name").strip() else None
    username = _username(chat)
    chat_id = chat.get("id")
    private_link = chat.get("type") in _CHANNEL_TYPES and isinstance(chat_id, int)
    label = f"{where}" + (f" ({name})" if name else "")
    for i, msg in enumerate(chat["messages"]):
        if not isinstance(msg, dict):
            yield BadInput(f"{label}: message #{i + 1}", "message is not a JSON object")
            continue
        if msg.get("type", "message") != "message":
            continue  # service messages: joins, pins, title changes
        text = message_text(msg.get("text"))
        if not text.strip():
            continue  # media without a caption
        mid = msg.get("id")
        mid = mid if isinstance(mid, int | str) and str(mid).strip() else None
        at = f"{label}: message {mid}" if mid is not None else f"{label}: message #{i + 1}"
        url = None
        if mid is not None and username:
            url = f"https://t.me/{username}/{mid}"
        elif mid is not None and private_link:
            url = f"https://t.me/c/{chat_id}/{mid}"
        date = iso_date(msg.get("date")) or _unix_date(msg.get("date_unixtime"))
        yield Document(text=text, url=url, title=None, source=name or source, published=date or published,
                       id=url or (f"telegram:{chat_id}:{mid}" if mid is not None else None), origin=at)


def _username(chat: dict) -> str | None:
    for key in ("username", "link"):
        value = chat.get(key)
        if isinstance(value, str) and value.strip():
            value = value.strip().rstrip("/")
            value = value.rsplit("/", 1)[-1] if "t.me/" in value else value
            value = value.lstrip("@")
            if value.replace("_", "").isalnum():
                return value
    return None


def _unix_date(value: object) -> str | None:
    try:
        return iso_date(dt.datetime.fromtimestamp(int(str(value)), dt.UTC))
    except (TypeError, ValueError, OverflowError, OSError):
        return None
