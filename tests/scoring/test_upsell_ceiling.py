"""The upsell ceiling: an oracle that knows the generator's purchase process
ranks the test dataset's out-of-time window, and does better than the most
popular subcategories on the same customers."""

from __future__ import annotations

import json
import shutil

import pytest

from c360.project import C360Error, Project
from c360.scoring import ceiling, data
from c360.scoring.config import ScoringConfig
from c360.scoring.run import resolve_as_of


@pytest.fixture(scope="module")
def project(warehouse, dataset) -> Project:
    return Project.resolve(warehouse=warehouse, raw_path=dataset / "raw", target="duckdb")


def test_the_oracle_beats_the_most_popular_on_the_same_customers(project, dataset):
    config = ScoringConfig.load(project.project_dir)
    as_of = resolve_as_of(data.snapshot_dates(project), None)
    result = ceiling.upsell_ceiling(project, dataset, as_of, config, draws=500)
    assert result["customers_evaluated"] >= 100
    assert result["oracle_hit_rate"] > result["popular_hit_rate"] > 0
    assert result["oracle_ratio_to_popular"] == pytest.approx(
        result["oracle_hit_rate"] / result["popular_hit_rate"], abs=0.01)


def test_every_evaluated_customer_is_one_generated_person(project, dataset):
    persons = ceiling.customer_persons(project, dataset)
    assert persons.index.is_unique and persons.min() >= 0
    manifest = json.loads((dataset / "manifest.json").read_text())
    assert persons.max() < manifest["persons"]


def test_a_dataset_the_generator_does_not_reproduce_has_no_ceiling(dataset, tmp_path):
    copy = tmp_path / "dataset"
    shutil.copytree(dataset / "truth", copy / "truth")
    manifest = json.loads((dataset / "manifest.json").read_text())
    (copy / "manifest.json").write_text(json.dumps({**manifest, "seed": manifest["seed"] + 1}))
    with pytest.raises(C360Error, match="no longer reproduces"):
        ceiling.generator_world(copy)
