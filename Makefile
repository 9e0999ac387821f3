# The two commands a new user needs (see README):
#   make demo   install everything, then sonify a real photo into out/
#   make test   install everything, then run the test suite (what CI runs)
SHELL := /bin/bash
VENV ?= .venv
export IMAGE_EXTENDER_DATA ?= $(CURDIR)/data
PHOTO ?= $(IMAGE_EXTENDER_DATA)/debian/darknet/usr/share/darknet/data/person.jpg

.PHONY: install demo test bench clean

install:
	@bash scripts/setup.sh

demo: install
	$(VENV)/bin/image-extender sonify "$(PHOTO)" -o out/demo --overwrite

test: install
	$(VENV)/bin/python -m pytest -q -p no:cacheprovider

bench: install
	@command -v sox >/dev/null && [ -e /usr/include/sox.h ] || apt-get install -y -qq sox libsox-dev
	$(VENV)/bin/pip install --quiet -e ".[bench]"
	$(VENV)/bin/python bench/bench_pipeline.py
	$(VENV)/bin/python bench/bench_masking.py
	$(VENV)/bin/python bench/bench_dataset.py

clean:
	rm -rf out test-artifacts
