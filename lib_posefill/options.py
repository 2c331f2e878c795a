"""The one options model: every knob of PoseFill, its default, its range and its help text.

The CLI flags, the Python API, the HTTP API, the tab, ComfyUI and the ControlNet variant all build their
controls from ``FIELDS``, and every host's raw values (strings from argparse and gradio, numbers from sliders and
ComfyUI widgets, numpy numbers included) become Options in one constructor, ``Options.from_host``, which
validates each value once. A host whose widgets cannot hold None says how it spells "unset" in its ``Spelling``;
inside PoseFill "no seed" is None only.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import numbers
import re
from collections.abc import Mapping
from typing import Any

from .errors import PoseFillError, shown
from .limits import MAX_CANVAS_SIDE

SCOPES = ("limbs", "all", "outside")
FRAMINGS = ("keep", "fit")
COORDS = ("auto", "pixel", "normalised")
HANDS = ("auto", "off")
SUSPICIOUS = ("keep", "refill")


@dataclasses.dataclass(frozen=True)
class Field:
    """How one option is parsed, bounded and explained."""

    name: str
    kind: type
    default: Any
    help: str
    choices: tuple[str, ...] = ()
    low: float | None = None
    high: float | None = None
    optional: bool = False


FIELDS: tuple[Field, ...] = (
    Field(
        "scope",
        str,
        "limbs",
        "which missing joints to fill: limbs = neck, shoulders .. ankles (head points only when they "
        "fall outside the canvas); all = every missing joint; outside = only joints outside the canvas",
        choices=SCOPES,
    ),
    Field(
        "framing",
        str,
        "keep",
        "keep = coordinates untouched (filled joints may lie outside the canvas); fit = scale and shift "
        "the whole document so every joint fits the canvas with the margin",
        choices=FRAMINGS,
    ),
    Field("margin", float, 0.05, "with framing=fit: free border, as a fraction of the canvas size", low=0.0, high=0.45),
    Field(
        "min_visible",
        int,
        3,
        "people with fewer visible body joints are left unchanged and reported as skipped",
        low=1,
        high=18,
    ),
    Field(
        "seed",
        int,
        None,
        "unset = the deterministic best guess; an integer = a seeded alternative completion",
        low=0,
        high=2**31 - 1,
        optional=True,
    ),
    Field(
        "hands",
        str,
        "auto",
        "auto = in documents that carry hands (or faces), a filled wrist gets a hand (the other hand mirrored, "
        "else a relaxed one) and a filled head a face; off = never add hands or faces",
        choices=HANDS,
    ),
    Field(
        "suspicious",
        str,
        "keep",
        "detected joints the rest of the person makes implausible (far off, parked on another joint, left/right "
        "swapped): keep = leave every detected joint as given; refill = take them out, fill them like missing ones "
        "and list them in posefill.replaced",
        choices=SUSPICIOUS,
    ),
    Field(
        "min_confidence",
        float,
        0.0,
        "a joint is present when its confidence is above this and its coordinates are not negative",
        low=0.0,
        high=1.0,
    ),
    Field(
        "coords",
        str,
        "auto",
        "input units: auto = normalised when every present coordinate lies in [0, 1], else pixels",
        choices=COORDS,
    ),
    Field(
        "canvas",
        str,
        None,
        "canvas size WxH (whole pixels, 1 .. 16384 a side) for documents without canvas_width/canvas_height "
        "(bare OpenPose output)",
        optional=True,
    ),
    Field(
        "max_file_mb",
        float,
        64.0,
        "refuse input files (pipes and devices included), uploads and pastes larger than this many megabytes",
        low=0.001,
        high=4096,
    ),
    Field(
        "max_people",
        int,
        10_000,
        "refuse files, uploads and pastes with more people than this (all documents of a list together)",
        low=1,
        high=10**7,
    ),
)
FIELD_BY_NAME = {f.name: f for f in FIELDS}
CORE_FIELDS = ("scope", "framing", "margin", "min_visible", "hands", "suspicious", "seed")
"""The options a person tunes per fill (tab controls, HTTP body, ControlNet variant)."""

_CANVAS_RE = re.compile(r"^\s*(\d+)\s*[xX]\s*(\d+)\s*$")


def parse_canvas(text: str, where: str = "canvas") -> tuple[int, int]:
    """``"512x768"`` -> ``(512, 768)``, with a specific error otherwise."""
    match = _CANVAS_RE.match(str(text)) if isinstance(text, str) else None
    if not match or not all(1 <= int(side) <= MAX_CANVAS_SIDE for side in match.groups()):
        raise PoseFillError(
            f"expected WxH with whole numbers from 1 to {MAX_CANVAS_SIDE}, e.g. 512x768, got {shown(text)}", where=where
        )
    return int(match[1]), int(match[2])


def _coerce(field: Field, value: Any, high: float | None = None) -> Any:
    """The value of ``field`` from one raw value (``high``: a host's lower maximum), or a one-line PoseFillError
    naming the field."""
    high = field.high if high is None else high
    if isinstance(value, numbers.Number) and type(value) not in (int, float) and hasattr(value, "item"):
        value = value.item()  # a numpy number (ComfyUI) as the Python number it is, in messages too
    if value is None:
        if field.optional:
            return None
        raise PoseFillError(f"expected {field.kind.__name__}, got null", where=field.name)
    if field.name == "canvas":
        if isinstance(value, (list, tuple)) and len(value) == 2:
            value = f"{value[0]}x{value[1]}"
        w, h = parse_canvas(value, field.name)
        return f"{w}x{h}"
    if field.kind is str:
        if not isinstance(value, str) or value not in field.choices:
            raise PoseFillError(f"expected one of {', '.join(field.choices)}, got {shown(value)}", where=field.name)
        return value
    if isinstance(value, bool):
        raise PoseFillError(f"expected a number, got {shown(value)}", where=field.name)
    if field.kind is int:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        elif isinstance(value, str) and len(value) <= 20:
            with contextlib.suppress(ValueError):
                value = int(value)
        if not isinstance(value, int):
            raise PoseFillError(f"expected an integer, got {shown(value)}", where=field.name)
    else:
        try:
            value = float(value)
        except (TypeError, ValueError, OverflowError):
            raise PoseFillError(f"expected a number, got {shown(value)}", where=field.name) from None
        if value != value or value in (float("inf"), float("-inf")):
            raise PoseFillError(f"expected a finite number, got {shown(value)}", where=field.name)
    if (field.low is not None and value < field.low) or (high is not None and value > high):
        raise PoseFillError(f"expected a value in [{field.low:g}, {high:g}], got {shown(value)}", where=field.name)
    return value


@dataclasses.dataclass(frozen=True)
class Spelling:
    """How a host writes option values its widgets cannot hold as Options does; each adapter names its own and
    hands it to ``Options.from_host``. The default (JSON, the Python API, argparse strings) spells nothing its own
    way: None is "unset", everything else is validated as it is."""

    unset: tuple[Any, ...] = ()
    """Beside None, the host's values for "unset" of an optional option (seed, canvas): ComfyUI's INT widget -1,
    a blank text "" (the tab, ComfyUI), the ControlNet alternative slider's ``BEST_GUESS``."""
    positions: bool = False
    """A whole number for a choice option picks the choice at that position (a slider: framing 0 keep, 1 fit)."""
    highs: tuple[tuple[str, float], ...] = ()
    """Options whose widget ends below the option's maximum, with that maximum (the alternative slider's 32)."""
    lenient: bool = False
    """A value that is not valid means the option's default instead of an error (as ControlNet treats a slider
    value outside its range)."""

    def read(self, field: Field, value: Any) -> Any:
        """The value of ``field`` from one raw value of this host, validated once."""
        if field.optional and is_unset(value, self.unset):
            return None
        if self.positions and field.choices:
            spot = Field(field.name, int, 0, "", low=0, high=len(field.choices) - 1)
            return field.choices[_coerce(spot, value)]
        return _coerce(field, value, dict(self.highs).get(field.name))


JSON = Spelling()
"""JSON bodies, the Python API, argparse's strings and the WebUI settings: None = unset, nothing else."""


def is_unset(value: Any, unset: tuple[Any, ...] = ()) -> bool:
    """Whether a host's raw value means "unset" (for ``seed``: no seed, the best guess): None, or one of the host's
    own spellings ``unset`` (a number compared as a number, a text compared stripped). The one place where -1, 0
    or a blank text becomes None."""
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip() in [u for u in unset if isinstance(u, str)]
    if isinstance(value, numbers.Number) and not isinstance(value, bool):
        return any(isinstance(u, numbers.Number) and not isinstance(u, bool) and bool(value == u) for u in unset)
    return False


BEST_GUESS = 0
"""The alternative number of the best guess (no seed) where a slider or counter cannot hold None: the ControlNet
alternative slider's 0, the tab's version 1 (version = alternative + 1). Alternative n > 0 is seed n."""


def alternative(seed: int | None) -> int:
    """A seed as an alternative number (``BEST_GUESS`` for no seed)."""
    return BEST_GUESS if seed is None else seed


def next_seed(seed: int | None) -> int | None:
    """The seed of the next alternative (the tab's Another version): after the best guess 1, 2, ...; after the
    largest seed the best guess again."""
    following = (alternative(seed) + 1) % (FIELD_BY_NAME["seed"].high + 1)
    return None if following == BEST_GUESS else following


def _name(key: object) -> str:
    """An option name as a message shows it: as it is when it is a plain identifier, else quoted (one line)."""
    return key if isinstance(key, str) and key.isidentifier() else shown(key)


@dataclasses.dataclass(frozen=True)
class Options:
    """Validated options. Build with ``Options()``, ``Options.from_host(values, spelling)`` (``from_mapping(d)``
    for JSON) or ``replace(**changes)``."""

    scope: str = "limbs"
    framing: str = "keep"
    margin: float = 0.05
    min_visible: int = 3
    seed: int | None = None
    hands: str = "auto"
    suspicious: str = "keep"
    min_confidence: float = 0.0
    coords: str = "auto"
    canvas: str | None = None
    max_file_mb: float = 64.0
    max_people: int = 10_000

    def __post_init__(self) -> None:
        for field in FIELDS:
            object.__setattr__(self, field.name, _coerce(field, getattr(self, field.name)))

    @classmethod
    def from_host(
        cls, values: Mapping[str, Any] | None, spelling: Spelling = JSON, base: Options | None = None
    ) -> Options:
        """The one constructor for every host's raw values: ``base`` (the defaults) with the options in
        ``values``, each validated once as ``spelling`` says the host writes it. Unknown names are an error that
        names them; a bad value a one-line error naming its option."""
        if values is not None and not isinstance(values, Mapping):
            raise PoseFillError(f"expected an object of options, got {type(values).__name__}", where="options")
        values = values or {}
        unknown = sorted(_name(key) for key in values if key not in FIELD_BY_NAME)
        if unknown:
            names = ", ".join(unknown[:5]) + (f" and {len(unknown) - 5} more" if len(unknown) > 5 else "")
            raise PoseFillError(f"unknown option(s) {names}; known: {', '.join(FIELD_BY_NAME)}")
        checked = {}
        for name, value in values.items():
            try:
                checked[name] = spelling.read(FIELD_BY_NAME[name], value)
            except PoseFillError:
                if not spelling.lenient:
                    raise
                checked[name] = FIELD_BY_NAME[name].default
        return (DEFAULTS if base is None else base)._with(checked)

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any] | None) -> Options:
        """Options from a dict (HTTP body, the Python API): ``from_host`` with JSON's spelling."""
        return cls.from_host(values)

    def replace(self, **changes: Any) -> Options:
        """These options with ``changes``, only those validated."""
        return self.from_host(changes, base=self)

    def _with(self, checked: dict[str, Any]) -> Options:
        """A copy with already validated values (no second validation)."""
        new = object.__new__(type(self))
        new.__dict__.update(self.__dict__, **checked)
        return new

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @property
    def canvas_size(self) -> tuple[int, int] | None:
        return parse_canvas(self.canvas) if self.canvas else None


DEFAULTS = Options()
"""The defaults, one shared instance (Options never change)."""


def add_option_arguments(parser: argparse.ArgumentParser, names: tuple[str, ...] | None = None) -> None:
    """Add ``--scope``, ``--framing`` ... to an argparse parser, straight from ``FIELDS``."""
    for field in FIELDS:
        if names is not None and field.name not in names:
            continue
        flag = "--" + field.name.replace("_", "-")
        kwargs: dict[str, Any] = {
            "dest": field.name,
            "default": None,
            "help": f"{field.help} (default: {field.default})",
        }
        if field.choices:
            kwargs["metavar"] = "{" + ",".join(field.choices) + "}"  # as argparse shows choices
        elif field.name == "canvas":
            kwargs["metavar"] = "WxH"
        parser.add_argument(flag, **kwargs)


def options_from_args(args: argparse.Namespace) -> Options:
    """Options from parsed CLI flags, still the strings typed (argparse checks none of them; flags left unset keep
    their defaults)."""
    return Options.from_host({f.name: v for f in FIELDS if (v := getattr(args, f.name, None)) is not None})


def markdown_table() -> str:
    """The options as a Markdown table (the README's, kept in sync by a test)."""

    def values(f: Field) -> str:
        if f.choices:
            return ", ".join(f.choices)
        if f.low is None:
            return "WxH"
        fmt = (lambda v: str(int(v))) if f.kind is int else (lambda v: f"{v:g}")
        return f"{fmt(f.low)} .. {fmt(f.high)}" + (" or unset" if f.optional else "")

    rows = ["| option | CLI flag | default | values | meaning |", "| --- | --- | --- | --- | --- |"]
    for f in FIELDS:
        default = "unset" if f.default is None else f.default
        rows.append(f"| `{f.name}` | `--{f.name.replace('_', '-')}` | {default} | {values(f)} | {f.help} |")
    return "\n".join(rows)
