"""The batch file (validated by pydantic) and its expansion into cases: grid product,
explicit cases or both; each case resolved to a scenario whose digest is its id, with a
fingerprint of the data files it reads."""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
import pathlib
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from greendc.catalogue import format_validation_error
from greendc.errors import GreendcError, ScenarioError
from greendc.resources import study_path
from greendc.scenario import LoadedScenario, Scenario, load_scenario, with_overrides
from greendc.yamlio import load_yaml

log = logging.getLogger(__name__)


class BatchError(ScenarioError):
    """Batch file problem: unknown field, bad override key, missing base scenario."""


# --------------------------------------------------------------------------- batch file


class BatchFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, min_length=1)
    scenario: str = Field(min_length=1, description="base scenario YAML, relative to the batch file")
    overrides: dict[str, Any] = {}
    grid: dict[str, list[Any]] = {}
    cases: list[dict[str, Any]] = []
    combine: Literal["product", "union"] = "product"

    @field_validator("grid")
    @classmethod
    def _non_empty(cls, value: dict[str, list[Any]]) -> dict[str, list[Any]]:
        empty = [k for k, v in value.items() if not v]
        if empty:
            raise ValueError(f"grid keys with no values: {empty}; give at least one value each")
        return value

    @field_validator("cases")
    @classmethod
    def _case_names(cls, value: list[dict[str, Any]]) -> list[dict[str, Any]]:
        for i, case in enumerate(value):
            name = case.get("name")
            if name is not None and (not isinstance(name, str) or not name):
                raise ValueError(f"cases[{i}].name = {name!r}: expected a non-empty string")
        names = [c["name"] for c in value if c.get("name")]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ValueError(f"case names used twice: {dup}")
        return value


class Case(BaseModel):
    """One resolved variation: its id, label, overrides and scenario (or why it is invalid)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    case_id: str
    name: str
    overrides: dict[str, Any]
    loaded: LoadedScenario | None = None
    error: str | None = None
    data_hash: str = ""


class Batch(BaseModel):
    model_config = ConfigDict(arbitrary_types_allowed=True)
    name: str
    origin: str
    base: LoadedScenario
    cases: list[Case]
    keys: list[str]


def load_batch(path: str | pathlib.Path, base_changes: dict[str, Any] | None = None) -> Batch:
    """Read and validate a batch file (or a built-in one by name, ``study_path``) and expand it
    into cases (invalid variations become cases with an ``error``; an unknown key or a bad
    file is a ``BatchError``). ``base_changes`` (``greendc batch --set``) change the base
    scenario by dotted path before the cases vary it."""
    path = study_path(path)
    raw = load_yaml(path, BatchError)
    return batch_from_dict(raw, origin=str(path), base_dir=path.resolve().parent,
                           default_name=path.stem, base_changes=base_changes)


def batch_from_dict(raw: Any, origin: str = "<batch>", base_dir: pathlib.Path | None = None,
                    default_name: str = "batch",
                    base_changes: dict[str, Any] | None = None) -> Batch:
    if not isinstance(raw, dict):
        raise BatchError(f"{origin}: expected a mapping of batch fields, got {type(raw).__name__}")
    try:
        spec = BatchFile.model_validate(raw)
    except ValidationError as exc:
        raise BatchError(format_validation_error(exc, origin, prefix="")) from None
    from greendc.timeseries import confined_path  # confined like site files

    scenario_path = confined_path(base_dir or pathlib.Path.cwd(), spec.scenario,
                                  f"{origin}: scenario", BatchError, "the batch file")
    base = load_scenario(scenario_path)
    if base_changes:
        from greendc.scenario import with_overrides

        base = with_overrides(base, base_changes, origin="--set")
    keys = _all_keys(spec)
    for key in keys:
        _check_key(key, base, origin)
    variations = expand(spec)
    cases, seen = [], {}
    for name, changes in variations:
        case = resolve_case(base, name, {**spec.overrides, **changes})
        if case.case_id in seen:
            log.warning("%s: case %r resolves to the same scenario as %r (id %s); run once",
                        origin, name, seen[case.case_id], case.case_id)
            continue
        seen[case.case_id] = name
        cases.append(case)
    return Batch(name=spec.name or default_name, origin=origin, base=base, cases=cases,
                 keys=keys)


def _all_keys(spec: BatchFile) -> list[str]:
    keys = list(spec.overrides) + list(spec.grid)
    for case in spec.cases:
        keys += [k for k in case if k != "name"]
    return list(dict.fromkeys(keys))


def _check_key(key: str, base: LoadedScenario, origin: str) -> None:
    """Unknown override keys are errors of the batch file, not of every case."""
    if key.startswith("overrides."):
        from greendc.catalogue import apply_overrides, scenario_catalogue_dicts

        raw = scenario_catalogue_dicts(base)
        if any(ref.facts for ref in base.scenario.sites):
            return  # sites outside the catalogue: checked when the case is loaded
        try:
            # only the path is checked: a full quantity also passes an absent optional field
            apply_overrides(raw, {key.removeprefix("overrides."): {"value": 0, "unit": "1"}},
                            origin)
        except ScenarioError as exc:
            raise BatchError(str(exc)) from None
        return
    model: Any = Scenario
    parts = key.split(".")
    for depth, part in enumerate(parts):
        fields = getattr(model, "model_fields", None)
        if fields is None or part not in fields:
            known = ", ".join(sorted(fields)) if fields else "(not a section)"
            raise BatchError(f"{origin}: override key {key!r}: unknown scenario field "
                             f"{'.'.join(parts[:depth + 1])!r}; known here: {known}")
        annotation = fields[part].annotation
        model = annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) \
            else None
        if model is None and depth < len(parts) - 1:
            if part in ("overrides",):
                return
            raise BatchError(f"{origin}: override key {key!r}: {part!r} is a value, not a "
                             f"section; use {'.'.join(parts[:depth + 1])!r}")


def expand(spec: BatchFile) -> list[tuple[str, dict[str, Any]]]:
    """(name, overrides) of every variation: grid product, explicit cases, or both."""
    grid = _grid_points(spec.grid)
    explicit = [(case.get("name") or f"case{i}", {k: v for k, v in case.items() if k != "name"})
                for i, case in enumerate(spec.cases)]
    if grid and explicit:
        if spec.combine == "union":
            return explicit + grid
        return [(f"{cn}, {gn}", {**cv, **gv}) for cn, cv in explicit for gn, gv in grid]
    return explicit or grid or [("base", {})]


def _grid_points(grid: dict[str, list[Any]]) -> list[tuple[str, dict[str, Any]]]:
    if not grid:
        return []
    keys = list(grid)
    short = [k.split(".")[-1] for k in keys]
    labels = [s if short.count(s) == 1 else k.removeprefix("overrides.")
              for k, s in zip(keys, short)]
    points = []
    for values in itertools.product(*(grid[k] for k in keys)):
        name = ",".join(f"{lab}={_label(v)}" for lab, v in zip(labels, values))
        points.append((name, dict(zip(keys, values))))
    return points


def _label(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, list):
        return "+".join(map(str, value)) or "[]"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def resolve_case(base: LoadedScenario, name: str, changes: dict[str, Any]) -> Case:
    """Apply the overrides (and one decomposition worker per case, so that a batch does not
    oversubscribe the cores); the case id is the digest of the resolved scenario."""
    try:
        loaded = with_overrides(base, {**changes, "solver.workers": 1})
    except ScenarioError as exc:
        blob = json.dumps([base.scenario.digest(), changes], sort_keys=True, default=str)
        return Case(case_id=hashlib.sha256(blob.encode()).hexdigest()[:16], name=name,
                    overrides=changes, error=f"ScenarioError: {exc}")
    return Case(case_id=loaded.scenario.digest(), name=name, overrides=changes, loaded=loaded,
                data_hash=data_fingerprint(loaded))


_FILE_HASHES: dict[tuple[str, int, int], str] = {}


def _file_hash(path: pathlib.Path) -> str:
    st = path.stat()
    key = (str(path), st.st_mtime_ns, st.st_size)
    if key not in _FILE_HASHES:
        _FILE_HASHES[key] = hashlib.sha256(path.read_bytes()).hexdigest()
    return _FILE_HASHES[key]


def data_fingerprint(loaded: LoadedScenario) -> str:
    """Hash of the data a case reads (catalogue YAML files and its sites' hourly files): a
    finished case whose data changed since is run again. Empty when a file is missing (the case
    then fails with the loader's message)."""
    from greendc.resources import DATA_DIR
    from greendc.catalogue import user_catalogue_files
    from greendc.timeseries import data_dir, planner_file, site_file

    try:
        folder = (data_dir(loaded) or DATA_DIR) / "catalogue"
        files = sorted(folder.glob("*.yaml"))
        files += [path for _, path in user_catalogue_files(loaded)]
        files += [site_file(loaded, ref.id, ref.file, i)
                  for i, ref in enumerate(loaded.scenario.sites)]
        profile = loaded.scenario.compute.it_load_mw
        if isinstance(profile, str):  # an hourly IT-load profile file
            files.append(planner_file(loaded, profile, "compute.it_load_mw"))
        parts = [f"{p.name}:{_file_hash(p)}" for p in files]
    except (GreendcError, OSError):
        return ""
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]
