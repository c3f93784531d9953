"""The declared raw data contract matches the data and the tooling."""

from __future__ import annotations

import pyarrow.parquet as pq
import yaml

from c360.contract import source_declarations
from c360.dbt import SOURCES

#: Declared data_type → the Arrow type names a raw file may carry for it.
ARROW_TYPES = {"varchar": {"string", "large_string"}, "bigint": {"int64"},
               "double": {"double"}, "boolean": {"bool"}}


#: Sources the demo generator does not write: `people` is a file a user brings
#: to `c360 resolve` (its shape is checked in tests/identity/test_resolve.py).
NOT_GENERATED = {"people"}


def test_declared_columns_match_the_raw_files(dataset, project_dir):
    generated = {path.name for path in (dataset / "raw").iterdir() if path.is_dir()}
    assert generated == set(SOURCES) - NOT_GENERATED
    for source in source_declarations(project_dir):
        if source["name"] in NOT_GENERATED:
            continue
        for table in source["tables"]:
            path = dataset / "raw" / source["name"] / f"{table['name']}.parquet"
            schema = pq.read_schema(path)
            declared = [(c["name"], c["data_type"]) for c in table["columns"]]
            assert [name for name, _ in declared] == schema.names, path
            for name, data_type in declared:
                assert str(schema.field(name).type) in ARROW_TYPES[data_type], (path, name)


def test_every_source_table_and_column_is_described(project_dir):
    for source in source_declarations(project_dir):
        assert source.get("description"), source["name"]
        for table in source["tables"]:
            assert table.get("description"), table["name"]
            assert (table.get("meta") or {}).get("primary_key") == table["columns"][0]["name"]
            for column in table["columns"]:
                assert column.get("description"), f"{source['name']}.{table['name']}.{column['name']}"


def test_cli_knows_exactly_the_registered_sources(project_dir):
    project = yaml.safe_load((project_dir / "dbt_project.yml").read_text())
    assert list(SOURCES) == list(project["vars"]["c360_staged_tables"])


def test_every_staging_model_switches_off_with_its_source(project_dir):
    """dbt_project.yml only sees --vars, so each model's `enabled` config sits
    in its source folder's YAML, where the project's own vars apply too."""
    staging = project_dir / "models" / "staging"
    for source in SOURCES:
        folder = staging / source
        documented = {}
        for path in folder.glob("_*__models.yml"):
            for model in yaml.safe_load(path.read_text())["models"]:
                documented[model["name"]] = (model.get("config") or {}).get("enabled", "")
        models = {path.stem for path in folder.rglob("*.sql")}
        assert models and models == set(documented), source
        for name, enabled in documented.items():
            assert f"'{source}' not in var('c360_disabled_sources'" in enabled, name


def test_unit_test_names_fit_every_engine(project_dir):
    """A dbt unit test becomes a relation named after it: PostgreSQL cuts
    identifiers at 63 bytes and refuses longer names."""
    for path in (project_dir / "models").rglob("*.yml"):
        for unit_test in (yaml.safe_load(path.read_text()) or {}).get("unit_tests") or []:
            assert len(unit_test["name"]) <= 63, (path.name, unit_test["name"])
