"""The scenario's JSON schema and the generated reference docs/SCENARIO.md."""

from __future__ import annotations

import json
import pathlib

from typer.testing import CliRunner

from greendc.cli import app
from greendc.schema import fields, reference_markdown, scenario_schema

DOC = pathlib.Path(__file__).resolve().parents[1] / "docs" / "SCENARIO.md"


def test_every_scenario_field_has_a_description():
    missing = [row["path"] for row in fields() if not row["description"]]
    assert not missing, f"fields without a description (add one with its unit): {missing}"


def test_committed_reference_is_up_to_date():
    assert DOC.read_text(encoding="utf-8") == reference_markdown(), (
        "docs/SCENARIO.md is stale: greendc schema --markdown > docs/SCENARIO.md")


def test_reference_lists_units_and_defaults():
    rows = {row["path"]: row for row in fields()}
    assert rows["emissions_cap_t_per_yr"]["unit"] == "tCO2e/yr"
    assert rows["compute"]["default"] == "required"
    # one of required_pflops / it_load_mw (checked by a validator), so neither is required
    assert rows["compute.required_pflops"]["default"] == "null"
    assert rows["solver.mip_rel_gap"]["default"] == "0.0001"
    assert rows["sites[i].file"]["unit"] == "-"


def test_schema_command_prints_the_json_schema():
    result = CliRunner().invoke(app, ["schema"])
    assert result.exit_code == 0, result.output
    schema = json.loads(result.output)
    assert schema == json.loads(json.dumps(scenario_schema()))
    assert "compute" in schema["required"]
    assert schema["properties"]["objective"]["enum"] == ["cost", "emissions"]
    markdown = CliRunner().invoke(app, ["schema", "--markdown"])
    assert markdown.output == reference_markdown()
