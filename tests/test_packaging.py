"""Packaging: every third-party import is declared, ranges in pyproject and pins only in constraints.txt,
training needs no dev extra and finds its data without a machine-specific path."""

from __future__ import annotations

import ast
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from earful.cli import main
from earful.sentiment import training

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _declared(*extras: str) -> set[str]:
    reqs = list(PYPROJECT["project"]["dependencies"])
    for extra in extras:
        reqs += PYPROJECT["project"]["optional-dependencies"][extra]
    return {canonicalize_name(Requirement(r).name) for r in reqs}


def _imported_top_level(folder: Path) -> set[str]:
    names = set()
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return {n for n in names if n not in sys.stdlib_module_names and n not in {"earful", "tests"}}


def _undeclared(folder: Path, declared: set[str]) -> dict[str, list[str]]:
    dists = packages_distributions()
    out = {}
    for module in sorted(_imported_top_level(folder)):
        names = {canonicalize_name(d) for d in dists.get(module, [module])}
        if not names & declared:
            out[module] = sorted(names)
    return out


def test_every_third_party_import_of_the_package_is_a_main_dependency():
    assert _undeclared(ROOT / "earful", _declared()) == {}


def test_every_third_party_import_of_the_tests_is_declared():
    assert _undeclared(ROOT / "tests", _declared("dev")) == {}


def test_pyproject_has_ranges_and_constraints_pin_every_one_of_them():
    pins = {}
    for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            req = Requirement(line)
            assert str(req.specifier).startswith("=="), line
            pins[canonicalize_name(req.name)] = req.specifier
    reqs = PYPROJECT["project"]["dependencies"] + [r for rs in PYPROJECT["project"]["optional-dependencies"].values()
                                                   for r in rs]
    for text in reqs:
        req = Requirement(text)
        assert "==" not in str(req.specifier) and "<" in str(req.specifier), f"{text}: give a range, pin it in constraints.txt"
        pinned = pins[canonicalize_name(req.name)]
        assert req.specifier.contains(next(iter(pinned)).version), f"{text} excludes its pin {pinned}"


def test_training_needs_no_dev_extra():
    dev = _declared("dev") - _declared()
    assert "scikit-learn" not in dev and "scipy" not in dev
    assert {"scikit-learn", "scipy"} <= _declared()


def test_training_data_folder_is_an_option_then_env_then_beside_the_repo(monkeypatch, tmp_path):
    monkeypatch.delenv(training.DATA_ENV, raising=False)
    assert training.data_dir() == ROOT.parent / "shared" / "data"
    monkeypatch.setenv(training.DATA_ENV, str(tmp_path / "env"))
    assert training.data_dir() == tmp_path / "env"
    assert training.data_dir(tmp_path / "given") == tmp_path / "given"
    assert "/work/" not in (ROOT / "earful" / "sentiment" / "training.py").read_text(encoding="utf-8")


def test_train_without_the_data_says_where_to_point_it(tmp_path, capsys):
    assert main(["train", "--data", str(tmp_path / "nowhere"), "--out", str(tmp_path / "model")]) == 1
    err = capsys.readouterr().err
    assert "nowhere" in err and "--data" in err and "EARFUL_TRAINING_DATA" in err
    assert not (tmp_path / "model").exists()
