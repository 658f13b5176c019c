"""The one exception type the CLI and the web app turn into a clear message."""


class KgError(Exception):
    """A problem the user can act on: bad input, nothing built, a graph that does not conform."""
