"""Public API: validation, return value and manifest."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from c360.generate import GENERATOR_VERSION, generate_dataset
from c360.generate.schema import TABLES, TRUTH_SCHEMAS


@pytest.mark.parametrize("kwargs, message", [
    ({"customers": 0}, "customers"),
    ({"customers": -5}, "customers"),
    ({"customers": 2.5}, "customers"),
    ({"customers": 10**9}, "customers"),
    ({"seed": -1}, "seed"),
    ({"seed": "x"}, "seed"),
    ({"as_of": "2026-10-31"}, "as_of"),
    ({"as_of": dt.datetime(2026, 10, 31)}, "as_of"),
])
def test_invalid_arguments_raise_value_error(tmp_path, kwargs, message):
    args = {"customers": 10, "seed": 1, "out": tmp_path, **kwargs}
    with pytest.raises(ValueError, match=message):
        generate_dataset(**args, progress=False)


def test_out_must_not_be_a_file(tmp_path):
    target = tmp_path / "file"
    target.write_text("x")
    with pytest.raises(ValueError, match="directory"):
        generate_dataset(10, 1, target, progress=False)


def test_counts_and_manifest(generated):
    manifest = json.loads((generated.root / "manifest.json").read_text())
    assert manifest["seed"] == 11
    assert manifest["customers"] == 1500
    assert manifest["as_of"] == "2026-10-31"
    assert manifest["generator_version"] == GENERATOR_VERSION
    raw = {k: v for k, v in generated.counts.items() if not k.startswith("truth.")}
    truth = {k.removeprefix("truth."): v for k, v in generated.counts.items() if k.startswith("truth.")}
    assert manifest["raw_tables"] == raw
    assert manifest["truth_tables"] == truth
    assert set(raw) == {t.qualified for t in TABLES}
    assert set(truth) == set(TRUTH_SCHEMAS)
    for name, rows in raw.items():
        assert len(generated.raw(name)) == rows, name
    assert truth["persons"] == 1500 + 375
    assert generated.persons.is_customer.sum() == 1500
