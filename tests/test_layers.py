"""The layer contract (pyproject.toml, checked by `lint-imports` in `make lint`) names every package."""

import tomllib
from pathlib import Path

import jianguan

ROOT = Path(jianguan.__file__).resolve().parent
PYPROJECT = ROOT.parent.parent / "pyproject.toml"


def _layers() -> list[set[str]]:
    contracts = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["tool"]["importlinter"]["contracts"]
    (layers,) = [c["layers"] for c in contracts if c["type"] == "layers"]
    return [{name.strip() for name in layer.split("|")} for layer in layers]


def test_every_package_has_its_layer():
    listed = set().union(*_layers())
    packages = {f"jianguan.{p.name}" for p in ROOT.iterdir() if (p / "__init__.py").is_file()}
    modules = {f"jianguan.{p.stem}" for p in ROOT.glob("*.py") if p.stem not in ("__init__", "__main__")}
    assert packages | modules <= listed, sorted((packages | modules) - listed)
    assert listed <= packages | modules, sorted(listed - packages - modules)
