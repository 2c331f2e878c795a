"""The one error type users see: it names where the problem is and what was expected."""

from __future__ import annotations


class PoseFillError(ValueError):
    """Bad input or options. ``str(err)`` is one line: ``<where>: <what was wrong>``."""

    def __init__(self, message: str, *, where: str = "") -> None:
        self.where = where
        self.detail = message
        super().__init__(f"{where}: {message}" if where else message)

    def at(self, prefix: str) -> PoseFillError:
        """The same error with ``prefix`` (a file name, say) put in front of its location."""
        where = f"{prefix}: {self.where}" if self.where else prefix
        return PoseFillError(self.detail, where=where)
