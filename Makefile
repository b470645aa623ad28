# Tergeu — two commands on a fresh Debian/Ubuntu machine with Python 3.11+ and make:
#   make run    set up .venv and start the desktop app
#   make test   set up .venv and run lint, types and the whole test suite
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

# Debian packages the app (Qt's X11/EGL libraries, fonts) and the tests (xvfb, the browsers
# chromium, firefox-esr and WebKitGTK's webkit2gtk-driver, ffmpeg, openssl, poppler) need.
SYSTEM_PACKAGES := libegl1 libgl1 libglib2.0-0 libfontconfig1 libdbus-1-3 libxkbcommon0 \
	libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0 \
	libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 libxcb-xfixes0 libx11-xcb1 \
	fonts-dejavu-core xvfb xauth chromium firefox-esr webkit2gtk-driver ffmpeg openssl poppler-utils \
	unzip iproute2

.PHONY: run test lint types pytest bench i18n system-deps venv clean-venv lock

run: system-deps $(STAMP)
	$(VENV)/bin/tergeu

test: system-deps $(STAMP) lint types pytest

venv: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Tergeu needs Python 3.11+"'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

system-deps:
	@missing=$$(for p in $(SYSTEM_PACKAGES); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; \
	done); \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			echo "Installing system packages: $$missing"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
		else \
			echo "Missing system packages. Run as root:"; \
			echo "  sudo apt-get install -y $$missing"; \
			exit 1; \
		fi; \
	fi

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

types: $(STAMP)
	$(VENV)/bin/mypy

pytest: $(STAMP)
	$(VENV)/bin/pytest

# Performance figures, printed as ratios against ffmpeg/openssl run on the same machine.
bench: system-deps $(STAMP)
	for b in tests/benchmarks/bench_*.py; do echo "== $$b"; $(PY) $$b --quick || exit 1; done

# Refresh the translation sources from the code (then translate new entries in kk and ru).
i18n: $(STAMP)
	$(VENV)/bin/pyside6-lupdate -locations none -no-obsolete app/ui/*.py \
		-ts resources/i18n/tergeu_kk.ts resources/i18n/tergeu_ru.ts

# Re-pin the exact versions CI installs (after changing dependencies in pyproject.toml).
lock: $(STAMP)
	$(PY) -m pip freeze --exclude-editable | grep -v '^-e' > constraints.txt

clean-venv:
	rm -rf $(VENV)
