"""The exception types the CLI and the web app turn into a clear message."""


class KgError(Exception):
    """A problem the user can act on: nothing built, a damaged data home, a graph that does not conform."""


class BadRequest(KgError):
    """The input itself is wrong (a malformed query, an absurd search string): the caller must change it."""
