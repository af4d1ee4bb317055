# Set-up installs the package with its development tools, and Debian's Chromium for the
# dashboard's browser test (Playwright drives it; Playwright downloads nothing itself).
.PHONY: setup test

setup:
	pip install -e ".[dev]"
	@command -v chromium >/dev/null 2>&1 || { \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

test:
	python -m pytest -q
