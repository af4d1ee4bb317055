"""The word patterns the stages share."""

from __future__ import annotations

import re

# Latin letters as French writes them, accented ones and ligatures included
LETTERS = r"A-Za-zÀ-ÖØ-öø-ÿŒœÆæ"
# a run of those letters
LATIN_WORD = re.compile(rf"[{LETTERS}]+")
# a run of letters of any script
WORD = re.compile(r"[^\W\d_]+")
