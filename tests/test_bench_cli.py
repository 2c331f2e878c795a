"""The bench command runs and reports every figure (no timing assertions: timings belong in benchmarks)."""

import json

from lib_posefill.cli import main


def test_bench_reports_every_figure(capsys):
    assert main(["bench", "--repeats", "5", "--batch", "64", "--json"]) == 0
    r = json.loads(capsys.readouterr().out)
    for key in ("load_ms", "single_median_ms", "single_p90_ms", "people_per_s", "size_bytes"):
        assert r[key] >= 0
    assert r["batch"] == 64
