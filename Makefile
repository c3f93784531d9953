# Two commands on a fresh machine with Python 3.11 and git:
#   make demo   - generate demo data, build the warehouse, print a summary
#   make test   - run the whole test suite
# Both create the project-local virtual environment .venv on first use.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CUSTOMERS ?= 2000
SEED ?= 42
# Processes `make test` runs the suite on (pytest-xdist; each test folder on
# one of them, the Spark and PostgreSQL tests first and apart); 0 runs it in
# one process. Three suit a 2-core machine: much of the suite waits on dbt's
# single-threaded Python and on Spark's per-statement latency.
TEST_WORKERS ?= 3

.PHONY: demo test lint metadata venv lock clean help bench-generate bench-identity bench-scale bench-scoring

help:
	@echo "make demo    generate demo data, build the DuckDB warehouse, print a summary"
	@echo "make test    lint the SQL and run every test (pytest, dbt build, data tests)"
	@echo "make lint    sqlfluff lint the models, ruff check the Python"
	@echo "make metadata  the metadata gate: descriptions, primary-key tests, contracts (dbt-score)"
	@echo "make bench-identity  identity resolution vs ground truth and Splink (CUSTOMERS=2000)"
	@echo "make bench-scale     full and incremental builds at 10k, 100k and 1M customers"
	@echo "make bench-scoring   churn and upsell out of time on demo data and CDNOW, scoring 1M customers"
	@echo "make clean   remove generated data, the warehouse and dbt artefacts"

$(STAMP): pyproject.toml requirements/lock.txt requirements/data.txt requirements/sdist.txt
	@test -n "$(PYTHON)" || { echo "Python 3.11 is required"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements/lock.txt
	$(BIN)/python -m pip install --quiet --no-deps -r requirements/data.txt
	$(BIN)/python -m pip download --quiet --no-deps --no-binary :all: -r requirements/sdist.txt -d $(VENV)/share/c360/sdist
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)
	$(BIN)/c360 demo --customers $(CUSTOMERS) --seed $(SEED)

lint: $(STAMP)
	C360_WAREHOUSE=:memory: $(BIN)/sqlfluff lint models --processes 2
	$(BIN)/ruff check scripts tests

# The metadata gate: every model, source, seed and snapshot and each of their
# columns described, a primary-key test on every model, an enforced contract
# on every public mart (dbt-score, rules in scripts/c360/metadata_rules.py,
# settings in pyproject.toml), on a manifest parsed with every source on.
metadata: $(STAMP)
	C360_WAREHOUSE=:memory: $(BIN)/dbt parse --quiet --project-dir . --profiles-dir . --target duckdb \
	  --target-path target/metadata --vars '{c360_disabled_sources: []}'
	$(BIN)/dbt-score lint --manifest target/metadata/manifest.json --show failing-items

test: $(STAMP)
	$(BIN)/c360 contract --check
	$(MAKE) lint
	$(MAKE) metadata
	$(BIN)/python -m pytest -n $(TEST_WORKERS)

bench-generate: $(STAMP)
	$(BIN)/python -m c360.generate.bench --customers 1000000 --seed $(SEED)

bench-scale: $(STAMP)
	$(BIN)/c360 bench scale

bench-scoring: $(STAMP)
	$(BIN)/c360 bench scoring --customers $(CUSTOMERS) --seed $(SEED) --throughput 1000000

bench-identity: $(STAMP)
	$(BIN)/c360 bench identity --customers $(CUSTOMERS) --seed $(SEED)

lock:
	rm -rf /tmp/c360-lock && $(PYTHON) -m venv /tmp/c360-lock
	/tmp/c360-lock/bin/pip install --quiet -e '.[dev,bench,postgres,spark]'
	{ echo "# Pinned, tested versions for the demo and the test suite (Python 3.11)."; \
	  echo "# Refresh: make lock"; /tmp/c360-lock/bin/pip freeze --exclude-editable; } > requirements/lock.txt

clean:
	rm -rf data/demo .warehouse target logs
