"""Enrichment: language, sentiment and the complaint model (see README.md in this folder)."""

from earful.sentiment.classifier import BrandContext, Classifier

__all__ = ["BrandContext", "Classifier"]
