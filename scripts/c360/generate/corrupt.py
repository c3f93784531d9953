"""Hostile input: adversarial rows appended to every raw table, with their truth.

``corrupt_dataset(root)`` takes a generated dataset (``raw/`` and ``truth/``)
and appends to each raw table rows that real sources deliver and a build must
survive: null and blank keys, exact and conflicting duplicates, values of the
wrong type, very long strings, control characters, dates in 1900 and 2100,
negative, non-numeric and overflowing amounts, out-of-range scores and
counts, and legal but awkward text (Unicode, emoji, right-to-left script,
quotes, SQL-looking text, line breaks).

Each injected row is a copy of a clean row of the same table with exactly one
change, so it must trigger exactly one data-quality rule, or none where the
value is legal text. ``truth/injected_rows.parquet`` records, per injected
row, the record key (a fresh key, the copied row's key for duplicates, null
for null and blank keys), what was injected into which column, a marker
token carried by injected text (to find it downstream), and the expected
outcome: ``quarantine`` with the rule, or ``staged``.

The expected rules assume the project's default limits
(`c360_max_text_length` 1000, free-text columns 100,000 characters,
`c360_plausible_dates` 1901-01-01 .. 2099-12-31).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .schema import TABLES, Table

TRUTH_FILE = "injected_rows.parquet"
TRUTH_SCHEMA = pa.schema([
    ("source_name", pa.string()), ("table_name", pa.string()), ("record_key", pa.string()),
    ("injection", pa.string()), ("column_name", pa.string()), ("marker", pa.string()),
    ("expected_outcome", pa.string()), ("expected_rule", pa.string()),
])

#: Columns holding a person's or an organisation's name, in order of preference.
NAME_COLUMNS = (
    "first_name", "last_name", "customer_first_name", "customer_last_name", "customer_name",
    "requester_name", "subject_name", "display_name", "author_display_name", "claimant_first_name",
    "claimant_last_name",
)
#: Free-text columns (declared with a larger `max_length`).
FREE_TEXT_COLUMNS = ("body", "text", "description", "comment")
#: Longer than the default limit of plain text and of free text.
LONG_TEXT, LONG_FREE_TEXT = 5_000, 200_000
#: How many leading rows are considered as templates (enough to find clean ones).
TEMPLATE_POOL = 20_000
_AMOUNT = re.compile(r"^[0-9]+([.][0-9]*)?$")


@dataclass(frozen=True)
class Injection:
    """One adversarial row: ``edit`` changes a copy of a clean row."""

    name: str
    column: str
    edit: Callable[[dict, str], None]   # (row, marker) -> None, changes the row in place
    rule: str | None                    # the expected quarantine rule; None: staged
    key: str = "fresh"                  # fresh | null | blank | same


def _set(column: str, value) -> Callable[[dict, str], None]:
    def edit(row: dict, marker: str) -> None:
        row[column] = value

    return edit


def _text(column: str, make: Callable[[str], str]) -> Callable[[dict, str], None]:
    def edit(row: dict, marker: str) -> None:
        row[column] = make(marker)

    return edit


def _long(marker: str, length: int) -> str:
    unit = f"{marker} Ω long value, "
    return (unit * (length // len(unit) + 1))[:length]


def _parse(value: str | None) -> datetime | None:
    if value is None or not str(value).strip():
        return None
    try:
        parsed = datetime.fromisoformat(str(value).strip())
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _loaded_text(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def _conflict(table: Table) -> Callable[[dict, str], None]:
    """Another valid value of the table's conflict column, loaded a minute earlier."""
    column, kind, values = table.conflict.column, table.conflict.kind, table.conflict.values

    def edit(row: dict, marker: str) -> None:
        value = row[column]
        if kind == "vocab":
            row[column] = next(v for v in values if v != value)
        elif kind == "money":
            row[column] = f"{float(value) + 1:.2f}"
        elif kind == "int":
            row[column] = int(value) + 1
        else:
            row[column] = f"{value} (conflicting {marker})"
        row["_loaded_at"] = _loaded_text(_parse(row["_loaded_at"]) - timedelta(minutes=1))

    return edit


def _ended_before_started(row: dict, marker: str) -> None:
    row["ended_at"] = _loaded_text(_parse(row["started_at"]) - timedelta(hours=1))


def _score(survey_type: str, score: str) -> Callable[[dict, str], None]:
    def edit(row: dict, marker: str) -> None:
        row["survey_type"], row["score"] = survey_type, score

    return edit


def injections(table: Table) -> list[Injection]:
    """The adversarial rows of one table (every rule its columns can trigger)."""
    key = table.key.name
    names = [c for c in NAME_COLUMNS if c in {col.name for col in table.columns}]
    free = [c for c in FREE_TEXT_COLUMNS if c in {col.name for col in table.columns}]
    plain = next((c.name for c in table.columns[1:] if c.dtype == "S" and c.role in ("text", "ref")), key)
    main_ts = table.main_ts
    out = [
        Injection("null_key", key, _set(key, None), "null_key", key="null"),
        Injection("blank_key", key, _set(key, "   "), "null_key", key="blank"),
        Injection("exact_duplicate", key, lambda row, marker: None, "exact_duplicate", key="same"),
        Injection("conflicting_duplicate", table.conflict.column, _conflict(table), "conflicting_duplicate",
                  key="same"),
        Injection("very_long_string", plain, _text(plain, lambda m: _long(m, LONG_TEXT)), "value_too_long"),
        Injection("control_characters", plain, _text(plain, lambda m: f"Ann\x00e {m}\x1b[2J\x07"),
                  "control_characters"),
        Injection("timestamp_as_number", main_ts, _set(main_ts, "1700000000"), "unparseable_timestamp"),
        Injection("timestamp_as_boolean", main_ts, _set(main_ts, "true"), "unparseable_timestamp"),
        Injection("date_in_1900", main_ts, _set(main_ts, "1900-01-01 00:00:00"), "implausible_date"),
        Injection("date_in_2100", main_ts, _set(main_ts, "2100-01-01T00:00:00Z"), "implausible_date"),
        Injection("loaded_in_2100", "_loaded_at", _set("_loaded_at", "2100-01-01 00:00:00"), "implausible_date"),
    ]
    for column in table.names("date"):
        out += [
            Injection("birth_date_in_1900", column, _set(column, "1900-01-01"), "implausible_date"),
            Injection("birth_date_in_2100", column, _set(column, "2100-06-30"), "implausible_date"),
            Injection("date_not_a_date", column, _set(column, "31/12/1980"), "unparseable_timestamp"),
        ]
    for column in table.names("money")[:1]:
        out += [
            Injection("negative_amount", column, _set(column, "-12.50"), "negative_amount"),
            Injection("non_numeric_amount", column, _set(column, "twelve"), "non_numeric_amount"),
            Injection("amount_as_boolean", column, _set(column, "true"), "non_numeric_amount"),
            Injection("amount_not_a_number", column, _set(column, "NaN"), "non_numeric_amount"),
            Injection("amount_overflow", column, _set(column, "123456789012345678901.00"), "non_numeric_amount"),
        ]
    if table.qualified == "feedback.survey_responses":
        out += [
            Injection("nps_11", "score", _score("nps", "11"), "out_of_range_score"),
            Injection("csat_0", "score", _score("csat", "0"), "out_of_range_score"),
            Injection("score_not_whole", "score", _score("nps", "7.5"), "out_of_range_score"),
            Injection("score_as_text", "score", _score("csat", "five"), "out_of_range_score"),
        ]
    if table.qualified == "commerce.order_lines":
        out += [Injection("negative_quantity", "quantity", _set("quantity", -2), "invalid_quantity"),
                Injection("zero_quantity", "quantity", _set("quantity", 0), "invalid_quantity")]
    if table.qualified == "commerce.stores":
        out.append(Injection("latitude_999", "latitude", _set("latitude", 999.0), "invalid_coordinates"))
    if table.qualified == "usage.sessions":
        out += [Injection("negative_page_views", "page_views", _set("page_views", -5), "negative_count"),
                Injection("ended_before_started", "ended_at", _ended_before_started, "ended_before_started")]
    if table.qualified == "social.mentions":
        out.append(Injection("negative_likes", "like_count", _set("like_count", -3), "negative_count"))
    for column in free:
        out += [
            Injection("very_long_free_text", column, _text(column, lambda m: _long(m, LONG_FREE_TEXT)),
                      "value_too_long"),
            Injection("long_legal_free_text", column, _text(column, lambda m: _long(m, 3_000)), None),
            Injection("multiline_free_text", column,
                      _text(column, lambda m: f"first line {m}\nsecond line\twith a tab\r\nthird"), None),
            Injection("quotes_and_backslashes", column,
                      _text(column, lambda m: f'He said "it\'s broken" {m} \\ C:\\temp\\ 100% _x_ `;`'), None),
        ]
    for column in names[:2]:
        out += [
            Injection("unicode_and_emoji", column, _text(column, lambda m: f"Zoë-Łucja 李小龍 🌲✨ {m}"), None),
            Injection("right_to_left_and_combining", column,
                      _text(column, lambda m: f"مريم Jose\u0301 \u200fnoël {m}"), None),
            Injection("sql_looking_text", column,
                      _text(column, lambda m: f"O'Brien'); DROP TABLE customer_360; -- {m}"), None),
        ]
    return out


def _templates(table: Table, data: pa.Table, planted: set[str], count: int, rng) -> list[dict]:
    """``count`` distinct clean rows (repeated if the table has fewer; none if
    it has none): not planted, a key seen once, timestamps that parse and are
    not after the load time, amounts that are plain non-negative numbers, a
    score if the table has one."""
    key = table.key.name
    pool = data.slice(0, TEMPLATE_POOL)
    counts = {row["values"]: row["counts"] for row in pc.value_counts(data.column(key)).to_pylist()}
    clean = []
    for index, row in enumerate(pool.to_pylist()):
        value = row[key]
        if value is None or not value.strip() or value in planted or counts.get(value, 0) != 1:
            continue
        loaded = _parse(row["_loaded_at"])
        if loaded is None:
            continue
        stamps = [row[c] for c in table.names("ts")]
        parsed = [_parse(s) for s in stamps]
        if any(s not in (None, "") and p is None for s, p in zip(stamps, parsed, strict=True)):
            continue
        if any(p is not None and p > loaded for p in parsed):
            continue
        if any(row[c] is not None and not _AMOUNT.match(str(row[c])) for c in table.names("money")):
            continue
        if "score" in row and not row["score"]:
            continue
        if table.qualified == "usage.sessions" and row["started_at"] is None:
            continue
        clean.append(index)
    if not clean:
        return []
    chosen = rng.permutation(np.array(clean))[:count]
    chosen = np.resize(chosen, count)
    return [pool.slice(int(i), 1).to_pylist()[0] for i in chosen]


def corrupt_table(table: Table, data: pa.Table, planted: set[str], rng) -> tuple[pa.Table, list[dict]]:
    """``data`` with the injected rows appended, and their truth rows."""
    plan = injections(table)
    templates = _templates(table, data, planted, len(plan), rng)
    if not templates:  # nothing clean to copy (a tiny or empty table): left as it is
        return data, []
    rows, truth = [], []
    for number, (injection, template) in enumerate(zip(plan, templates, strict=True), start=1):
        row = dict(template)
        marker = f"c360inj{table.source[:3]}{table.name[:4]}{number:02d}"
        injection.edit(row, marker)
        if injection.key == "fresh":
            row[table.key.name] = f"{template[table.key.name]}-X{number:02d}"
        rows.append(row)
        record_key = None if injection.key in ("null", "blank") else row[table.key.name]
        carries_marker = any(isinstance(v, str) and marker in v for v in row.values())
        truth.append({
            "source_name": table.source, "table_name": table.name, "record_key": record_key,
            "injection": injection.name, "column_name": injection.column,
            "marker": marker if carries_marker else None,
            "expected_outcome": "staged" if injection.rule is None else "quarantine",
            "expected_rule": injection.rule,
        })
    injected = pa.Table.from_pylist(rows, schema=data.schema)
    return pa.concat_tables([data, injected]), truth


def corrupt_dataset(root: str | Path, seed: int = 0) -> dict[str, int]:
    """Append adversarial rows to every raw table under ``root/raw`` and write
    ``root/truth/injected_rows.parquet``; returns injected rows per table.
    A dataset is corrupted once: a second call raises ValueError."""
    root = Path(root)
    raw, truth_dir = root / "raw", root / "truth"
    if not raw.is_dir():
        raise ValueError(f"{root} holds no raw/ folder: generate a dataset first (c360 generate)")
    if (truth_dir / TRUTH_FILE).exists():
        raise ValueError(f"{root} is already corrupted ({truth_dir / TRUTH_FILE} exists)")
    planted: dict[str, set[str]] = {}
    malformed = truth_dir / "malformed_rows.parquet"
    if malformed.is_file():
        for row in pq.read_table(malformed, columns=["source_name", "table_name", "record_key"]).to_pylist():
            planted.setdefault(f"{row['source_name']}.{row['table_name']}", set()).add(row["record_key"])
    rng = np.random.default_rng(seed)
    counts: dict[str, int] = {}
    truth: list[dict] = []
    for table in TABLES:
        path = raw / table.source / f"{table.name}.parquet"
        if not path.is_file():
            continue
        data = pq.read_table(path)
        corrupted, rows = corrupt_table(table, data, planted.get(table.qualified, set()), rng)
        if rows:
            pq.write_table(corrupted, path)
            counts[table.qualified] = len(rows)
            truth += rows
    truth_dir.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist(truth, schema=TRUTH_SCHEMA), truth_dir / TRUTH_FILE)
    manifest = root / "manifest.json"
    if manifest.is_file():
        document = json.loads(manifest.read_text())
        for name, injected in counts.items():
            document.setdefault("raw_tables", {})[name] = document.get("raw_tables", {}).get(name, 0) + injected
        document.setdefault("truth_tables", {})[TRUTH_FILE.removesuffix(".parquet")] = len(truth)
        document["corrupted"] = {"seed": int(seed), "injected_rows": counts}
        manifest.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n")
    return counts
