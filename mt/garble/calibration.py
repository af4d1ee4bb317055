"""Flag confidences calibrated as probabilities: for each flag type, the share of its flags that
sat on real damage on the dev halves of the garble benchmarks, as a monotone function of the
detector's own confidence (isotonic regression, fitted by ``eval/garble_heldout.py
--calibrate``). A type without a fitted table keeps its detector's confidence."""

from __future__ import annotations

import json
from dataclasses import replace
from functools import cache
from pathlib import Path

import numpy as np

from mt.records import Flag

CALIBRATION_PATH = Path(__file__).resolve().parent.parent / "data" / "garble-calibration.json"


@cache
def _table() -> dict[str, tuple[list[float], list[float]]]:
    if not CALIBRATION_PATH.is_file():
        return {}
    found = json.loads(CALIBRATION_PATH.read_text(encoding="utf-8"))
    return {t: (v["x"], v["y"]) for t, v in found.items()}


def calibrated(flag: Flag) -> Flag:
    """``flag`` with its confidence read through its type's calibration."""
    curve = _table().get(flag.type)
    if curve is None:
        return flag
    return replace(flag, confidence=round(float(np.interp(flag.confidence, *curve)), 4))


def reload() -> None:
    """Read the calibration file again (after it is rewritten)."""
    _table.cache_clear()
