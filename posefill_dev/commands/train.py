"""``python -m lib_posefill train``: train the completion model on COCO keypoints and export it to ONNX."""

from __future__ import annotations

import argparse
import shlex
import sys

from ..training.data import DATA_HELP

STEPS = 70000
HELP = "train the completion model on COCO 2017 keypoints (CSV or official JSON) and export ONNX + model card"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-dir", required=True, help=DATA_HELP)
    parser.add_argument("--out", required=True, help="ONNX file to write; the model card goes next to it")
    parser.add_argument(
        "--steps", type=int, default=STEPS, help=f"optimiser steps (default {STEPS}, the shipped model)"
    )
    parser.add_argument("--minutes", type=float, help="stop early after this many minutes (not reproducible)")
    parser.add_argument("--batch", type=int, default=512, help="people per step (default 512)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--threads", type=int, default=2, help="torch CPU threads (default 2)")
    parser.add_argument("--width", type=int, help="network width (default 256)")
    parser.add_argument("--blocks", type=int, help="residual blocks (default 2)")
    parser.add_argument("--lr", type=float, help="peak learning rate (default 2e-3)")
    parser.add_argument(
        "--init", help="start from this ONNX model's weights (extra --blocks are added as the identity)"
    )
    parser.add_argument("--checkpoint", help="also write the model so far to this ONNX file every 1000 steps")
    parser.add_argument("--no-eval", action="store_true", help="skip the evaluation on val after training")


def torch_build(torch) -> str:
    """Which torch this is: its version and whether it is a CPU or a CUDA build (training runs on the CPU)."""
    cuda = getattr(torch.version, "cuda", None)
    kind = f"a CUDA {cuda} build (a CPU build is far smaller: see the README)" if cuda else "a CPU build"
    return f"torch {torch.__version__}, {kind}"


def run(args: argparse.Namespace) -> int:
    import logging
    import platform
    from pathlib import Path

    import onnx
    import torch

    from ..evaluation.run import evaluate_location
    from ..training.card import card_facts, git_commit, write_card
    from ..training.data import load_people
    from ..training.export import build_onnx
    from ..training.loop import TrainConfig, train
    from ..training.masks import trainable
    from ..training.net import from_onnx

    logging.getLogger("posefill").setLevel(logging.INFO)
    torch.set_num_threads(args.threads)
    print(f"training on the CPU ({args.threads} threads) with {torch_build(torch)}", flush=True)
    people = trainable(load_people(args.data_dir, "train"))
    if not len(people):
        print(f"error: {args.data_dir}: no trainable people", file=sys.stderr)
        return 1
    cfg = TrainConfig(steps=args.steps, batch=args.batch, seed=args.seed)
    given = {k: v for k, v in (("width", args.width), ("blocks", args.blocks)) if v}
    cfg.net.update(given)
    cfg.warmup = min(cfg.warmup, max(args.steps // 10, 1))
    if args.lr:
        cfg.lr = args.lr
    init = None
    if args.init:
        init = from_onnx(args.init)
        cfg.net.update({k: v for k, v in init.config.items() if k != "out_dim"}, **given)
    commit = git_commit(Path(__file__).resolve().parents[2])

    def checkpoint(net, step: int) -> None:
        onnx.save(build_onnx(net.numpy_weights(), net.config), args.checkpoint)
        logging.getLogger("posefill").warning("checkpoint at step %d: %s", step, args.checkpoint)

    net, log = train(people, cfg, args.minutes, checkpoint if args.checkpoint else None, init=init)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(build_onnx(net.numpy_weights(), net.config), str(out))
    if args.init:
        log["init"] = card_facts(args.init)
    log.update(batch=cfg.batch, seed=cfg.seed, machine=f"{platform.machine()} CPU, {args.threads} torch threads")
    table = None
    if not args.no_eval:
        _, text = evaluate_location(args.data_dir, out)
        print(text)
        table = text.split("\n\n", 1)[1]
    flags = ["--data-dir", args.data_dir, "--out", args.out, "--steps", args.steps, "--batch", args.batch]
    flags += ["--seed", args.seed, "--threads", args.threads]
    for name in ("minutes", "width", "blocks", "lr", "init"):
        if getattr(args, name) is not None:
            flags += [f"--{name}", getattr(args, name)]
    command = "python -m lib_posefill train " + shlex.join(str(f) for f in flags)
    card = write_card(out, command, net.config, log, table, commit)
    print(f"wrote {out} and {card} ({log['steps']} steps, {log['seconds']} s)")
    return 0
