# PoseFill: `make app` (install what is needed, start the app: the main job) and `make test` (set up, run every test).
# `make demo` completes the bundled examples from the command line and writes before/after images.
#
# Environments are built here (.venv, .venv-a1111, .venv-forge) and rebuilt only when requirements change.
# Prebuilt ones can be used as they are: VENV=/path VENV_A1111=/path VENV_FORGE=/path make test
# (an environment given on the command line or in the environment is never installed into).

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
GRADIO_TESTS := $(wildcard tests/webui tests/tab)

setup = $(if $(filter environment command,$(origin $(1))),@echo "using $($(1)) as it is",PYTHON=$(PYTHON) .ci/ensure-venv $($(1)) $(2) $(3))

.PHONY: app demo test setup-app setup-runtime setup-dev setup-gradio chromium lint test-core test-gradio

app: setup-app
	$(VENV_APP)/bin/python -m lib_posefill app --host $(HOST) --port $(PORT)

demo: setup-runtime
	$(VENV)/bin/python -m lib_posefill demo -o $(DEMO_OUT)
	@echo "before/after images and completed poses: $(DEMO_OUT)/"

test: setup-dev setup-gradio chromium lint test-core test-gradio

setup-app:
	$(call setup,VENV_APP,app,-r requirements/app.txt)

setup-runtime:
	$(call setup,VENV,runtime,-r requirements/runtime.txt)

setup-dev:
	$(call setup,VENV,dev,-r requirements/dev.txt $(TORCH))

setup-gradio:
	$(call setup,VENV_A1111,a1111,-r requirements/a1111.txt)
	$(call setup,VENV_FORGE,forge,-r requirements/forge.txt)

chromium:  # the browser the WebUI and tab tests drive; installed only when run as root
	@if [[ ! -x /usr/bin/chromium && $$(id -u) == 0 ]]; then \
		apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium; \
	elif [[ ! -x /usr/bin/chromium ]]; then echo "note: /usr/bin/chromium is missing (run as root to install it)"; fi

lint:
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

test-core:
	$(VENV)/bin/python -m pytest tests --ignore=tests/webui --ignore=tests/tab

# pytest exits 5 when it collects no tests, which is fine while a suite is still empty.
test-gradio:
	@for venv in $(VENV_A1111) $(VENV_FORGE); do \
		[[ -n "$(GRADIO_TESTS)" ]] || { echo "no WebUI/tab tests yet"; break; }; \
		echo "$$venv/bin/python -m pytest $(GRADIO_TESTS)"; \
		rc=0; $$venv/bin/python -m pytest $(GRADIO_TESTS) || rc=$$?; \
		[[ $$rc == 0 || $$rc == 5 ]] || exit $$rc; \
	done
