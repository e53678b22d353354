"""Enrichment: language, sentiment and the complaint model (see README.md in this folder)."""

from earful.sentiment.classifier import BrandContext, Classifier

__all__ = ["BrandContext", "Classifier", "warm_up"]

WARM_UP_POSTS = [
    "@telvia still no internet, third day! refund now 😡 order #12345 http://t.co/x",
    "интернет не работает уже третий день", "не працює інтернет, поверніть гроші",
    "nie działa aplikacja, proszę o zwrot", "外卖送错了 退款 很难吃", "届かない 返金してください",
    "funktioniert nicht, bitte Geld zurück", "no funciona, quiero un reembolso", "ça ne marche pas du tout",
    "não funciona, quero reembolso", "grazie mille, tutto perfetto", "LOVE IT thanks @telvia 👍",
]


def warm_up() -> None:
    """Compile the classifier's kernels now (numba caches the machine code, so later processes start at
    once): `make` runs this after installing, so the first demo does not wait ~10 s for it."""
    clf = Classifier.load()
    brand = BrandContext("Telvia", ("telvia",), ("vodafone",), ())
    clf.classify_many(WARM_UP_POSTS, [brand] * len(WARM_UP_POSTS))
    clf.classify_many(WARM_UP_POSTS)
