"""Catalogues: every value has a unit and a resolvable source; overrides; range errors."""

from __future__ import annotations

import pathlib
import re

import pytest

from greendc.resources import DATA_DIR
from greendc.catalogue import (
    apply_overrides, dump_quantity_table, load_catalogue, read_catalogue_dicts,
    validate_catalogue,
)
from greendc.errors import DataError, ScenarioError

SOURCES = (DATA_DIR / "SOURCES.md").read_text(encoding="utf-8")
SOURCE_KEYS = set(re.findall(r"^### (\S+)", SOURCES, flags=re.M))


def test_catalogue_loads_and_every_source_resolves():
    cat = load_catalogue()
    missing = sorted(cat.sources() - SOURCE_KEYS)
    assert not missing, f"source keys without a '### key' entry in data/SOURCES.md: {missing}"
    assert {"air_chiller", "free_air", "immersion"} <= set(cat.cooling)
    assert {"h100_sxm_node", "h200_node", "b200_node", "mi300x_node", "cpu_node"} <= set(cat.servers)


def test_every_quantity_has_a_unit():
    rows = dump_quantity_table(load_catalogue())
    assert len(rows) > 100
    assert all(r["unit"] for r in rows), [r["path"] for r in rows if not r["unit"]]


def test_override_changes_value_and_marks_source():
    cat = load_catalogue(overrides={"servers.b200_node.price_eur": 123.0})
    assert cat.servers["b200_node"].price_eur.value == 123.0
    assert cat.servers["b200_node"].price_eur.source == "scenario override"
    assert cat.servers["b200_node"].price_eur.unit == "EUR"


def test_override_unknown_path_names_the_nearest_keys():
    with pytest.raises(ScenarioError) as err:
        load_catalogue(overrides={"servers.b201_node.price_eur": 1.0}, origin="s.yaml")
    text = str(err.value)
    assert "s.yaml: overrides.servers.b201_node.price_eur" in text and "b200_node" in text


@pytest.mark.parametrize("path, value, expected", [
    ("storage.battery.charge_efficiency", 1.2, "efficiencies are in (0, 1]"),
    ("storage.battery.discharge_efficiency", 0.0, "efficiencies are in (0, 1]"),
    ("servers.h100_sxm_node.lifetime_yr", 0.0, "lifetimes are years > 0"),
    ("servers.h100_sxm_node.price_eur", -5.0, "outside the expected range"),
    ("sites.fr-essonne.operator_non_eu_ownership_share", 24.0, "did you give a percentage?"),
])
def test_out_of_range_values_name_field_value_and_range(path, value, expected):
    raw = apply_overrides(read_catalogue_dicts(), {path: value}, "s.yaml")
    with pytest.raises(DataError) as err:
        validate_catalogue(raw, "s.yaml")
    text = str(err.value)
    assert path.split(".", 1)[1] in text
    assert str(value) in text and expected in text


def test_catalogue_files_exist_where_documented():
    folder = pathlib.Path(DATA_DIR) / "catalogue"
    assert sorted(p.stem for p in folder.glob("*.yaml")) == sorted(
        ["cooling", "heat", "servers", "sites", "storage", "supply"])
