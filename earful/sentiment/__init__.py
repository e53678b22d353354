"""Enrichment: language, sentiment and the complaint model (see README.md in this folder)."""

from earful.sentiment.classifier import BrandContext, Classifier

__all__ = ["BrandContext", "Classifier", "warm_up"]


def warm_up() -> None:
    """Compile the classifier's kernels now (numba caches the machine code, so later processes start at
    once): `make` runs this after installing, so the first demo does not wait ~10 s for it."""
    Classifier.load().warmed_up()
