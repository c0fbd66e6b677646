# The course's commands. Everything runs inside .venv, created on first use.
#   make book   build the website into _build/html (executes every chapter, cached)
#   make notebooks  write notebooks/: the chapters as plain Jupyter notebooks (after book)
#   make test   unit tests + every chapter under nbval + site checks in headless Chromium
#   make serve  serve _build/html on http://127.0.0.1:8000
#   make strip  remove every notebook output except the nbval-checked ones
#   make outputs  re-execute the chapters and keep only their checked outputs
#   make bench  run the benchmark (nnlab vs PyTorch vs scikit-learn)
#   make mutation  mutation testing of the core and training modules (slow; optional)
#   make clean  remove the built site and caches (keeps .venv)
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
BOOK_ROOT ?= .
PORT ?= 8000
# -n nitpicky, -W warnings are errors, --keep-going reports all of them before failing.
JB_FLAGS ?= -nW --keep-going
export PYDEVD_DISABLE_FILE_VALIDATION := 1
NOTEBOOKS := $(sort $(wildcard book/*.ipynb))

.PHONY: setup book notebooks test serve strip outputs bench mutation clean

setup: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	@start=$$(date +%s); \
	if [ ! -x $(BIN)/python ]; then echo "creating $(VENV) with $$($(PYTHON) --version)"; $(PYTHON) -m venv $(VENV) || exit 1; fi; \
	$(BIN)/python -m pip install --quiet --upgrade pip && \
	$(BIN)/python -m pip install --quiet -r requirements.txt && \
	touch $@ && echo "setup: $$(( $$(date +%s) - start )) s"

# The execution cache is keyed on the notebooks' code only, so a change in nnlab would
# leave stale outputs: when nnlab's source differs from the last successful build, every
# chapter is re-executed. After a failed build every page is re-read (--all), so that
# warnings from unchanged pages are reported again instead of being hidden by the cache.
BUILD_DIR = $(BOOK_ROOT)/_build
NNLAB_HASH = $(shell cat $(sort $(wildcard nnlab/*.py nnlab/*/*.py nnlab/datasets/* book/_ext/*.py)) | sha1sum | cut -c1-16)
book: $(STAMP)
	@start=$$(date +%s); extra=""; \
	if [ "$$(cat $(BUILD_DIR)/.nnlab-hash 2>/dev/null)" != "$(NNLAB_HASH)" ]; then \
	  echo "nnlab changed since the last build (or first build): executing every chapter"; \
	  rm -rf $(BUILD_DIR)/.jupyter_cache; extra="--all"; fi; \
	if [ -f $(BUILD_DIR)/.failed ]; then extra="--all"; fi; \
	if $(BIN)/jupyter-book build $(BOOK_ROOT) $(JB_FLAGS) $$extra; then \
	  echo "$(NNLAB_HASH)" > $(BUILD_DIR)/.nnlab-hash; rm -f $(BUILD_DIR)/.failed; \
	else \
	  mkdir -p $(BUILD_DIR); touch $(BUILD_DIR)/.failed; \
	  echo "make book: FAILED (see the errors above; executed-notebook logs are in $(BUILD_DIR)/html/reports/)"; exit 1; \
	fi; \
	echo "book: $$(( $$(date +%s) - start )) s"; \
	echo "Site: $(abspath $(BOOK_ROOT))/_build/html/index.html"

# notebooks/ is committed (Colab and Binder open files from the repository) and
# generated from book/ and the build's glue values: never edit it by hand.
# tests/test_student_notebooks.py fails when it is out of date.
notebooks: $(STAMP) book
	@start=$$(date +%s); \
	$(BIN)/python tools/export_notebooks.py --root $(BOOK_ROOT) --build $(BUILD_DIR) --out $(BOOK_ROOT)/notebooks && \
	echo "notebooks: $$(( $$(date +%s) - start )) s"

test: $(STAMP) book
	@start=$$(date +%s); \
	$(BIN)/python -m pytest tests $(NOTEBOOKS) --nbval-lax --nbval-sanitize-with tests/nbval_sanitize.cfg \
	  -p no:cacheprovider -ra $(PYTEST_ARGS); rc=$$?; \
	echo "tests: $$(( $$(date +%s) - start )) s"; exit $$rc

serve:
	@test -f _build/html/index.html || { echo "no site yet: run 'make book' first"; exit 1; }
	@echo "Serving http://127.0.0.1:$(PORT)/ (Ctrl-C to stop)"
	$(or $(wildcard $(BIN)/python),$(PYTHON)) -m http.server $(PORT) --bind 127.0.0.1 --directory _build/html

strip: $(STAMP)
	$(BIN)/python tools/nbtool.py strip $(NOTEBOOKS)

outputs: $(STAMP)
	$(BIN)/python tools/nbtool.py refresh $(NOTEBOOKS)

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -r requirements-torch.txt
	env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE $(BIN)/python benchmarks/bench.py

# mutmut edits the modules listed in pyproject.toml ([tool.mutmut]) one small change at
# a time and runs their unit tests; tools/mutation_report.py prints the score per module.
# Not part of `make test`: one to two hours on 2 cores for all ~5,800 mutants.
# MUTMUT_ARGS='nnlab.optim*' runs one module; MUTMUT_ARGS='*__mutmut_*[037]' a 30 % sample.
mutation: $(STAMP)
	@start=$$(date +%s); \
	$(BIN)/python -m pip install --quiet "mutmut>=3.2,<4" && \
	$(BIN)/mutmut run --max-children $$(nproc) $(MUTMUT_ARGS); \
	$(BIN)/python tools/mutation_report.py; \
	echo "mutation: $$(( $$(date +%s) - start )) s"

clean:
	rm -rf _build .pytest_cache mutants
	find . -name __pycache__ -type d -not -path "./$(VENV)/*" -prune -exec rm -rf {} +
