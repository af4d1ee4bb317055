"""Errors the user can act on; the CLI prints their message on one line and exits with code 2."""


class MTError(Exception):
    """Base class for errors caused by input or configuration, not by a bug."""


class ModelNotFoundError(MTError):
    """A model name or directory could not be resolved to a local Marian model."""


class InputError(MTError):
    """Input text or a file that cannot be processed."""
