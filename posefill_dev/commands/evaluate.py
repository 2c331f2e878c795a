"""``python -m lib_posefill evaluate``: the model against the mean pose and kNN-5 on COCO val."""

from __future__ import annotations

import argparse
import json

from ..training.data import DATA_HELP

HELP = "score the completion model and the baselines on COCO val (error / torso length, per family)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-dir", required=True, help=DATA_HELP)
    parser.add_argument("--model", help="ONNX model to score (default: the shipped one)")
    parser.add_argument("--seed", type=int, default=None, help="protocol seed (default: the fixed one)")
    parser.add_argument("--json", help="also write the results to this JSON file")
    parser.add_argument(
        "--ablations", action="store_true", help="instead: the model with one inference-time part off at a time"
    )
    parser.add_argument(
        "--hands", action="store_true", help="instead: hands added at a hidden, filled wrist (mirrored and relaxed)"
    )
    parser.add_argument(
        "--suspicious",
        action="store_true",
        help="instead: suspicious=refill on val people with one injected wrong joint each (outlier, snap, swap, "
        "absurd), and on the same people without",
    )


def run(args: argparse.Namespace) -> int:
    if args.ablations:
        from ..evaluation.ablations import ablation_table

        print(ablation_table(args.data_dir, args.model, args.seed))
        return 0
    if args.hands:
        from ..evaluation.hands import hands_report as report
    elif args.suspicious:
        from ..evaluation.suspicious import suspicious_location as report
    else:
        from ..evaluation.run import evaluate_location as report
    results, text = report(args.data_dir, args.model, args.seed)
    print(text)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2)
    return 0
