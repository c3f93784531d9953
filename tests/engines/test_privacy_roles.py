"""Audience roles on PostgreSQL: each audience of the privacy policy is a
database role that reads its own views (dbt `grants`) and nothing else, not
the unmasked marts and not another audience's views."""

from __future__ import annotations

import json

import psycopg2
import psycopg2.errors
import pytest
import yaml

from c360.dbt import environment, run_dbt
from c360.project import Project

pytestmark = pytest.mark.dbt


def privacy_policy(project: Project) -> dict:
    return yaml.safe_load((project.project_dir / "dbt_project.yml").read_text())["vars"]["c360_privacy"]


@pytest.fixture(scope="module")
def granted(postgres_env, postgres_project):
    """The audience views rebuilt with grants to roles created for them."""
    policy = privacy_policy(postgres_project)
    roles = {name: spec["role"] for name, spec in policy["audiences"].items()}
    admin = psycopg2.connect(host=postgres_env["C360_PG_HOST"], port=postgres_env["C360_PG_PORT"],
                             user=postgres_env["C360_PG_USER"], dbname=postgres_env["C360_PG_DATABASE"])
    admin.autocommit = True
    with admin.cursor() as cursor:
        for role in roles.values():
            cursor.execute(f'drop role if exists "{role}"; create role "{role}" login')
    admin.close()
    with environment(postgres_env):
        run_dbt(postgres_project, "build", ["--select", "marts.audiences", "--vars",
                                            json.dumps({"c360_privacy": {**policy, "grant_to_roles": True}})])
    return roles, policy


def connect_as(postgres_env, role):
    connection = psycopg2.connect(host=postgres_env["C360_PG_HOST"], port=postgres_env["C360_PG_PORT"],
                                  user=role, dbname=postgres_env["C360_PG_DATABASE"])
    connection.autocommit = True
    return connection


def can_read(connection, relation: str) -> bool:
    with connection.cursor() as cursor:
        try:
            cursor.execute(f"select count(*) from {relation}")
            return cursor.fetchone()[0] >= 0
        except psycopg2.errors.InsufficientPrivilege:
            return False


def test_each_role_reads_its_views_and_nothing_unmasked(postgres_env, granted):
    roles, policy = granted
    schema = postgres_env["C360_PG_SCHEMA"]
    audience_schema = f"{schema}_audiences"
    for audience, role in roles.items():
        connection = connect_as(postgres_env, role)
        try:
            for mart in policy["audiences"][audience]["marts"]:
                assert can_read(connection, f"{audience_schema}.{mart}__{audience}"), (role, mart)
            for unmasked in ("customer_360", "dim_customers", "fct_tickets", "customer_identity_map"):
                assert not can_read(connection, f"{schema}_marts.{unmasked}"), (role, unmasked)
            assert not can_read(connection, f"{schema}_staging.stg_crm__contacts"), role
            for other in roles:
                if other != audience:
                    for mart in policy["audiences"][other]["marts"]:
                        assert not can_read(connection, f"{audience_schema}.{mart}__{other}"), (role, other)
        finally:
            connection.close()
