"""Completing many files in bounded batches: files are read and parsed until a batch holds ``BATCH_MB`` of input,
every person of the batch is completed in one model call, its outputs are written, and the next batch starts.
A folder of thousands of small files is one model call; a folder of any size needs the memory of one batch.
Every file that fails (reading, parsing or writing) gets one line on stderr starting with its path; so does each
person's warning (absurd input), as ``PATH: warning: person I: ...``.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable
from pathlib import Path

from ..completion import PERSON_WARNING
from ..document import PoseDocument, parse_documents, write_documents
from ..errors import PoseFillError
from ..files import read_bytes, write_bytes
from ..jsontext import loads_json
from ..model import cached_filler
from ..options import Options
from .progress import ProgressLine

BATCH_MB = 64.0
Complete = Callable[..., list]
"""``completion.complete`` or ``sequence.complete.complete_frames``: (documents, options, filler) -> the same
documents, completed in place."""


def _report(err: PoseFillError, path: Path) -> None:
    print(err.at(str(path)), file=sys.stderr)


Batch = list[tuple[Path, Path, list[PoseDocument], bool]]
"""(input, output, its parsed documents, whether the input was a list) per file."""


def _refused(err: PoseFillError, batch: Batch) -> int:
    """A batch refused as a whole (a sequence whose frames do not fit together): one line naming the file and
    the document of the first frame at fault (``err.frame``, an index over the batch's documents)."""
    frame = err.frame
    for src, _, parsed, is_list in batch:
        if frame < len(parsed):
            print(PoseFillError(err.detail, where=f"[{frame}]" if is_list else "").at(str(src)), file=sys.stderr)
            break
        frame -= len(parsed)
    return len(batch)


def _person_warnings(src: Path, value) -> None:
    for d, doc in enumerate(value if isinstance(value, list) else [value]):
        where = f"{src} (document {d})" if isinstance(value, list) else str(src)
        for i, person in enumerate(doc.get("people") or []):
            for text in (person.get("posefill") or {}).get("warnings", []):
                print(f"{where}: warning: person {i}: {text}", file=sys.stderr)


class _NotPersonWarnings(logging.Filter):
    """Drops the log records of person warnings: the CLI prints them with the file's path instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not getattr(record, PERSON_WARNING, False)


def _write_batch(batch: Batch, options: Options, complete: Complete, progress: ProgressLine) -> int:
    """Complete and write one batch; returns the number of outputs that could not be written."""
    docs = [doc for _, _, parsed, _ in batch for doc in parsed]
    quiet = _NotPersonWarnings()
    logging.getLogger("posefill").addFilter(quiet)
    try:
        outputs = write_documents(complete(docs, options, cached_filler())) if docs else []
    except PoseFillError as err:
        if not hasattr(err, "frame"):  # only a sequence refused as a whole names its frame
            raise
        return _refused(err, batch)
    finally:
        logging.getLogger("posefill").removeFilter(quiet)
    progress.count(filled=sum(len(doc.people) for doc in docs))
    failed, start = 0, 0
    for src, dst, parsed, is_list in batch:
        progress.count(written=1)
        value = outputs[start : start + len(parsed)] if is_list else outputs[start]
        start += len(parsed)
        _person_warnings(src, value)
        try:
            write_bytes(dst, json.dumps(value).encode())
        except PoseFillError as err:
            _report(err, dst)
            failed += 1
    return failed


def complete_files(
    pairs: list[tuple[Path, Path]],
    options: Options,
    *,
    streams: bool,
    complete: Complete,
    batch_mb: float | None,
    progress: ProgressLine,
) -> int:
    """Complete every (input, output) pair, ``batch_mb`` of input at a time (None: all in one batch); returns
    the number that failed. ``streams``: inputs may be pipes or devices (a file named on the command line),
    not only regular files (the entries of a folder)."""
    failed = 0
    batch: Batch = []
    size = 0
    for src, dst in pairs:
        progress.count(read=1)
        try:
            data = read_bytes(src, options.max_file_mb, streams=streams)
        except PoseFillError as err:
            _report(err, src)
            failed += 1
            continue
        if batch and batch_mb is not None and size + len(data) > batch_mb * 2**20:
            failed += _write_batch(batch, options, complete, progress)
            batch, size = [], 0
        size += len(data)
        try:
            docs, is_list = parse_documents(loads_json(data, options.max_file_mb), options)
        except PoseFillError as err:
            _report(err, src)
            failed += 1
            continue
        finally:
            del data  # the decoded documents are all a batch keeps
        batch.append((src, dst, docs, is_list))
    return failed + _write_batch(batch, options, complete, progress)
