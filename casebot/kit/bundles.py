"""What an installed adapter package brings besides its adapter: mappings and widgets.

An adapter package is found through its ``casebot.adapters`` entry point
(:mod:`casebot.kit.plugins`). Beside the adapter module, by convention:

- ``mappings/*.yaml``: the mappings into its system (loaded with the shipped
  ones; code tables stay the shipped ``mappings/codes``);
- ``widgets.py`` or ``widgets/``: widget classes registered with
  ``@casebot.kit.widgets.register`` (imported when the widget kit first loads);
- ``form.yaml``: its form description, read by the adapter itself.

Packages are located without importing them (an adapter that fails to import
is reported by ``casebot adapters list``, not here).
"""

from __future__ import annotations

import importlib
import importlib.util
from functools import cache
from importlib.metadata import entry_points
from pathlib import Path

from casebot.errors import ConfigError

GROUP = "casebot.adapters"


@cache
def packages() -> dict[str, tuple[str, Path]]:
    """Entry-point name -> (module name, folder) of each installed adapter package."""
    out: dict[str, tuple[str, Path]] = {}
    for ep in entry_points(group=GROUP):
        module = ep.value.split(":")[0].strip()
        try:
            spec = importlib.util.find_spec(module)
        except (ImportError, ValueError):
            continue
        if spec is None or not spec.origin:
            continue
        folder = Path(spec.origin).parent
        if spec.submodule_search_locations is None:
            continue  # a bare module, not a package: nothing beside it is its own
        out[ep.name] = (module, folder)
    return out


def mapping_files() -> list[Path]:
    """The ``mappings/*.yaml`` of every installed adapter package."""
    files: list[Path] = []
    for _module, folder in packages().values():
        d = folder / "mappings"
        if d.is_dir():
            files += sorted([*d.glob("*.yaml"), *d.glob("*.yml")])
    return files


def import_widgets() -> None:
    """Import the widget modules of every installed adapter package (they register themselves)."""
    for name, (module, folder) in packages().items():
        if (folder / "widgets.py").is_file() or (folder / "widgets" / "__init__.py").is_file():
            try:
                importlib.import_module(f"{module}.widgets")
            except Exception as exc:
                raise ConfigError(f"adapter {name!r}: its widgets failed to load: {exc}") from exc
