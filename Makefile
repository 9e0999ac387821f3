# The two commands a new user needs (see README):
#   make demo   install everything, then sonify a real photo into out/
#   make test   install everything, then run the test suite (what CI runs)
#   make eval   install everything, then score the pipeline on ~150 labelled photos (eval/)
SHELL := /bin/bash
VENV ?= .venv
export IMAGE_EXTENDER_DATA ?= $(CURDIR)/data
PHOTO ?= $(IMAGE_EXTENDER_DATA)/debian/darknet/usr/share/darknet/data/person.jpg

.PHONY: install demo test eval bench clean

install:
	@bash scripts/setup.sh

demo: install
	$(VENV)/bin/image-extender sonify "$(PHOTO)" -o out/demo --overwrite

test: install
	$(VENV)/bin/python -m pytest -q -p no:cacheprovider

# fetches the evaluation photos' Debian packages into $(IMAGE_EXTENDER_DATA) on first use (~370 MB)
eval: install
	$(VENV)/bin/python -m eval $(EVAL_ARGS)

bench: install
	@command -v sox >/dev/null && [ -e /usr/include/sox.h ] || apt-get install -y -qq sox libsox-dev
	$(VENV)/bin/pip install --quiet -e ".[bench]"
	$(VENV)/bin/python bench/bench_pipeline.py
	$(VENV)/bin/python bench/bench_masking.py
	$(VENV)/bin/python bench/bench_video.py
	$(VENV)/bin/python bench/bench_dataset.py
	$(VENV)/bin/python bench/bench_wordnet_cache.py

clean:
	rm -rf out test-artifacts
