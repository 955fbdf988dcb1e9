"""The HTTP API (FastAPI): ``create_app(db)`` serves a store; ``marsad serve`` runs it with uvicorn."""

from .app import MAX_DOCUMENT_BYTES, create_app, resolve_token

__all__ = ["MAX_DOCUMENT_BYTES", "create_app", "resolve_token"]
