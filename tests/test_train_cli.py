"""A training smoke run from a tiny COCO-format JSON the test writes: seconds, a loadable model and card."""

import numpy as np
import pytest
from test_training_data import write_coco_json

from lib_posefill.cli import main
from lib_posefill.filler import seed_array
from lib_posefill.model import OnnxFiller
from posefill_dev.training.card import CARD_NAME, card_facts, read_card

pytest.importorskip("torch")


def test_train_smoke_run_writes_a_loadable_model(tmp_path, capsys):
    data = write_coco_json(tmp_path / "person_keypoints_train2017.json", 40)
    out = tmp_path / "model" / "m.onnx"
    assert (
        main(
            [
                "train",
                "--data-dir",
                str(data),
                "--out",
                str(out),
                "--steps",
                "15",
                "--batch",
                "32",
                "--width",
                "32",
                "--blocks",
                "1",
                "--no-eval",
            ]
        )
        == 0
    )
    import torch

    kind = f"a CUDA {torch.version.cuda} build" if torch.version.cuda else "a CPU build"
    assert f"training on the CPU (2 threads) with torch {torch.__version__}, {kind}" in capsys.readouterr().out
    filler = OnnxFiller(out)
    xy = np.asarray(np.random.default_rng(0).uniform(100, 300, (3, 18, 2)), np.float32)
    present = np.ones((3, 18), bool)
    present[:, 8:] = False
    pred = filler.predict(xy, present, np.tile([0, 0, 400, 500], (3, 1)).astype(np.float32), seed_array(None, 3))
    assert pred.shape == (3, 18, 2) and np.isfinite(pred).all()
    card = out.with_name(CARD_NAME)
    assert read_card(card) == card_facts(out)
    assert "--steps 15" in card.read_text() and "CC BY 4.0" in card.read_text()
