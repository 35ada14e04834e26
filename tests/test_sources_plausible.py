"""Every ``Plausible`` range in the catalogue and scenario models is documented, with the same
bounds and unit, in data/SOURCES.md ("Plausible ranges"), and the table lists no range the code
does not declare."""

from __future__ import annotations

import re
import typing
from typing import Annotated

from pydantic import BaseModel

from greendc.catalogue import Catalogue, Plausible, _plausible_of
from greendc.resources import DATA_DIR
from greendc.scenario import Scenario


def _models_in(annotation) -> list[type[BaseModel]]:
    if typing.get_origin(annotation) is Annotated:
        return _models_in(typing.get_args(annotation)[0])
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in typing.get_args(annotation) for m in _models_in(arg)]


def _rule(field) -> Plausible | None:
    """The field's own range, or that of its dict values / optional members."""
    rule = _plausible_of(field.annotation, field.metadata)
    for arg in typing.get_args(field.annotation):
        if rule is None and typing.get_origin(arg) is Annotated:
            rule = _plausible_of(arg)
    return rule


def declared_ranges() -> dict[str, tuple[float, float]]:
    found, seen, todo = {}, set(), [Catalogue, Scenario]
    while todo:
        model = todo.pop()
        for name, field in model.model_fields.items():
            rule = _rule(field)
            if rule is not None:
                found[f"{model.__name__}.{name}"] = (rule.low, rule.high)
            for sub in _models_in(field.annotation):
                if sub not in seen:
                    seen.add(sub)
                    todo.append(sub)
    return found


def _number(text: str) -> float:
    return float(text.replace(",", "").strip())


def documented_ranges() -> dict[str, tuple[float, float]]:
    text = (DATA_DIR / "SOURCES.md").read_text(encoding="utf-8")
    section = text.split("## Plausible ranges", 1)[1]
    rows = re.findall(r"^\| `([\w.]+)` \| ([^|]+?) – ([^|]+?) \|", section, flags=re.M)
    return {name: (_number(lo), _number(hi)) for name, lo, hi in rows}


def test_every_plausible_range_is_documented_with_its_bounds():
    declared, documented = declared_ranges(), documented_ranges()
    assert len(declared) >= 30  # the walk reached the nested models
    assert documented == declared
