"""Offline-first model resolution: bundled model, local directories, the Hugging Face cache.

Nothing here downloads unless :func:`pull` is called explicitly.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from mt.errors import ModelNotFoundError

BUNDLED_DIR = Path(__file__).resolve().parent.parent / "models"
DEFAULT_MODEL = "fr-en-small"
HUB_MODEL = "Helsinki-NLP/opus-mt-fr-en"
ENV_VAR = "MT_MODEL"

_REQUIRED_TOKENIZER = ("source.spm", "target.spm", "vocab.json")


@dataclass(frozen=True)
class ModelInfo:
    """A model available on this machine."""

    name: str
    path: Path
    source: str  # "bundled", "directory" or "hf-cache"
    default: bool = False


def is_marian_dir(path: Path) -> bool:
    """Whether ``path`` holds a Marian config, weights and OPUS-MT style tokenizer files."""
    cfg = path / "config.json"
    if not cfg.is_file():
        return False
    try:
        config = json.loads(cfg.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if config.get("architectures") == ["MarianEncoder"]:
        return False  # a sentence encoder (mt/align/embed.py), not a translation model
    has_weights = any(path.glob("*.safetensors")) or any(path.glob("pytorch_model*.bin"))
    has_tok = all((path / f).is_file() for f in _REQUIRED_TOKENIZER)
    return config.get("model_type") == "marian" and has_weights and has_tok


def bundled_models() -> list[ModelInfo]:
    """Models shipped inside the package."""
    if not BUNDLED_DIR.is_dir():
        return []
    return [
        ModelInfo(p.name, p, "bundled")
        for p in sorted(BUNDLED_DIR.iterdir())
        if p.is_dir() and is_marian_dir(p)
    ]


def _hf_cache_snapshot(repo_id: str) -> Path | None:
    """Path of a cached snapshot of ``repo_id``, without touching the network."""
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import LocalEntryNotFoundError

    try:
        return Path(snapshot_download(repo_id, local_files_only=True))
    except (LocalEntryNotFoundError, OSError, ValueError):
        return None


def cached_models() -> list[ModelInfo]:
    """Marian models present in the local Hugging Face cache (``HF_HOME``)."""
    from huggingface_hub import scan_cache_dir
    from huggingface_hub.errors import CacheNotFound

    try:
        cache = scan_cache_dir()
    except (CacheNotFound, OSError):
        return []
    out = []
    for repo in sorted(cache.repos, key=lambda r: r.repo_id):
        if repo.repo_type != "model":
            continue
        for rev in sorted(repo.revisions, key=lambda r: r.last_modified, reverse=True):
            if is_marian_dir(Path(rev.snapshot_path)):
                out.append(ModelInfo(repo.repo_id, Path(rev.snapshot_path), "hf-cache"))
                break
    return out


def default_model_name() -> str:
    """``MT_MODEL`` when set, else the bundled model."""
    return os.environ.get(ENV_VAR) or DEFAULT_MODEL


def list_models() -> list[ModelInfo]:
    """Every model usable offline, the default marked."""
    default = default_model_name()
    infos = bundled_models() + cached_models()
    return [
        ModelInfo(i.name, i.path, i.source, i.name == default or str(i.path) == default)
        for i in infos
    ]


def resolve(model: str | os.PathLike[str] | None = None) -> Path:
    """Turn a model name into a local directory that holds a Marian model.

    ``model`` may be a directory, the name of a bundled model, or a hub id that is already in the
    local Hugging Face cache. ``None`` means ``MT_MODEL`` or the bundled default. Never downloads.
    """
    name = str(model) if model is not None else default_model_name()
    path = Path(name).expanduser()
    if path.exists():
        if not path.is_dir():
            raise ModelNotFoundError(f"model path {path} is not a directory")
        if not is_marian_dir(path):
            raise ModelNotFoundError(
                f"{path} holds no Marian model (needs config.json with model_type 'marian', "
                f"weights and {', '.join(_REQUIRED_TOKENIZER)})"
            )
        return path
    bundled = BUNDLED_DIR / name
    if "/" not in name and "\\" not in name:
        if is_marian_dir(bundled):
            return bundled
        if name == DEFAULT_MODEL:
            raise ModelNotFoundError(
                f"the bundled model '{DEFAULT_MODEL}' is not installed; train it with "
                f"'python scripts/train_marian.py' or use another model: "
                f"'mt models pull {HUB_MODEL}' (needs network) then '--model {HUB_MODEL}'"
            )
    if name.count("/") == 1 and not name.startswith((".", "/")):
        snap = _hf_cache_snapshot(name)
        if snap is not None and is_marian_dir(snap):
            return snap
        raise ModelNotFoundError(
            f"model '{name}' is not in the local Hugging Face cache; download it with 'mt models pull {name}'"
        )
    raise ModelNotFoundError(f"no model '{name}': not a directory, a bundled model or a hub id")


def pull(repo_id: str) -> Path:
    """Download ``repo_id`` from the Hugging Face hub into the local cache (explicit only)."""
    from huggingface_hub import snapshot_download

    try:
        path = Path(
            snapshot_download(
                repo_id,
                allow_patterns=["*.json", "*.spm", "*.safetensors", "*.txt", "*.md"],
            )
        )
    except Exception as exc:  # network, auth, unknown repo: all reported on one line
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ModelNotFoundError(f"could not download '{repo_id}': {reason}") from exc
    if not is_marian_dir(path):
        raise ModelNotFoundError(f"'{repo_id}' was downloaded to {path} but holds no Marian model")
    return path
