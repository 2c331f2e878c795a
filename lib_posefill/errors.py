"""The one error type users see: it names where the problem is and what was expected."""

from __future__ import annotations

import json


class PoseFillError(ValueError):
    """Bad input or options. ``str(err)`` is one line: ``<where>: <what was wrong>``."""

    def __init__(self, message: str, *, where: str = "") -> None:
        self.where = one_line(where)
        self.detail = one_line(message)
        super().__init__(f"{self.where}: {self.detail}" if self.where else self.detail)

    def at(self, prefix: str) -> PoseFillError:
        """The same error with ``prefix`` (a file name, say) put in front of its location."""
        where = f"{prefix}: {self.where}" if self.where else prefix
        return PoseFillError(self.detail, where=where)


class TooLargeError(PoseFillError):
    """Input over a size limit: its bytes, or the memory it would take once decoded."""


class MissingInputError(PoseFillError):
    """An input file or folder that does not exist (the CLI's exit status 1: an input failed)."""


class NotJSONError(PoseFillError):
    """Input that is not JSON text at all (a syntax error, not UTF-8)."""


def one_line(text: object) -> str:
    """``text`` with line breaks and other unprintable characters escaped (``\\n``), so a message stays one line
    whatever input it quotes."""
    text = str(text)
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else ascii(c)[1:-1] for c in text)


def shown(value: object, limit: int = 40) -> str:
    """A value as an error message quotes it: JSON-style, ASCII-safe, one line, cut to ``limit`` characters.
    Objects and lists show only their kind and size (never recursing into them)."""
    if isinstance(value, dict):
        return f"an object of {len(value)} keys"
    if isinstance(value, (list, tuple)):
        return f"a list of {len(value)} values"
    if isinstance(value, str):
        value = value[:limit]
    try:
        if isinstance(value, float):
            text = repr(value)  # inf, nan
        elif value is None or isinstance(value, (bool, int, str)):
            text = json.dumps(value)
        else:
            text = ascii(value)
    except (ValueError, TypeError, RecursionError):  # e.g. an integer with thousands of digits
        text = f"a {type(value).__name__}"
    return text if len(text) <= limit else text[: limit - 3] + "..."


EXTRAS = {"torch": "train", "onnx": "train", "pandas": "train", "gradio": "app"}
"""Optional dependencies and the pip extra that installs them (pyproject.toml)."""


def install_hint(module: str | None, command: str) -> str:
    """One line saying which optional dependency ``command`` lacks and how to install it."""
    top = (module or "a module").split(".")[0]
    extra = EXTRAS.get(top)
    if extra == "train":
        how = 'pip install ".[train]" in a PoseFill clone (torch\'s CPU build: see the README\'s "Training on the CPU")'
    elif extra:
        how = f'pip install ".[{extra}]" in a PoseFill clone'
    else:
        how = f"pip install {top}"
    return f"{command} needs {top}, which is not installed: {how}"
