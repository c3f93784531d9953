"""Text settings: the ``c360_text`` var of dbt_project.yml and the topic and
competitor seeds (seeds/text), read as the dbt models read them."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from c360.project import C360Error

SEEDS = Path("seeds") / "text"
#: the topic a text gets when it names a competitor (seed competitors)
COMPETITOR_TOPIC = "competitor_mention"


@dataclass(frozen=True)
class TextSource:
    """One staged table whose free text is enriched."""

    key: str
    model: str
    record_id: str
    text: str
    written_at: str
    where: str | None = None

    @property
    def source_name(self) -> str:
        return self.key.split(".")[0]


@dataclass(frozen=True)
class TextConfig:
    sources: tuple[TextSource, ...]
    negative_below: float = -0.05
    positive_above: float = 0.05
    topics: dict[str, tuple[str, ...]] = field(default_factory=dict)
    competitors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, project_dir: Path, disabled: set[str] | frozenset[str] = frozenset()) -> TextConfig:
        project_dir = Path(project_dir)
        document = yaml.safe_load((project_dir / "dbt_project.yml").read_text()) or {}
        settings = dict((document.get("vars") or {}).get("c360_text") or {})
        sources = []
        for key, spec in (settings.get("sources") or {}).items():
            missing = [name for name in ("record_id", "text", "written_at") if not spec.get(name)]
            if "." not in key or missing:
                raise C360Error(f"c360_text.sources.{key}: needs <source>.<table> and "
                                f"{', '.join(missing) or 'its columns'}")
            source_name, table_name = key.split(".", 1)
            if source_name in disabled:
                continue
            sources.append(TextSource(key, spec.get("model", f"stg_{source_name}__{table_name}"),
                                      spec["record_id"], spec["text"], spec["written_at"], spec.get("where")))
        negative, positive = float(settings.get("negative_below", -0.05)), float(settings.get("positive_above", 0.05))
        if not -1 <= negative <= positive <= 1:
            raise C360Error("c360_text: need -1 <= negative_below <= positive_above <= 1")
        return cls(tuple(sources), negative, positive, read_topics(project_dir / SEEDS / "topic_keywords.csv"),
                   read_competitors(project_dir / SEEDS / "competitors.csv"))


def _rows(path: Path, columns: tuple[str, ...]) -> list[dict[str, str]]:
    if not path.is_file():
        raise C360Error(f"seed missing: {path}")
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) != columns:
            raise C360Error(f"{path}: expected the columns {', '.join(columns)}, found {reader.fieldnames}")
        rows = list(reader)
    for number, row in enumerate(rows, start=2):
        if any(not (row[c] or "").strip() for c in columns):
            raise C360Error(f"{path}, line {number}: every column needs a value")
    return rows


def read_topics(path: Path) -> dict[str, tuple[str, ...]]:
    """topic -> keywords, from the seed topic_keywords."""
    topics: dict[str, list[str]] = {}
    for number, row in enumerate(_rows(path, ("topic", "keyword")), start=2):
        topic, keyword = row["topic"].strip(), row["keyword"].strip()
        if not re.fullmatch(r"[a-z][a-z_]*", topic) or not re.fullmatch(r"[a-z0-9& -]+\*?", keyword):
            raise C360Error(f"{path}, line {number}: topic must be lower case with underscores and the keyword "
                            f"lower-case words, optionally ending in * (got {topic!r}, {keyword!r})")
        topics.setdefault(topic, []).append(keyword)
    if COMPETITOR_TOPIC in topics:
        raise C360Error(f"{path}: {COMPETITOR_TOPIC} comes from the seed competitors, not from keywords")
    return {topic: tuple(keywords) for topic, keywords in topics.items()}


def read_competitors(path: Path) -> dict[str, str]:
    """alias (lower case) -> competitor, from the seed competitors."""
    aliases: dict[str, str] = {}
    for number, row in enumerate(_rows(path, ("competitor", "alias")), start=2):
        alias = row["alias"].strip()
        if alias != alias.lower() or alias in aliases:
            raise C360Error(f"{path}, line {number}: aliases are lower case and unique (got {alias!r})")
        aliases[alias] = row["competitor"].strip()
    return aliases
