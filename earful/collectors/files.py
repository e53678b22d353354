"""Import posts from JSONL and CSV files, including Kaggle's "Customer Support on Twitter" (TWCS).

Formats (chosen by extension: .jsonl/.ndjson/.json lines, .csv):
- TWCS layout: tweet_id, author_id, inbound, created_at, text, response_tweet_id, in_response_to_tweet_id,
  with or without a leading index column. Imported as platform "x"; the brand accounts are the
  authors whose tweets are not inbound; a customer's tweet belongs to the brand that answered in its
  thread or that it @-mentions; threads follow in_response_to_tweet_id to their root.
- Generic: a column or key `text` (required) and optionally id, author, created_at (ISO 8601 or epoch
  seconds), url, lang, brand, is_brand, platform (default "file"), reply_to_id, thread_id. Rows without
  an id get a stable id hashed from author, time and text, so importing twice adds nothing.

Bad rows never stop an import: a row broken across lines by an unquoted line break is joined back
and reported; a row that cannot be read is skipped and reported with its line number; a line that is
not UTF-8 is read as Windows-1252 and reported. The cursor (rows done, per file fingerprint) makes a
killed import resume where it stopped.

No endpoints, limits or credentials: it reads local files only.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from earful.collectors.base import dump_cursor, load_cursor
from earful.errors import InputError
from earful.model import PLATFORMS, Mention, Page

MAX_TEXT = 100_000
csv.field_size_limit(16 * 1024 * 1024)
_HANDLE = re.compile(r"@(\w{1,30})")


@dataclass
class Problem:
    line: int
    message: str
    skipped: bool

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" + ("" if not self.skipped else " (skipped)")


@dataclass
class Row:
    line: int
    values: dict[str, Any]


@dataclass
class FileReport:
    rows: int = 0
    problems: list[Problem] = field(default_factory=list)


_CR = "\ue000"  # stands in for a bare carriage return inside a CSV field while the csv module parses


def _decoded_lines(path: Path, report: FileReport, bare_cr: bool = False) -> Iterator[str]:
    """Lines of a file, each decoded as UTF-8 or else Windows-1252 (reported), endings kept.

    With bare_cr, carriage returns inside a line (not its CRLF ending) are swapped for a placeholder
    that CsvRows turns back into a line break: the csv module cannot parse them unquoted."""
    with path.open("rb") as fh:
        for number, raw in enumerate(fh, start=1):
            if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError:
                report.problems.append(Problem(number, "not UTF-8; read as Windows-1252", skipped=False))
                line = raw.decode("cp1252", errors="replace")
            if bare_cr:
                body = line[:-2] if line.endswith("\r\n") else line
                if "\r" in body:
                    report.problems.append(Problem(
                        number, "carriage return inside a field (a line break the writer did not quote); "
                        "read as a line break", skipped=False))
                    line = body.replace("\r", _CR) + line[len(body):]
            yield line


def parse_time(value: Any) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, (int, float)) or (isinstance(value, str) and re.fullmatch(r"\d{9,13}(\.\d+)?", value)):
        seconds = float(value)
        if seconds > 1e11:  # milliseconds
            seconds /= 1000
        return datetime.fromtimestamp(seconds, UTC).replace(tzinfo=None)
    text = str(value).strip()
    for fmt in ("%a %b %d %H:%M:%S %z %Y",):
        try:
            return datetime.strptime(text, fmt).astimezone(UTC).replace(tzinfo=None)
        except ValueError:
            pass
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.astimezone(UTC).replace(tzinfo=None) if parsed.tzinfo else parsed


def _stable_id(*parts: Any) -> str:
    return hashlib.sha1("\x1f".join(str(p) for p in parts).encode("utf-8", "replace")).hexdigest()[:20]


def _clean_id(value: Any) -> str:
    text = str(value).strip()
    return text[:-2] if text.endswith(".0") and text[:-2].isdigit() else text


class CsvRows:
    """CSV rows with their line numbers; rows split by unquoted line breaks are joined back."""

    def __init__(self, path: Path, report: FileReport):
        self.path, self.report = path, report

    def __iter__(self) -> Iterator[Row]:
        lines = _decoded_lines(self.path, self.report, bare_cr=True)
        reader = csv.reader(lines)
        try:
            header = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise InputError(f"{self.path}: line 1: cannot read the CSV header: {exc}") from None
        header = [h.strip().lower() for h in header]
        if header and header[0] in ("", "unnamed: 0", "index"):
            header[0] = "__index__"
        width = len(header)
        buffered: list[str] | None = None
        buffered_line = 0
        while True:
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                self.report.problems.append(Problem(reader.line_num, f"unreadable CSV: {exc}", skipped=True))
                continue
            line = reader.line_num
            row = [f.replace(_CR, "\n") if _CR in f else f for f in row]
            if buffered is not None:
                joined = buffered[:-1] + [buffered[-1] + "\n" + (row[0] if row else "")] + row[1:]
                if len(joined) < width:
                    buffered = joined
                    continue
                if len(joined) == width:
                    self.report.problems.append(Problem(
                        buffered_line, f"row broken across lines {buffered_line}-{line} by an unquoted line "
                        "break; joined back", skipped=False))
                    yield Row(buffered_line, dict(zip(header, joined, strict=True)))
                    buffered = None
                    continue
                self.report.problems.append(Problem(
                    buffered_line, f"expected {width} fields, found {len(buffered)}", skipped=True))
                buffered = None
            if not row or (len(row) == 1 and not row[0].strip()):
                continue
            if len(row) < width:
                buffered, buffered_line = row, line
                continue
            if len(row) > width:
                self.report.problems.append(Problem(line, f"expected {width} fields, found {len(row)}", skipped=True))
                continue
            yield Row(line, dict(zip(header, row, strict=True)))
        if buffered is not None:
            self.report.problems.append(Problem(
                buffered_line, f"expected {width} fields, found {len(buffered)}", skipped=True))


class JsonlRows:
    def __init__(self, path: Path, report: FileReport):
        self.path, self.report = path, report

    def __iter__(self) -> Iterator[Row]:
        for number, line in enumerate(_decoded_lines(self.path, self.report), start=1):
            if not line.strip():
                continue
            try:
                value = json.loads(line)
            except ValueError as exc:
                self.report.problems.append(Problem(number, f"not JSON ({exc.msg})", skipped=True))
                continue
            if not isinstance(value, dict):
                self.report.problems.append(Problem(number, "not a JSON object", skipped=True))
                continue
            yield Row(number, value)


def _is_twcs(columns: set[str]) -> bool:
    return {"tweet_id", "author_id", "inbound", "in_response_to_tweet_id"} <= columns


def _truthy(value: Any) -> bool:
    return str(value).strip().lower() in ("true", "1", "yes", "t")


class FileCollector:
    """Imports one file. ``key`` is stable for the file's path; the cursor carries a fingerprint."""

    platform = "file"
    poll_interval = 0.0

    def __init__(self, path: str | Path, page_size: int = 1000):
        self.path = Path(path)
        if not self.path.is_file():
            raise InputError(f"{self.path}: no such file")
        suffix = self.path.suffix.lower()
        if suffix not in (".csv", ".jsonl", ".ndjson", ".json"):
            raise InputError(f"{self.path}: unknown file type {suffix or '(none)'}; use .csv or .jsonl")
        self.kind = "csv" if suffix == ".csv" else "jsonl"
        self.page_size = page_size
        self.key = "file:" + hashlib.sha1(str(self.path.resolve()).encode()).hexdigest()[:16]
        self.report = FileReport()
        self.total_bytes = self.path.stat().st_size
        self.twcs = False

    def fingerprint(self) -> str:
        stat = self.path.stat()
        with self.path.open("rb") as fh:
            head = fh.read(65536)
        return hashlib.sha1(head + str(stat.st_size).encode()).hexdigest()[:16]

    def _rows(self) -> Iterator[Row]:
        return iter(CsvRows(self.path, self.report) if self.kind == "csv" else JsonlRows(self.path, self.report))

    def _twcs_index(self) -> tuple[set[str], dict[str, str], dict[str, str]]:
        """First pass: brand accounts, parent links and each thread's brand."""
        brands: set[str] = set()
        parent: dict[str, str] = {}
        author: dict[str, str] = {}
        scratch = FileReport()
        rows = CsvRows(self.path, scratch)
        for row in rows:
            v = row.values
            tid = _clean_id(v.get("tweet_id", ""))
            author[tid] = v.get("author_id", "")
            if not _truthy(v.get("inbound")):
                brands.add(v.get("author_id", ""))
            if v.get("in_response_to_tweet_id"):
                parent[tid] = _clean_id(v["in_response_to_tweet_id"])
        thread_brand: dict[str, str] = {}
        for tid, name in author.items():
            if name in brands:
                thread_brand.setdefault(self._root(tid, parent), name)
        return brands, parent, thread_brand

    @staticmethod
    def _root(tid: str, parent: dict[str, str]) -> str:
        seen = 0
        while tid in parent and seen < 1000:
            tid, seen = parent[tid], seen + 1
        return tid

    def _mention_twcs(self, row: Row, brands: set[str], parent: dict[str, str],
                      thread_brand: dict[str, str]) -> Mention | None:
        v = row.values
        tid = _clean_id(v.get("tweet_id", ""))
        created = parse_time(v.get("created_at"))
        if not tid or created is None:
            self.report.problems.append(Problem(row.line, "missing tweet_id or unreadable created_at", skipped=True))
            return None
        author = v.get("author_id", "")
        text = (v.get("text") or "")[:MAX_TEXT]
        is_brand = author in brands
        root = self._root(tid, parent)
        brand = author if is_brand else thread_brand.get(root)
        if brand is None:
            handles = [h for h in _HANDLE.findall(text) if h in brands]
            brand = handles[0] if handles else None
        reply_to = _clean_id(v["in_response_to_tweet_id"]) if v.get("in_response_to_tweet_id") else None
        return Mention(platform="x", id=tid, author=author, author_id=author, text=text, created_at=created,
                       url=None, reply_to_id=reply_to, thread_id=root, raw={"line": row.line, **v},
                       brand=brand or "unknown", is_brand=is_brand, source=self.key)

    def _mention_generic(self, row: Row) -> Mention | None:
        v = row.values
        text = v.get("text")
        if not isinstance(text, str) or not text.strip():
            self.report.problems.append(Problem(row.line, "no text", skipped=True))
            return None
        platform = str(v.get("platform") or "file").strip().lower()
        if platform not in PLATFORMS:
            self.report.problems.append(Problem(row.line, f"unknown platform {platform!r}", skipped=True))
            return None
        created = parse_time(v.get("created_at"))
        if v.get("created_at") not in (None, "") and created is None:
            self.report.problems.append(Problem(row.line, f"unreadable created_at {str(v.get('created_at'))[:40]!r}",
                                                skipped=True))
            return None
        author = str(v.get("author") or "")
        ident = _clean_id(v["id"]) if v.get("id") not in (None, "") else _stable_id(author, v.get("created_at"), text)
        brand = v.get("brand") or None
        return Mention(platform=platform, id=ident, author=author, author_id=str(v.get("author_id") or author) or None,
                       text=text[:MAX_TEXT], created_at=created or datetime(1970, 1, 1),
                       url=v.get("url") or None, reply_to_id=_clean_id(v["reply_to_id"]) if v.get("reply_to_id") else None,
                       thread_id=_clean_id(v["thread_id"]) if v.get("thread_id") else None,
                       lang_hint=v.get("lang") or None, raw={"line": row.line},
                       brand=str(brand) if brand else None, is_brand=_truthy(v.get("is_brand", False)), source=self.key)

    def _detect_twcs(self) -> bool:
        if self.kind != "csv":
            return False
        with self.path.open("r", encoding="utf-8", errors="replace", newline="") as fh:
            header = next(csv.reader([fh.readline()]), [])
        return _is_twcs({h.strip().lower() for h in header})

    async def pages(self, cursor: str | None) -> AsyncIterator[Page]:
        state = load_cursor(cursor)
        fingerprint = self.fingerprint()
        done_rows = int(state.get("rows", 0)) if state.get("fingerprint") == fingerprint and not state.get("done") else 0
        self.twcs = self._detect_twcs()
        index = self._twcs_index() if self.twcs else None
        batch: list[Mention] = []
        count = 0
        for row in self._rows():
            count += 1
            if count <= done_rows:
                continue
            m = self._mention_twcs(row, *index) if index else self._mention_generic(row)
            if m is not None:
                batch.append(m)
            if count % self.page_size == 0:
                yield self._page(batch, fingerprint, count, row.line, done=False)
                batch = []
        self.report.rows = count
        yield self._page(batch, fingerprint, count, None, done=True)

    def _page(self, batch: list[Mention], fingerprint: str, rows: int, line: int | None, done: bool) -> Page:
        cursor = dump_cursor({"fingerprint": fingerprint, "rows": rows, "done": done})
        return Page(batch, cursor, meta={"rows": rows, "line": line, "done": done})

    async def aclose(self) -> None:
        return None

