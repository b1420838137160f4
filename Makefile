# Mentiondesk - every verb bootstraps what it needs. `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Python 3.12 (the Lambda runtime) when available, else 3.11. pyenv shims only answer for
# versions pyenv has selected, so ask pyenv for 3.12 directly when it is installed.
PYTHON ?= $(shell for p in "$$(pyenv prefix 3.12 2>/dev/null | head -1)/bin/python3.12" python3.12 python3.11 python3; do \
	$$p -c 'import sys; assert sys.version_info >= (3, 11)' 2>/dev/null && { command -v $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
SAM_VENV := .venv-sam
SAM := $(SAM_VENV)/bin/sam
# checkov's pins clash with the project's (like aws-sam-cli's): it gets its own virtual environment.
CHECKOV_VENV := .venv-checkov
CHECKOV := $(CHECKOV_VENV)/bin/checkov
STAMP := $(VENV)/.installed
export AWS_DEFAULT_REGION ?= ap-northeast-1
export SAM_CLI_TELEMETRY := 0
PORT ?= 3000
ARGS ?=

help: ## list the verbs
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "Python 3.11+ is required"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

$(SAM): | $(STAMP)
	@test -x $(SAM_VENV)/bin/python || $(PYTHON) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/python -m pip install --quiet aws-sam-cli==1.170.0

$(CHECKOV): | $(STAMP)
	@test -x $(CHECKOV_VENV)/bin/python || $(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet checkov==3.3.30

install: $(STAMP) ## create .venv and install the project (editable) with its dev tools

run: $(STAMP) ## the local stack with demo data at http://127.0.0.1:3000 (no AWS account)
	$(BIN)/mentiondesk run --port $(PORT) $(ARGS)

test: $(STAMP) ## the whole suite: unit, workflow, local stack over HTTP, browser
	$(BIN)/python -m pytest $(ARGS)

bench: $(STAMP) ## speed, DynamoDB calls and cost per ticket: one JSON object (docs/scaling.md)
	@$(BIN)/mentiondesk bench

burst: $(STAMP) ## 300 X webhook events in one minute on the local stack (~5 min): nothing lost or doubled (docs/scaling.md)
	@$(BIN)/mentiondesk bench --burst 300 --over 60

fuzz: $(STAMP) ## the long fuzzing profile: 5,000 random examples per parser and verifier (docs/security.md)
	HYPOTHESIS_PROFILE=long $(BIN)/python -m pytest tests/fuzz -m fuzz -q -p no:cacheprovider --timeout 0 $(ARGS)

lint: $(STAMP) $(SAM) $(CHECKOV) ## ruff, mypy, cfn-lint (+ serverless rules), sam validate --lint, the ASL checks, security
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/cfn-lint template.yaml --append-rules cfn_lint_serverless.rules scripts/cfn_lint_rules
	$(SAM) validate --lint
	$(BIN)/python scripts/check_asl.py
	@$(MAKE) --no-print-directory security

# Each tool's suppressions carry their reason next to them: .bandit, .checkov.yaml, template.yaml, .secrets.baseline.
security: $(STAMP) $(CHECKOV) ## static security gates: bandit, checkov, the secrets scan (docs/security.md)
	$(BIN)/bandit --ini .bandit --severity-level medium --quiet
	$(CHECKOV) --config-file .checkov.yaml
	$(BIN)/python scripts/check_secrets.py

format: $(STAMP) ## ruff format and the safe fixes
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

build: $(SAM) ## sam build (arm64 wheels from PyPI; needs python3.12 on PATH)
	PATH="$(dir $(PYTHON)):$$PATH" $(SAM) build --parallel

deploy: build ## sam build + sam deploy (samconfig.toml: default = dev, ENV=prod for prod)
	$(SAM) deploy --config-env $(or $(ENV),default)

clean: ## remove build output (keeps the virtual environments)
	rm -rf .aws-sam build dist .pytest_cache .mypy_cache .ruff_cache

.PHONY: help install run test bench fuzz lint security format build deploy clean
