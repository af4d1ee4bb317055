# Set-up installs the package with its development tools, and Debian's Chromium for the
# dashboard's browser test (Playwright drives it; Playwright downloads nothing itself).
.PHONY: setup test docs

setup:
	pip install -e ".[dev]"
	@command -v chromium >/dev/null 2>&1 || { \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

test:
	python -m pytest -q

# the documentation site at http://127.0.0.1:8000/, rebuilt as its pages change
docs:
	NO_MKDOCS_2_WARNING=1 mkdocs serve
