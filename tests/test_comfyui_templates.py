"""What ComfyUI takes from the repository besides the nodes: the folders it serves as workflow templates, and the
node definitions its web frontend turns into widgets. ComfyUI itself is not needed.

Templates: ComfyUI 0.8 (app/custom_node_manager.py) lists every ``*.json`` directly inside a pack folder named
example_workflows, example, examples, workflow or workflows, and serves each folder under the same URL prefix
(the first one registered answers); later versions take any top-level folder whose name contains "example" or
"workflow". Opening a template runs the frontend's workflow schema (``version``, ``nodes``, ``links`` ...): a pose
document there was listed as a workflow and failed with "Workflow does not contain a valid version".

Widgets: the frontend gives an INT input a "control after generate" widget when ``control_after_generate`` is
true or a string (the string is the widget's *name*; its value starts at randomize), and, in versions that
honour the key, also to an INT named seed or noise_seed unless the key is False.
"""

from __future__ import annotations

import json
import numbers
from pathlib import Path

import pytest
from conftest import REPO

from lib_posefill.comfyui import NODE_CLASS_MAPPINGS
from lib_posefill.comfyui.nodes import options_from_widgets
from lib_posefill.options import Options

COMFY_08_FOLDERS = ("example_workflows", "example", "examples", "workflow", "workflows")
SEED_NAMES = ("seed", "noise_seed")
CONTROL_WIDGETS = ("fixed", "increment", "decrement", "randomize")
NODE_KEYS = ("id", "type", "pos", "size", "flags", "order", "mode", "properties")


def template_folders(pack: Path) -> list[Path]:
    """The pack's folders that some ComfyUI version scans for workflow templates (0.8's names, later versions'
    substrings, in any letter case: Windows and macOS globs ignore it)."""
    return sorted(
        d
        for d in pack.iterdir()
        if d.is_dir()
        and (d.name.lower() in COMFY_08_FOLDERS or "example" in d.name.lower() or "workflow" in d.name.lower())
    )


def templates(pack: Path) -> list[Path]:
    """Every file ComfyUI lists as a template: the ``*.json`` directly inside those folders."""
    return sorted(f for folder in template_folders(pack) for f in folder.glob("*.json"))


def is_number(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def is_pair(value) -> bool:
    return isinstance(value, list) and len(value) == 2 and all(map(is_number, value))


def workflow_problems(workflow) -> list[str]:
    """Why the frontend's workflow schema (0.4, links as arrays) would refuse this JSON, or why its links do not
    connect the slots they name: an empty list for a loadable workflow."""
    if not isinstance(workflow, dict):
        return [f"not a workflow object but a {type(workflow).__name__}"]
    problems = [f"no valid {key}" for key in ("version", "last_link_id") if not is_number(workflow.get(key))]
    problems += [f"no {key} list" for key in ("nodes", "links") if not isinstance(workflow.get(key), list)]
    if "last_node_id" not in workflow:
        problems.append("no last_node_id")
    if problems:
        return problems
    nodes = {}
    for node in workflow["nodes"]:
        missing = [key for key in NODE_KEYS if key not in node]
        bad_shape = not (is_pair(node.get("pos")) and is_pair(node.get("size")) and isinstance(node.get("flags"), dict))
        if missing or bad_shape or not isinstance(node.get("properties"), dict):
            problems.append(f"node {node.get('id')}: missing {missing} or a bad pos/size/flags/properties")
        nodes[node.get("id")] = node
    for link in workflow["links"]:
        if not (isinstance(link, list) and len(link) == 6):
            problems.append(f"link {link!r}: expected [id, from, slot, to, slot, type]")
            continue
        link_id, src, src_slot, dst, dst_slot, kind = link
        try:
            output, target = nodes[src]["outputs"][src_slot], nodes[dst]["inputs"][dst_slot]
        except (KeyError, IndexError, TypeError):
            problems.append(f"link {link_id}: no such slots")
            continue
        if not (output["type"] == target["type"] == kind and link_id in (output["links"] or [])):
            problems.append(f"link {link_id}: types or ids do not match its slots")
        if target.get("link") != link_id:
            problems.append(f"link {link_id}: the input does not name it")
    ids = [link[0] for link in workflow["links"] if isinstance(link, list) and link]
    if ids and max(ids) > workflow["last_link_id"]:
        problems.append("last_link_id below a link id")
    return problems


WIDGET_TYPES = ("INT", "FLOAT", "STRING", "BOOLEAN", "COMBO")


def widget_names(cls) -> list[str]:
    """The widgets ComfyUI draws for a node, in order: the inputs that are not connections (combos, INT, FLOAT,
    STRING ...). With no control widget after any of them, a saved workflow holds exactly one value each."""
    required = cls.INPUT_TYPES()["required"]
    return [name for name, spec in required.items() if isinstance(spec[0], list) or spec[0] in WIDGET_TYPES]


def control_problems(cls) -> list[str]:
    """The INT inputs that get a "control after generate" widget in some frontend: a control changes the value
    after every run (PoseFill's seed -1, the best guess, became a random seed). ComfyUI's own nodes keep a seed
    as the user set it with ``control_after_generate: False``."""
    problems = []
    for name, spec in cls.INPUT_TYPES()["required"].items():
        options = spec[1] if len(spec) > 1 else {}
        asks = spec[0] == "INT" and (name in SEED_NAMES or "control_after_generate" in options)
        if asks and options.get("control_after_generate") is not False:
            problems.append(f"{name}: control_after_generate {options.get('control_after_generate')!r}")
    return problems


def test_the_only_template_folder_is_example_workflows():
    """One folder, the name every ComfyUI version with templates scans: two would share one URL prefix, and files
    of the one registered second would not load. The pose documents live in poses/, which none scans."""
    assert [d.name for d in template_folders(REPO)] == ["example_workflows"]
    assert templates(REPO), "no workflow template shipped"
    assert len(list((REPO / "poses").glob("*.json"))) >= 6


@pytest.mark.parametrize("path", templates(REPO), ids=lambda p: p.name)
def test_every_template_is_a_loadable_workflow_of_our_nodes(path):
    workflow = json.loads(path.read_text())
    assert workflow_problems(workflow) == []
    assert path.with_suffix(".jpg").is_file(), "the Templates dialog shows <name>.jpg as the thumbnail"
    ours = [node for node in workflow["nodes"] if node["type"] in NODE_CLASS_MAPPINGS]
    assert ours, "a PoseFill template without a PoseFill node"
    for node in ours:
        cls = NODE_CLASS_MAPPINGS[node["type"]]
        names = widget_names(cls)
        assert len(node["widgets_values"]) == len(names), f"{node['type']}: one value per widget, no control value"
        assert [(o["name"], o["type"]) for o in node["outputs"]] == list(zip(cls.RETURN_NAMES, cls.RETURN_TYPES))
        if "seed" in names:
            values = dict(zip(names, node["widgets_values"]))
            assert options_from_widgets(values).to_dict() == Options().to_dict()  # the defaults: the best guess


def test_pose_documents_in_a_template_folder_are_caught(tmp_path):
    """The layout of the issue: pose documents in examples/, the workflow one folder down (not listed)."""
    pack = tmp_path / "posefill"
    (pack / "examples" / "comfyui").mkdir(parents=True)
    (pack / "examples" / "legs_cut.json").write_text((REPO / "poses" / "legs_cut.json").read_text())
    workflow = (REPO / "example_workflows" / "posefill_controlnet.json").read_text()
    (pack / "examples" / "comfyui" / "posefill_controlnet.json").write_text(workflow)
    assert [p.name for p in templates(pack)] == ["legs_cut.json"]
    problems = workflow_problems(json.loads(templates(pack)[0].read_text()))
    assert "no valid version" in problems and "no nodes list" in problems


@pytest.mark.parametrize("name", sorted(NODE_CLASS_MAPPINGS))
def test_no_int_input_gets_a_value_control(name):
    assert control_problems(NODE_CLASS_MAPPINGS[name]) == []


def test_a_seed_control_that_is_not_false_is_caught():
    """What the nodes declared before ("fixed" named the control widget; its value started at randomize), a
    control asked for, and a seed that says nothing (the frontend adds a randomize control by its name)."""

    class Declared:
        @classmethod
        def INPUT_TYPES(cls):
            return {
                "required": {
                    "seed": ("INT", {"default": -1, "control_after_generate": "fixed"}),
                    "noise_seed": ("INT", {"default": 0}),
                    "steps": ("INT", {"default": 3, "control_after_generate": True}),
                    "count": ("INT", {"default": 3}),
                }
            }

    assert [p.split(":")[0] for p in control_problems(Declared)] == ["seed", "noise_seed", "steps"]


def test_the_seed_widget_defaults_to_the_best_guess():
    for name in ("PoseFill", "PoseFillSequence"):
        seed = NODE_CLASS_MAPPINGS[name].INPUT_TYPES()["required"]["seed"]
        assert seed[0] == "INT" and seed[1]["default"] == -1 and seed[1]["min"] == -1
        assert options_from_widgets({"seed": seed[1]["default"]}).seed is None
