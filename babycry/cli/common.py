"""Helpers shared by the ``babycry`` sub-commands."""

from __future__ import annotations

import json

from ..errors import InvalidParameterError

__all__ = ["print_json", "data_default", "parse_set_overrides"]


def print_json(obj: object) -> None:
    """Print ``obj`` as indented JSON (NaN is an error: the output must be valid JSON)."""
    print(json.dumps(obj, indent=2, allow_nan=False))


def data_default() -> str:
    """The default ``--data`` folder (``BABYCRY_DATA`` or ``../shared/data``)."""
    from ..data import default_data_dir

    return str(default_data_dir())


def parse_set_overrides(items: list[str] | None) -> dict:
    """``KEY=VALUE`` strings (``--set``) as recipe changes; a VALUE that is JSON is decoded, else a string.

    Dotted keys reach nested settings (see :meth:`babycry.training.recipes.Recipe.replace`).

    Examples
    --------
    >>> parse_set_overrides(["fit.epochs=3", 'model={"hidden_size": 32}', "augment.train_only_labels=removed"])
    {'fit.epochs': 3, 'model': {'hidden_size': 32}, 'augment.train_only_labels': 'removed'}
    """
    changes = {}
    for item in items or []:
        if "=" not in item:
            raise InvalidParameterError(f"--set expects KEY=VALUE, got {item!r}.")
        key, value = item.split("=", 1)
        try:
            changes[key] = json.loads(value)
        except json.JSONDecodeError:
            changes[key] = value
    return changes
