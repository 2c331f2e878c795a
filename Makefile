# PoseFill: `make app` (install what is needed, start the app: the main job) and `make test` (set up, run every test).
# `make demo` completes the bundled examples from the command line and writes before/after images.
#
# Environments are built here (.venv, .venv-a1111, .venv-forge, .venv-app), each with PoseFill installed in editable
# mode (pyproject.toml) beside the pins in requirements/, and rebuilt only when those files change.
# Prebuilt ones can be used as they are: VENV=/path VENV_A1111=/path VENV_FORGE=/path VENV_APP=/path make test
# (an environment given on the command line or in the environment is never installed into).
# The tab and WebUI tests run under each gradio stack: 3.41.2 (AUTOMATIC1111), 4.40.0 (Forge), 6.31.0 (the app).

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
PYTHON ?= python3
VENV ?= .venv
VENV_A1111 ?= .venv-a1111
VENV_FORGE ?= .venv-forge
VENV_APP ?= .venv-app
HOST ?= 127.0.0.1
PORT ?= 7860
TORCH ?= torch==2.13.0
DEMO_OUT ?= out/demo
DATA ?=
TRAIN_OUT ?= out/posefill.onnx
GRADIO_TESTS := $(wildcard tests/webui tests/tab)
GRADIO_VENVS = $(VENV_A1111) $(VENV_FORGE) $(VENV_APP)

setup = $(if $(filter environment command,$(origin $(1))),@echo "using $($(1)) as it is",PYTHON=$(PYTHON) .ci/ensure-venv $($(1)) $(2) $(3))

.PHONY: app demo train test setup-app setup-runtime setup-dev setup-gradio chromium lint test-core test-gradio test-package

app: setup-app
	$(VENV_APP)/bin/python -m lib_posefill app --host $(HOST) --port $(PORT)

demo: setup-runtime
	$(VENV)/bin/python -m lib_posefill demo -o $(DEMO_OUT)
	@echo "before/after images and completed poses: $(DEMO_OUT)/"

train: setup-dev
	@test -n "$(DATA)" || { echo 'usage: make train DATA=~/coco (COCO 2017 keypoints: see the README, "COCO 2017 keypoints")'; exit 2; }
	$(VENV)/bin/python -m lib_posefill train --data-dir $(DATA) --out $(TRAIN_OUT)

test: setup-dev setup-gradio chromium lint test-core test-gradio test-package

setup-app:
	$(call setup,VENV_APP,app,-e ".[app]" -r requirements/app.txt)

setup-runtime:
	$(call setup,VENV,runtime,-e .)

setup-dev:
	$(call setup,VENV,dev,-e ".[train]" -r requirements/dev.txt $(TORCH))

setup-gradio:
	$(call setup,VENV_A1111,a1111,-e . -r requirements/a1111.txt)
	$(call setup,VENV_FORGE,forge,-e . -r requirements/forge.txt)
	$(call setup,VENV_APP,app-test,-e ".[app]" -r requirements/app-test.txt)

chromium:  # the browser the WebUI and tab tests drive; installed only when run as root
	@if [[ ! -x /usr/bin/chromium && $$(id -u) == 0 ]]; then \
		apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium; \
	elif [[ ! -x /usr/bin/chromium ]]; then echo "note: /usr/bin/chromium is missing (run as root to install it)"; fi

lint:
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

test-core:
	$(VENV)/bin/python -m pytest tests --ignore=tests/webui --ignore=tests/tab --ignore=tests/package

# pytest exits 5 when it collects no tests, which is fine while a suite is still empty.
test-gradio:
	@for venv in $(GRADIO_VENVS); do \
		[[ -n "$(GRADIO_TESTS)" ]] || { echo "no WebUI/tab tests yet"; break; }; \
		echo "$$venv/bin/python -m pytest $(GRADIO_TESTS)"; \
		rc=0; $$venv/bin/python -m pytest $(GRADIO_TESTS) || rc=$$?; \
		[[ $$rc == 0 || $$rc == 5 ]] || exit $$rc; \
	done

# Build the sdist and the wheel, install the wheel into a new environment outside the checkout, run it there, and
# tests/package with that environment's Python (the installed package's checks and README.md's code blocks).
test-package:
	PYTHON=$(PYTHON) TORCH="$(TORCH)" .ci/check-package
