"""The privacy policy compiles to Snowflake masking policies: one per
personal-data class, a branch per audience role with that audience's
treatment, and null for any other role. The expressions are checked with
sqlglot's Snowflake dialect."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlglot
import yaml

PROJECT_DIR = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def compiled() -> str:
    from dbt.cli.main import dbtRunner

    from c360.dbt import dbt_arguments, environment
    from c360.project import Project

    project = Project.resolve(warehouse=":memory:", target="duckdb")
    args = dbt_arguments(project, "compile", ["--inline", "{{ c360.snowflake_masking_policy_sql('governance') }}"])
    with environment({"C360_WAREHOUSE": ":memory:", "C360_MASKING_SALT": "snowflake-test-key"}):
        result = dbtRunner().invoke(args)
    assert result.success, result.exception
    return result.result.results[0].node.compiled_code


def policy() -> dict:
    return yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text())["vars"]["c360_privacy"]


def policies(sql: str) -> dict[str, str]:
    return dict(re.findall(r"create or replace masking policy governance\.c360_mask_(\w+)(.*?end;)", sql, re.S))


def test_one_policy_per_class_with_a_branch_per_role(compiled):
    audiences = policy()["audiences"]
    classes = {c for spec in audiences.values() for c in spec["treatments"]}
    found = policies(compiled)
    assert set(found) == classes
    for body in found.values():
        roles = re.findall(r"is_role_in_session\('(\w+)'\)", body)
        assert sorted(roles) == sorted(spec["role"].upper() for spec in audiences.values())
        assert body.rstrip().endswith("else null\n    end;")
    assert "{{" not in compiled and "{%" not in compiled


def test_branches_follow_the_treatments(compiled):
    found = policies(compiled)
    assert "when is_role_in_session('C360_SUPPORT') then val" in found["email"]
    assert "when is_role_in_session('C360_ANALYST') then sha2('snowflake-test-key' || val, 256)" in found["email"]
    assert "when is_role_in_session('C360_MARKETING') then '***' || right(val, 4)" in found["phone"]
    assert "when is_role_in_session('C360_EXECUTIVE') then null" in found["email"]
    assert "as (val date) returns date" in found["birth_date"]


def test_expressions_parse_as_snowflake_sql(compiled):
    for class_name, body in policies(compiled).items():
        case = body[body.index("case"):body.rindex("end") + 3]
        parsed = sqlglot.parse_one(f"select {case} from t", read="snowflake",
                                   error_level=sqlglot.ErrorLevel.RAISE)
        assert parsed.find(sqlglot.exp.Case) is not None, class_name
