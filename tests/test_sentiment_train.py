"""Training: reproducible artifact, corrections change the model (slower: two short builds)."""

from __future__ import annotations

import json

import pytest

from earful.sentiment import BrandContext, Classifier
from earful.sentiment import training

pytest.importorskip("sklearn")

ODD = "zorblax quux frobnicated my toaster"


def test_train_is_reproducible_and_learns_from_corrections(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    corrections = [{"text": f"{ODD} {i}", "lang": "en", "brand": "Telvia", "is_complaint": True}
                   for i in range(40)]
    m1 = training.build(a, None, progress=lambda _: None, cross_validate=False, labelled_dir=tmp_path / "none")
    m2 = training.build(b, corrections, progress=lambda _: None, cross_validate=False, labelled_dir=tmp_path / "none")
    again = training.build(tmp_path / "c", None, progress=lambda _: None, cross_validate=False, labelled_dir=tmp_path / "none")
    assert m1["version"] == again["version"] != m2["version"]
    assert (a / "weights.npz").read_bytes() == (tmp_path / "c" / "weights.npz").read_bytes()
    assert (a / "weights.npz").stat().st_size < 3_000_000
    meta = json.loads((b / "meta.json").read_text())
    assert meta["training_rows"]["correction"] == 40
    brand = BrandContext("Telvia", ("telvia",))
    before = Classifier.load(path=a).classify(ODD, brand).complaint_score
    after = Classifier.load(path=b).classify(ODD, brand).complaint_score
    assert after > before + 0.2
