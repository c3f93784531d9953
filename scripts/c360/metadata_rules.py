"""The project's metadata rules for dbt-score (the gate `make test` runs on
the manifest, configured under [tool.dbt-score] in pyproject.toml).

Every model, source, seed and snapshot is described and so is each of its
columns; every model has a primary-key test; every public mart has an
enforced contract; an import CTE read more than once is inlined. A
violation names what is missing, in full, so that whoever adds a model sees
what to write.
"""

import re
from fnmatch import fnmatch

from dbt_score import Model, RuleViolation, Seed, Snapshot, Source, rule

#: An import CTE: ``name as (select * from {{ ref(...) }})`` (or source), hint-free.
IMPORT_CTE = re.compile(r"^(\w+) as \(\s*select \* from \{\{\s*(?:ref|source)\([^)]*\)\s*\}\}\s*\)", re.M)

#: Test names that make a single column a primary key together with not_null.
UNIQUE_TESTS = {"unique"}
#: Tests over a list of columns that, with not_null on each, make a composite key
#: (the project's own generic test, macros/tests/generic_tests.sql, and dbt_utils' name).
COMBINATION_TESTS = {"unique_combination": "combination",
                     "unique_combination_of_columns": "combination_of_columns"}


def _undescribed(node: Model | Source | Seed | Snapshot, kind: str) -> RuleViolation | None:
    missing = [] if (node.description or "").strip() else [f"the {kind} itself"]
    missing += [column.name for column in node.columns if not (column.description or "").strip()]
    if missing:
        return RuleViolation(f"no description for: {', '.join(missing)}")
    return None


def _matches(path: str, patterns: list[str]) -> bool:
    return any(fnmatch(path, pattern) for pattern in patterns)


def _described_rule(resource: type, kind: str):
    """The rule that a ``resource`` (dbt-score's Model, Source, ...) and each
    of its columns are described, named ``<resource>_and_columns_described``."""
    def evaluate(node) -> RuleViolation | None:
        return _undescribed(node, kind)

    evaluate.__annotations__["node"] = resource  # dbt-score picks the resource type from it
    evaluate.__name__ = evaluate.__qualname__ = f"{resource.__name__.lower()}_and_columns_described"
    evaluate.__doc__ = f"A {kind} and each of its columns have a description."
    return rule(evaluate)


model_and_columns_described = _described_rule(Model, "model")
source_and_columns_described = _described_rule(Source, "source table")
seed_and_columns_described = _described_rule(Seed, "seed")
snapshot_and_columns_described = _described_rule(Snapshot, "snapshot")


def primary_key(model: Model) -> list[str] | None:
    """The columns of the model's tested primary key, or None: a column with
    unique and not_null tests, or a unique-combination test with at least one
    column tested not_null (or held non-null by a constraint). The test
    groups by its columns, so a null in the others counts as one value and a
    nullable column may take part, as in a link keyed by (a, b, rule, value)
    whose value is null for some rules."""
    not_null = {column.name for column in model.columns
                if any(test.type == "not_null" for test in column.tests)
                or any(constraint.type in ("not_null", "primary_key") for constraint in column.constraints)}
    for column in model.columns:
        if column.name in not_null and any(test.type in UNIQUE_TESTS for test in column.tests):
            return [column.name]
    for test in [*model.tests, *(test for column in model.columns for test in column.tests)]:
        argument = COMBINATION_TESTS.get(test.type)
        columns = list(test.kwargs.get(argument) or []) if argument else []
        if columns and set(columns) & not_null:
            return columns
    return None


@rule
def has_primary_key_test(model: Model, exempt: list[str] | None = None) -> RuleViolation | None:
    """A model has a primary-key test: unique and not_null on one column, or
    a unique-combination test (see primary_key).

    ``exempt``: file path patterns of models that keep every raw row on
    purpose (the reason is given beside the setting in pyproject.toml)."""
    if _matches(model.original_file_path, exempt or []):
        return None
    if primary_key(model) is None:
        return RuleViolation("no primary-key test: give one column both `unique` and `not_null` tests, or "
                             "add a `unique_combination` test over the key columns (at least one of them `not_null`)")
    return None


@rule
def public_mart_contract_enforced(model: Model, public: list[str] | None = None,
                                  exempt: list[str] | None = None) -> RuleViolation | None:
    """A public mart (access: public, or a model under a ``public`` path
    pattern) has an enforced contract with a data type on every column."""
    is_public = model.access == "public" or (_matches(model.original_file_path, public or [])
                                             and not _matches(model.original_file_path, exempt or []))
    if not is_public:
        return None
    if not (model.config.get("contract") or {}).get("enforced"):
        return RuleViolation("public mart without an enforced contract: set `config: {contract: {enforced: true}}` "
                             "and a data_type on every column")
    untyped = [column.name for column in model.columns if not column.data_type]
    if untyped:
        return RuleViolation(f"contract columns without a data_type: {', '.join(untyped)}")
    return None


@rule
def shared_import_ctes_inlined(model: Model) -> RuleViolation | None:
    """An import CTE (``select * from`` a model or source) that the query reads
    more than once carries ``{{ c360.cte_hint('inline') }}``: DuckDB and
    PostgreSQL would otherwise copy the whole table before any reader's
    filter or column choice applies (macros/cross_db/planner.sql)."""
    shared = []
    for match in IMPORT_CTE.finditer(model.raw_code):
        name = match.group(1)
        reads = len(re.findall(rf"\b(?:from|join)\s+{name}\b", model.raw_code[match.end():], re.I))
        if reads > 1:
            shared.append(f"{name} (read {reads} times)")
    if shared:
        return RuleViolation(f"import CTEs read more than once without `{{{{ c360.cte_hint('inline') }}}}` "
                             f"after `as`: {', '.join(shared)}")
    return None
