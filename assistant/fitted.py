"""Models fitted by eval/ and stored as data (assistant/data/*.json): reading one, and finding the one a setting names.

Each stored fit names the features it was fitted on, in order, and holds per-feature vectors (weights, and for
standardised models mean and scale) and scalars (bias, a threshold). A file that cannot be read, was fitted on
other features, or holds a non-finite number stops the app at start with one line saying how to mend it.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.errors import ConfigError


@dataclass(frozen=True)
class Kind:
    """One kind of stored fit: what it is called, what refits it, and the setting that names it."""

    name: str  # "the passage ranker"
    trainer: str  # "eval.train_ranker"
    variable: str  # "ASSISTANT_RANKER"
    hand: str  # the setting value meaning "the hand-set one": "hand" / "checks"


def read_fit(
    path: Path,
    kind: Kind,
    features: Sequence[str],
    vectors: Sequence[str],
    scalars: Sequence[str],
    check: Callable[[dict[str, Any]], str] | None = None,
) -> dict[str, Any]:
    """The stored fit at `path` as {key: tuple of floats or float, "data": the whole file}; ConfigError (one line)
    if it is unreadable, fitted on other features, not one finite number per feature, or `check` says why not."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if tuple(data["features"]) != tuple(features):
            raise ValueError(f"fitted on features {data['features']}, this code has {list(features)}")
        out: dict[str, Any] = {key: tuple(float(v) for v in data[key]) for key in vectors}
        out |= {key: float(data[key]) for key in scalars}
        if any(len(out[key]) != len(features) for key in vectors):
            raise ValueError(f"needs one value per feature in each of {', '.join(vectors)}")
        if not all(math.isfinite(v) for key in vectors for v in out[key]) or not all(math.isfinite(out[key]) for key in scalars):
            raise ValueError("every number must be finite")
        problem = check(out) if check else ""
        if problem:
            raise ValueError(problem)
    except (OSError, ValueError, TypeError, KeyError) as exc:
        raise ConfigError(
            f"Cannot read {kind.name} {path} ({exc}); restore the shipped file (git checkout -- assistant/data/{path.name}), "
            f"refit it with `python -m {kind.trainer} --write`, or set {kind.variable}={kind.hand}."
        ) from None
    return out | {"data": data}


def named_fit(setting: str, kind: Kind, shipped: Path) -> Path | None:
    """The file a setting names: None for the hand-set one (setting == kind.hand, or empty with nothing shipped);
    ConfigError (one line) when a named file does not exist."""
    if setting == kind.hand:
        return None
    path = Path(setting) if setting else shipped
    if not path.exists():
        if setting:
            raise ConfigError(f"{kind.variable}={setting}: no such file; train one with `python -m {kind.trainer}` or unset it.")
        return None
    return path


def positive(key: str) -> Callable[[dict[str, Any]], str]:
    """A check: every value of the vector `key` is positive (a standardising scale)."""
    return lambda fit: "" if all(v > 0 for v in fit[key]) else f"every {key} must be positive"
