"""The ablation variants of the shipped model: each switches off the part it names, and nothing else."""

import numpy as np
import pytest
from test_evaluation import synthetic_people
from test_training_data import write_coco_json

from lib_posefill.cli import main
from lib_posefill.features import BLEND, encode, orientation
from lib_posefill.model import DEFAULT_MODEL_PATH, OnnxFiller
from posefill_dev.evaluation.ablations import VARIANTS, HardMirror, Unsettled, WithoutShaping
from posefill_dev.evaluation.alternatives import alternative_spread
from posefill_dev.evaluation.protocol import make_cases
from posefill_dev.evaluation.report import score


@pytest.fixture(scope="module")
def shipped():
    return OnnxFiller(DEFAULT_MODEL_PATH)


@pytest.fixture(scope="module")
def side_cases():
    return make_cases(synthetic_people(120, 3), "side cut")


def test_without_shaping_only_loses_the_rules(shipped, side_cases):
    full, bare = score(shipped, side_cases), score(WithoutShaping(DEFAULT_MODEL_PATH), side_cases)
    assert full["beyond"] >= bare["beyond"]  # placing beyond the edge only ever moves joints out
    assert full["bone_ratio"] >= bare["bone_ratio"]  # the length rule only ever lengthens


def test_hard_mirror_matches_away_from_the_boundary(shipped, side_cases):
    feats, _, _ = encode(side_cases.truth, side_cases.present, side_cases.frame)
    far = np.abs(orientation(feats)) > BLEND
    assert far.any() and (~far).any()
    blended, hard = shipped.best(feats)[0], HardMirror(DEFAULT_MODEL_PATH).best(feats)[0]
    np.testing.assert_allclose(blended[far], hard[far], atol=1e-5)
    assert np.abs(blended[~far] - hard[~far]).max() > 1e-4


def test_unsettled_alternatives_spread_further(shipped, side_cases):
    assert (
        alternative_spread(Unsettled(DEFAULT_MODEL_PATH), side_cases)["spread"]
        > alternative_spread(shipped, side_cases)["spread"]
    )


def test_ablation_table_from_the_command_line(tmp_path, capsys):
    write_coco_json(tmp_path / "person_keypoints_val2017.json", 90)
    assert main(["evaluate", "--data-dir", str(tmp_path), "--ablations"]) == 0
    rows = [line for line in capsys.readouterr().out.splitlines() if line.startswith("| ") and "variant" not in line]
    assert [r.split(" | ")[0][2:] for r in rows] == list(VARIANTS)
    errors = [float(r.split(" | ")[1]) for r in rows]
    assert all(0 < e < 2 for e in errors)
