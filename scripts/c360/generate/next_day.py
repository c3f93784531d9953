"""A dataset as it stood a day earlier, and the day that follows it.

Incremental builds are proven and timed by building the earlier state in
full, then the next day incrementally, and comparing with a full build of the
next day. ``split_days`` derives both states from one generated raw folder:

- ``before``: every row of the event tables loaded before the cutoff (the
  last day's loads held back), minus the late rows below, and the other
  tables (snapshots such as accounts and products) whole;
- ``after``: every raw row, plus what a real next day brings besides new
  rows: late rows (rows of event tables whose event lies days before the
  cutoff but which are delivered only after it), replays of a file already
  delivered (exact copies of earlier rows, load time included) and rows
  sent again with a new load time.

Rows whose load time is missing or unreadable appear in both states.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

#: Event-like tables, built incrementally, that receive late rows and replays.
EVENT_TABLES = (
    "usage/events", "usage/sessions", "commerce/orders", "commerce/order_lines", "support/tickets",
    "support/ticket_messages", "social/mentions", "marketing/touches", "feedback/survey_responses",
    "billing/invoices", "billing/payments",
)


@dataclass
class DaySplit:
    cutoff: dt.datetime
    before: Path
    after: Path
    #: rows per table in each state, and the late / replayed / re-sent rows added
    rows_before: dict[str, int] = field(default_factory=dict)
    rows_after: dict[str, int] = field(default_factory=dict)
    late: dict[str, int] = field(default_factory=dict)
    stragglers: dict[str, int] = field(default_factory=dict)
    replayed: dict[str, int] = field(default_factory=dict)
    resent: dict[str, int] = field(default_factory=dict)


def _quote(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def newest_load(raw: Path) -> dt.datetime:
    """The latest readable `_loaded_at` of the event tables."""
    import duckdb

    files = [raw / f"{name}.parquet" for name in EVENT_TABLES if (raw / f"{name}.parquet").is_file()]
    if not files:
        raise FileNotFoundError(f"no raw Parquet files under {raw}")
    union = " union all ".join(
        f"select max(try_cast(_loaded_at as timestamp)) as newest from read_parquet({_quote(f)})" for f in files
    )
    newest = duckdb.connect().execute(f"select max(newest) from ({union})").fetchone()[0]
    if newest is None:
        raise ValueError(f"no readable _loaded_at in {raw}")
    return newest


def split_days(raw: Path, before: Path, after: Path, cutoff: dt.datetime | None = None,
               late_percent: float = 2.0, straggler_percent: float = 20.0, replay_percent: float = 1.0,
               resend_percent: float = 1.0) -> DaySplit:
    """Write the earlier state of ``raw`` to ``before`` and the next day to ``after``.

    ``cutoff`` defaults to 24 hours before the newest load of an event table.
    Other tables (accounts, contacts, products ...) are snapshots and appear
    whole in both states. Late,
    replayed and re-sent rows are chosen by a hash of the row, so the split is
    deterministic.
    """
    import duckdb

    raw, before, after = Path(raw), Path(before), Path(after)
    if cutoff is None:
        cutoff = newest_load(raw) - dt.timedelta(days=1)
    split = DaySplit(cutoff=cutoff, before=before, after=after)
    stamp = f"timestamp '{cutoff:%Y-%m-%d %H:%M:%S}'"
    connection = duckdb.connect()
    for file in sorted(raw.glob("*/*.parquet")):
        name = f"{file.parent.name}/{file.stem}"
        source = f"read_parquet({_quote(file)})"
        loaded = "try_cast(_loaded_at as timestamp)"
        # a stable number in [0, 100) per row
        numbered = f"select *, (hash(to_json(s)::varchar || '{name}') % 10000) / 100.0 as _pick from {source} as s"
        is_event = name in EVENT_TABLES
        earlier = f"({loaded} < {stamp} or {loaded} is null)" if is_event else "true"
        # late rows: events at least two days old that arrive only after the cutoff
        late_rule = (f"{loaded} < {stamp} - interval 2 day and _pick < {late_percent}" if is_event else "false")
        # stragglers: stamped within the 12 hours before the cutoff, delivered after it
        straggler_rule = (f"{loaded} >= {stamp} - interval 12 hour and {loaded} < {stamp} "
                          f"and _pick >= 70 and _pick < 70 + {straggler_percent}" if is_event else "false")
        replay_rule = (f"{loaded} < {stamp} and _pick >= 50 and _pick < 50 + {replay_percent}"
                       if is_event else "false")
        resend_rule = (f"{loaded} < {stamp} and _pick >= 60 and _pick < 60 + {resend_percent}"
                       if is_event else "false")
        offset = "interval (cast(_pick * 36 as integer)) second"
        connection.execute(f"create or replace temp table rows as {numbered}")
        columns = [c[0] for c in connection.execute("describe rows").fetchall() if c[0] != "_pick"]
        plain = ", ".join(f'"{c}"' for c in columns)
        later_load = ", ".join(
            f"strftime({stamp} + interval 1 hour + {offset}, '%Y-%m-%d %H:%M:%S') as _loaded_at"
            if c == "_loaded_at" else f'"{c}"' for c in columns
        )
        (before / file.parent.name).mkdir(parents=True, exist_ok=True)
        (after / file.parent.name).mkdir(parents=True, exist_ok=True)
        connection.execute(
            f"copy (select {plain} from rows where {earlier} and not ({late_rule}) and not ({straggler_rule})) "
            f"to {_quote(before / file.parent.name / file.name)} (format parquet)"
        )
        connection.execute(
            f"copy (select {plain} from rows where not ({late_rule}) "
            f"union all select {later_load} from rows where {late_rule} "
            f"union all select {plain} from rows where {replay_rule} "
            f"union all select {later_load} from rows where {resend_rule}) "
            f"to {_quote(after / file.parent.name / file.name)} (format parquet)"
        )
        count = lambda where: connection.execute(f"select count(*) from rows where {where}").fetchone()[0]  # noqa: E731
        split.late[name], split.replayed[name], split.resent[name] = (
            count(late_rule), count(replay_rule), count(resend_rule))
        split.stragglers[name] = count(straggler_rule)
        split.rows_before[name] = count(f"{earlier} and not ({late_rule}) and not ({straggler_rule})")
        split.rows_after[name] = count("true") + split.replayed[name] + split.resent[name]
    return split
