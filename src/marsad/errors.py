"""Errors that marsad reports to users as one clear line."""


class MarsadError(Exception):
    """Base class: the message is shown to the user as is."""


class InputError(MarsadError):
    """A document that cannot be processed (empty, binary, not Arabic, malformed)."""
