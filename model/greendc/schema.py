"""The scenario's JSON schema and its generated reference (``docs/SCENARIO.md``).

``greendc schema`` prints ``scenario_schema()`` (pydantic's JSON schema of
``greendc.scenario.Scenario``: editors validate and complete scenario files with it);
``greendc schema --markdown`` prints ``reference_markdown()``, one table row per field
(dotted path, type, unit, default, meaning), the text committed as ``docs/SCENARIO.md``
(a test checks that it is up to date and that every field has a description).

Units: ``FIELD_UNITS`` for fields whose name does not carry one, else the unit the name
carries (``_mw`` MW, ``_t_per_yr`` tCO2e/yr, ``_share`` a fraction 0-1 ...), else "-"
(words, switches, counts).
"""

from __future__ import annotations

import json
import re
import typing
from typing import Any

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

FIELD_UNITS = {
    "sites[i].facts": "each fact in its catalogue unit (sites.yaml)",
    "finance.grid_price_scale": "1 (factor)", "solver.mip_rel_gap": "1 (relative)",
    "solver.primal_feasibility_tolerance": "row units (MW, EUR/yr, tCO2e/yr)",
    "solver.dual_feasibility_tolerance": "objective units per column unit",
    "overrides": "each value in its catalogue unit", "horizon.typical_days": "days",
    "data_year": "year", "max_sites": "sites", "solver.threads": "threads",
    "solver.workers": "processes",
}
NAME_UNITS = (("_t_per_yr", "tCO2e/yr"), ("_eur_per_t", "EUR/tCO2e"), ("_pflops", "PFLOP/s"),
              ("_share", "1 (fraction 0-1)"), ("_mw", "MW"), ("_s", "s"), ("_rate", "1/yr"),
              ("_hour", "h"), ("hours", "h"), ("_tolerance", "row/column units"))


def scenario_schema() -> dict[str, Any]:
    """JSON schema (draft 2020-12) of a scenario file."""
    from greendc.scenario import Scenario

    schema = Scenario.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema.setdefault("title", "greendc scenario")
    return schema


def scenario_schema_json() -> str:
    return json.dumps(scenario_schema(), indent=2) + "\n"


def _submodel(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _submodel(arg)
        if found is not None:
            return found
    return None


def _type_name(annotation: Any) -> str:
    text = str(annotation).replace("typing.", "").replace("greendc.scenario.", "")
    text = re.sub(r"<class '([^']+)'>", r"\1", text)
    return text.replace("NoneType", "None").replace("Annotated[", "").replace("|", "or")


def _unit(path: str, name: str) -> str:
    if path in FIELD_UNITS:
        return FIELD_UNITS[path]
    for suffix, unit in NAME_UNITS:
        if name.endswith(suffix):
            return unit
    return "-"


def _default(field) -> str:
    if field.is_required():
        return "required"
    value = field.default
    if value is PydanticUndefined:
        return "-"
    if isinstance(value, BaseModel):
        return "(section)"
    return json.dumps(value, default=str)


def fields(model: type[BaseModel] | None = None, prefix: str = "") -> list[dict[str, str]]:
    """Every field of the scenario, depth first: path, type, unit, default, description."""
    from greendc.scenario import Scenario

    model = model or Scenario
    rows = []
    for name, field in model.model_fields.items():
        path = f"{prefix}{name}"
        sub = _submodel(field.annotation)
        description = " ".join((field.description or "").split())
        rows.append({"path": path, "type": sub.__name__ if sub else _type_name(field.annotation),
                     "unit": "-" if sub else _unit(path, name),
                     "default": _default(field), "description": description})
        if sub is not None:
            item = "[i]." if typing.get_origin(field.annotation) is list or "list[" in str(
                field.annotation) else "."
            rows.extend(fields(sub, f"{path}{item}"))
    return rows


def reference_markdown() -> str:
    """The scenario reference (``docs/SCENARIO.md``)."""
    lines = [
        "# Scenario reference",
        "",
        "Generated from the pydantic models of `greendc.scenario` by "
        "`greendc schema --markdown > docs/SCENARIO.md` (do not edit by hand; a test checks "
        "that this file is up to date). `greendc schema` prints the JSON schema.",
        "",
        "Every field of a scenario YAML file, by dotted path (the path `greendc run --set` "
        "takes); `sites[i]` is one entry of the `sites` list. Unknown fields are errors.",
        "",
        "| field | type | unit | default | meaning |",
        "|---|---|---|---|---|",
    ]
    for row in fields():
        cells = [f"`{row['path']}`", row["type"], row["unit"], f"`{row['default']}`",
                 row["description"]]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines) + "\n"
