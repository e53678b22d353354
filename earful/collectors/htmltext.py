"""HTML to plain text for collectors whose platforms send HTML (Mastodon content, HN comments, feeds).

Text from the internet is hostile: this never evaluates anything, never uses regular expressions on
markup, drops <script>/<style>/<template> bodies, decodes entities once, and keeps every character
of the visible text as it was (emoji, right-to-left marks, zero-width and control characters,
repeated spaces). Block elements become paragraph breaks, <br> a newline.
"""

from __future__ import annotations

from html.parser import HTMLParser

_BLOCK = frozenset({
    "p", "div", "li", "ul", "ol", "blockquote", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table",
    "section", "article", "header", "footer", "aside", "figure", "figcaption", "dl", "dt", "dd", "hr",
})
_EDGE = " \t\r\n"  # only ordinary whitespace is trimmed; other control characters are content
_SKIP = frozenset({"script", "style", "template", "noscript", "iframe", "object", "svg", "math", "head", "title"})


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.pending = ""  # a paragraph break waiting for the next visible text
        self.skip_depth = 0

    def _emit(self, text: str) -> None:
        if self.pending and self.out:
            self.out.append(self.pending)
        self.pending = ""
        self.out.append(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self.skip_depth += 1
        elif self.skip_depth:
            return
        elif tag == "br":
            self._emit("\n")
        elif tag in _BLOCK:
            self.pending = "\n\n"

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            return
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skip_depth = max(0, self.skip_depth - 1)
        elif not self.skip_depth and tag in _BLOCK:
            self.pending = "\n\n"

    def handle_data(self, data: str) -> None:
        if not self.skip_depth and data:
            self._emit(data)


def html_to_text(html: str | None) -> str:
    """Visible text of an HTML fragment; leading/trailing whitespace removed."""
    if not html:
        return ""
    parser = _Text()
    try:
        parser.feed(html)
        parser.close()
    except Exception:  # HTMLParser is lenient; anything it still rejects falls back to raw text
        return html.strip(_EDGE)
    return "".join(parser.out).strip(_EDGE)
