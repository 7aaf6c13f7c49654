# Two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DB ?= casus.duckdb

.PHONY: demo test lint eval clean screenshots

$(BIN)/casus: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(BIN)/casus

demo: $(BIN)/casus
	rm -f $(DB)
	$(BIN)/casus ingest --db $(DB) examples/
	$(BIN)/casus summary --db $(DB)

test: $(BIN)/casus
	$(BIN)/ruff check src tests bench
	$(BIN)/pytest -q

# docs/screenshots/*.png, from the browser tests (a store of examples/ and 12 PolNeAR articles; the fusion story)
screenshots: $(BIN)/casus
	CASUS_SCREENSHOTS=1 $(BIN)/pytest -q tests/test_ui.py tests/test_fusion_web.py

eval: $(BIN)/casus
	../shared/eval/run.sh $(BIN)/casus

clean:
	rm -rf $(VENV) $(DB) .pytest_cache build src/*.egg-info
