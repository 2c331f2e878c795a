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


def test_grown_network_starts_as_the_one_it_grew_from():
    import torch

    from posefill_dev.training.net import PoseNet, grown

    small = PoseNet({"width": 32, "hidden": 64, "blocks": 1, "flow_width": 16}).eval()
    for p in small.parameters():
        torch.nn.init.normal_(p, std=0.1)
    big = grown(small, {**small.config, "blocks": 3}).eval()
    assert len(big.blocks) == 3
    feats = torch.randn(7, small.config["in_dim"])
    with torch.no_grad():
        for a, b in zip(small(feats), big(feats), strict=True):
            assert torch.equal(a, b)
    with pytest.raises(ValueError, match="only more trunk blocks"):
        grown(small, {**small.config, "width": 48})


def test_train_from_an_earlier_model_records_it_in_the_card(tmp_path):
    data = write_coco_json(tmp_path / "person_keypoints_train2017.json", 40)
    first, second = tmp_path / "a" / "m.onnx", tmp_path / "b" / "m.onnx"
    tiny = ["--data-dir", str(data), "--steps", "5", "--batch", "16", "--no-eval"]
    assert main(["train", *tiny, "--out", str(first), "--width", "32", "--blocks", "1"]) == 0
    assert main(["train", *tiny, "--out", str(second), "--init", str(first), "--blocks", "2", "--lr", "1e-4"]) == 0
    text = second.with_name(CARD_NAME).read_text()
    assert f"`{card_facts(first)['sha256']}`" in text and f"--init {first}" in text and "--lr 0.0001" in text
    assert "width 32, 2 blocks" in text
