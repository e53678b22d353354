"""Training: reproducible artifact, corrections change the model (three small builds: 300 complaint
tweets each, lexicons built once per process; the full build is `cli_support.train()`)."""

from __future__ import annotations

import json

import pytest

from earful.sentiment import BrandContext, Classifier, training

pytest.importorskip("sklearn")

ODD = "zorblax quux frobnicated my toaster"
SAMPLE = 300


def _build(path, corrections=None, tmp=None):
    return training.build(path, corrections, progress=lambda _: None, cross_validate=False,
                          labelled_dir=tmp / "none", sample=SAMPLE)


def test_train_is_reproducible_and_learns_from_corrections(tmp_path):
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    corrections = [{"text": f"{ODD} {i}", "lang": "en", "brand": "Telvia", "is_complaint": True}
                   for i in range(40)]
    m1 = _build(a, None, tmp_path)
    m2 = _build(b, corrections, tmp_path)
    again = _build(c, None, tmp_path)
    assert m1["version"] == again["version"] != m2["version"]
    for name in ("weights.npz", "meta.json", "lexicons.json"):  # same bytes twice
        assert (a / name).read_bytes() == (c / name).read_bytes()
    assert (a / "weights.npz").stat().st_size < 3_000_000
    meta = json.loads((b / "meta.json").read_text())
    assert meta["training_rows"]["correction"] == 40 and meta["training_rows"]["complaints"] == SAMPLE
    assert "Chen" not in json.dumps(meta["sources"])  # GPL-3.0 word list not used
    brand = BrandContext("Telvia", ("telvia",))
    before = Classifier.load(path=a).classify(ODD, brand).complaint_score
    after = Classifier.load(path=b).classify(ODD, brand).complaint_score
    assert after > before + 0.2


def test_lexicons_never_read_the_gpl_word_list(monkeypatch):
    """The GPL-3.0 Chen-Skiena Russian lists are never read; the shipped lexicons are what the build makes."""
    import builtins
    from pathlib import Path

    if not (training.SHARED / "xlmt_sentiment").is_dir():
        pytest.skip("../shared/data is not beside this checkout (CI always has it)")
    real_open, real_read = builtins.open, Path.read_text

    def guarded_open(file, *args, **kwargs):
        assert "chen_skiena" not in str(file)
        return real_open(file, *args, **kwargs)

    def guarded_read(self, *args, **kwargs):
        assert "chen_skiena" not in str(self)
        return real_read(self, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", guarded_open)
    monkeypatch.setattr(Path, "read_text", guarded_read)
    rebuilt = training._build_lexicons(lambda _: None)
    monkeypatch.undo()
    shipped = json.loads((training.MODEL_DIR / "lexicons.json").read_text(encoding="utf-8"))
    assert shipped["ru"] == rebuilt["ru"] and len(rebuilt["ru"]) > 100
