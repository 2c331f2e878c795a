"""What the tab shows for a state: the editor's payload, the joint table and a status line."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..options import alternative
from ..skeleton import JOINT_NAMES
from .editor import protocol
from .state import TabState, joint_states, table_rows

SUMMARY_PEOPLE = 8
MAX_STATUS = 399
"""The status line is cut to this many characters."""
"""The status line names what was filled for this many people at most."""


@dataclass
class View:
    payload: str = ""  # JSON for the editor (protocol.payload)
    rows: list[list[Any]] = field(default_factory=list)
    status: str = ""
    error: bool = False


def person_label(i: int) -> str:
    return f"Person {i + 1}"


def build_view(
    state: TabState,
    status: str = "",
    error: bool = False,
    ack: Any = None,
    loaded: bool = False,
    background: Any = protocol.KEEP,
    download: dict[str, str] | None = None,
) -> View:
    """The full view of a state: the editor payload, the selected person's table rows, the status line."""
    if not state.loaded:
        status = status or "Load a pose: drop a JSON file, a skeleton image or a photo, or paste JSON."
        people: list[dict[str, Any]] = []
    else:
        status = status or summary(state)
        people = [{"index": p.index, "states": joint_states(state, i)} for i, p in enumerate(state.people)]
    rows = table_rows(state, state.person)
    text = protocol.payload(
        state.result if state.loaded else None,
        people,
        state.person,
        rows,
        status,
        error=error,
        ack=ack,
        loaded=loaded,
        background=background,
        download=download,
    )
    return View(payload=text, rows=rows, status=status, error=error)


def summary(state: TabState) -> str:
    """One line: source, people, what was filled, the version of each person (the first SUMMARY_PEOPLE)."""
    n = len(state.people)
    if n == 0:
        return f"{state.note}: no people in this pose — nothing to fill.".lstrip(": ")
    parts, warnings = [], []
    for i, p in enumerate(state.people[:SUMMARY_PEOPLE]):
        states = joint_states(state, i)
        filled = [JOINT_NAMES[j] for j, s in enumerate(states) if s == "filled"]
        replaced = [JOINT_NAMES[j] for j, s in enumerate(states) if s == "replaced"]
        record = _skipped(state, i)
        text = f"skipped ({record})" if record else (f"filled {', '.join(filled)}" if filled else "nothing to fill")
        if replaced and not record:
            text += f", replaced {', '.join(replaced)}"
        warnings += [f"{person_label(i) if n > 1 else 'the person'}: {w}" for w in _warnings(state, i)]
        if p.seed is not None:
            text += f" (version {alternative(p.seed) + 1})"
        parts.append(f"{person_label(i)}: {text}" if n > 1 else text[0].upper() + text[1:])
    if n > SUMMARY_PEOPLE:
        parts.append(f"… and {n - SUMMARY_PEOPLE} more")
    head = f"{state.note} · " if state.note else ""
    line = f"{head}{n} {'person' if n == 1 else 'people'} · " + "; ".join(parts)
    if warnings:  # the first in full (cut to fit the line), the count of the others; all are in the JSON
        more = f" (+{len(warnings) - 1} more warnings in the JSON)" if len(warnings) > 1 else ""
        line += f" · ⚠ {_cut(warnings[0], 120)}{more}"
    return _cut(line, MAX_STATUS)


def _cut(text: str, most: int) -> str:
    return text if len(text) <= most else text[: most - 1] + "…"


def _warnings(state: TabState, person: int) -> list[str]:
    if state.result is None:
        return []
    return (state.result["people"][state.people[person].index].get("posefill") or {}).get("warnings") or []


def _skipped(state: TabState, person: int) -> str | None:
    if state.result is None:
        return None
    return (state.result["people"][state.people[person].index].get("posefill") or {}).get("skipped")
