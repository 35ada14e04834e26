"""Study scenarios: a YAML file validated by pydantic v2 models.

A scenario names the candidate sites, server types and cooling technologies, the compute
requirement, the objective, limits and sovereignty rules, may layer its own catalogue files
over the built-in catalogue (``catalogue:``, see ``greendc.catalogue.layer_catalogues``) and
may override any catalogue value by its dotted path. Example (``studies/reference_sites.yaml``)::

    name: reference_sites
    sites: [fr-essonne, se-stockholm, de-frankfurt, es-madrid, gb-london, nl-amsterdam]
    compute: {required_pflops: 20000, utilisation_share: 0.8}
    objective: cost
    sovereignty: {allowed_jurisdictions: [EU, EEA, ADEQUACY]}
    overrides: {servers.b200_node.price_eur: 380000}

Unknown fields are errors (typos never pass silently); numbers are strict (a bool is not a
number); every problem is reported at once with the file, the dotted field, the value and what
was expected. Fields with a documented plausible range (``Plausible`` in their annotation)
warn outside it (value kept) and are refused far beyond it (``greendc.catalogue.
check_plausible``).
"""

from __future__ import annotations

import hashlib
import json
import math
import pathlib
import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from greendc.catalogue import Plausible, check_plausible, format_validation_error
from greendc.errors import ScenarioError
from greendc.yamlio import load_yaml, parse_yaml

JURISDICTION_GROUPS = ("EU", "EEA", "ADEQUACY")
# ISO 3166-1 alpha-2 (249 codes, as in the IANA tz database's iso3166.tab, 2024).
ISO_ALPHA2 = frozenset("""
AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR
BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ
EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW
GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY
KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV
MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY
QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG
TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM
ZW""".split())
# Codes planners write that ISO spells otherwise (EU usage: UK, EL for Greece).
JURISDICTION_ALIASES = {"UK": "GB", "EL": "GR", "EUROPE": "EU"}


class _Strict(BaseModel):
    """Unknown fields are errors; numbers are strict (an int is a number, a bool is not:
    ``required_pflops: true`` is refused instead of being read as 1)."""

    model_config = ConfigDict(extra="forbid", strict=True)


class SiteRef(_Strict):
    """A candidate site: a reference site id, optionally with the user's own hourly file.

    ``file`` is NetCDF or CSV with the site variables (see ``greendc.sitedata.io``), resolved
    relative to the scenario file; ``facts`` gives or overrides planning facts of
    ``data/catalogue/sites.yaml`` (required in full for a site that is not in the catalogue).
    """

    id: str = Field(min_length=1)
    file: str | None = None
    facts: dict[str, Any] = {}


class Compute(_Strict):
    """Compute to host: installed peak performance and the average utilisation."""

    required_pflops: Annotated[float, Plausible(1, 1e6, "meant TFLOP/s or EFLOP/s?")] = Field(
        gt=0, description="installed peak PFLOP/s (BF16 dense); plausible 1-1e6")
    utilisation_share: float = Field(
        0.8, gt=0, le=1, description="average load of the nodes, 0-1 (power interpolates idle->peak)"
    )


class Sovereignty(_Strict):
    """Sovereignty rules as data; each becomes a named constraint family.

    ``allowed_jurisdictions``: groups EU, EEA, ADEQUACY (EU adequacy decision) and/or ISO
    country codes; a site is allowed when it belongs to any of them. ``max_non_eu_hardware_share``:
    share of IT power from non-EU vendors. ``max_non_eu_ownership_share``: share of the site
    operator's capital held outside the EU (SecNumCloud: 0.24 for a single holder).
    ``exclude_legal_exposures``: regimes by the names the site data uses, e.g.
    ``["UK_IPA_2016"]``; an unknown name is an error (with "did you mean").
    """

    allowed_jurisdictions: list[str] | None = None
    max_non_eu_hardware_share: float = Field(1.0, ge=0, le=1)
    max_non_eu_ownership_share: float = Field(1.0, ge=0, le=1)
    exclude_legal_exposures: list[str] = []

    @field_validator("allowed_jurisdictions")
    @classmethod
    def _known_groups(cls, value: list[str] | None) -> list[str] | None:
        if value is None:
            return None
        if not value:
            raise ValueError("empty list allows no site; omit the rule to allow every site")
        bad = []
        for item in value:
            if item not in JURISDICTION_GROUPS and item not in ISO_ALPHA2:
                hint = (f"did you mean '{JURISDICTION_ALIASES[item.upper()]}'? "
                        if item.upper() in JURISDICTION_ALIASES else
                        f"did you mean '{item.upper()}'? " if item.upper() in JURISDICTION_GROUPS
                        or item.upper() in ISO_ALPHA2 else "")
                bad.append(f"'{item}' is neither a group {JURISDICTION_GROUPS} nor an ISO "
                           f"alpha-2 country code (ISO 3166-1); {hint}".rstrip("; "))
        if bad:
            raise ValueError("; ".join(bad))
        return value


class Finance(_Strict):
    discount_rate: float = Field(0.07, ge=0, lt=0.5, description="real discount rate, 0-0.5")
    carbon_price_eur_per_t: Annotated[float, Plausible(0, 2000, "meant EUR/kgCO2?")] = Field(
        0.0, ge=0, description="internal carbon price [EUR/tCO2]; plausible 0-2,000")
    grid_price_scale: float = Field(
        1.0, gt=0, le=10,
        description="factor on the positive hourly day-ahead prices (price scenarios)")
    grid_price_scale_negative: bool = Field(
        False, description="also multiply negative prices by grid_price_scale (default: a "
        "negative hour keeps its price, so a x2 scenario does not double a surplus)")


class Options(_Strict):
    """Which optional parts of the design may be built, and accounting choices.

    ``credit_avoided_heat_emissions`` (default false): subtract the emissions that exported
    heat avoids in the district-heating network (heat x the network's carbon content) from
    the emissions objective and cap. They are always reported as their own line
    (``avoided_heat_t_per_yr``). Off by default because the GHG Protocol reports avoided
    emissions separately from the inventory, never netted against it: the network already
    books the lower emissions of its heat, so netting them here would count them twice, and
    the displaced production is the network's marginal plant, not its average content.

    ``ppa`` (default true): off-site power purchase agreements (supply entries of kind
    ``ppa``) may be contracted; false leaves only owned plants, exactly as a
    ``supply_techs`` list without any PPA. ``battery_type``: the storage entry of the
    catalogue that ``battery`` builds (an own one from a ``catalogue:`` file, say).
    """

    battery: bool = True
    battery_type: str = Field("battery", min_length=1, description="storage entry of the "
                              "catalogue built as the battery")
    ppa: bool = Field(True, description="allow off-site PPAs (supply kind 'ppa')")
    heat_export: bool = True
    surplus_sale: bool = True
    credit_avoided_heat_emissions: bool = False
    supply_techs: list[str] | None = None


class Horizon(_Strict):
    """Hours modelled: ``hours`` consecutive hours from ``start_hour``; annual figures are
    scaled by 8760 / hours (``weight_h``). The default is the full year."""

    start_hour: int = Field(0, ge=0, lt=8760)
    hours: int = Field(8760, ge=1, le=8760)
    typical_days: int | None = Field(
        None, ge=2, le=365, description="design on N representative days (tsam, extra "
        "'typical'), then re-evaluate the design hour by hour over the full year")

    @model_validator(mode="after")
    def _within_year(self) -> Horizon:
        if self.start_hour + self.hours > 8760:
            raise ValueError(
                f"start_hour + hours = {self.start_hour + self.hours} exceeds the 8760 h year"
            )
        if self.typical_days is not None and (self.start_hour != 0 or self.hours != 8760):
            raise ValueError(
                f"typical_days = {self.typical_days} aggregates the full year; it cannot be "
                f"combined with a cut horizon (start_hour = {self.start_hour}, hours = "
                f"{self.hours}); drop one of them"
            )
        return self


class SolverOptions(_Strict):
    mip_rel_gap: float = Field(1e-4, gt=0, lt=1)
    time_limit_s: Annotated[float | None, Plausible(1, 1e6, "meant ms?")] = Field(
        None, gt=0, description="time limit per MILP [s]; plausible 1-1e6")
    threads: int = Field(1, ge=1, le=64)
    strategy: Literal["auto", "decompose", "monolithic"] = "auto"
    workers: int = Field(2, ge=1, le=64, description="parallel worker processes for decomposition")


class Scenario(_Strict):
    name: str = Field(min_length=1)
    description: str = ""
    sites: list[SiteRef] = Field(min_length=1)
    servers: list[str] | None = None
    cooling: list[str] | None = None
    compute: Compute
    objective: Literal["cost", "emissions"] = "cost"
    emissions_scope: Literal["total", "operational"] = "total"
    emissions_cap_t_per_yr: Annotated[float | None, Plausible(0, 1e7, "meant kgCO2e/yr?")] = \
        Field(None, ge=0, description="emissions cap [tCO2e/yr]; plausible 0-1e7")
    min_cfe_share: float | None = Field(None, ge=0, le=1)
    max_sites: int = Field(1, ge=1)
    finance: Finance = Finance()
    options: Options = Options()
    sovereignty: Sovereignty = Sovereignty()
    horizon: Horizon = Horizon()
    solver: SolverOptions = SolverOptions()
    catalogue: list[str] = Field(
        [], description="own catalogue files (YAML, paths relative to the scenario file), "
        "layered over the built-in catalogue in order, a later file winning: new server types, "
        "cooling technologies, supply contracts and storage, or changed fields of built-in "
        "entries (see README 'Own technologies')")
    overrides: dict[str, Any] = Field(
        {}, description="catalogue values changed by dotted path, applied after the "
        "catalogue files, e.g. {servers.b200_node.price_eur: 380000} (unit kept)")
    data_dir: str | None = Field(
        None, description="deprecated: a full copy of the data folder (catalogue/ and "
        "sites/); use `catalogue:` files for technologies and sites[].file for site series")
    data_year: int | None = Field(
        None, ge=1990, le=2100, description="grid data year of every site file (reference "
        "sites: data/sites/<site>_<year>.nc, see `greendc data list`); default 2018")

    @field_validator("name")
    @classmethod
    def _safe_name(cls, value: str) -> str:
        """The default results folder is ``results/<name>``: a name must not be a path."""
        if any(c in value for c in "/\\") or ".." in value or any(ord(c) < 32 for c in value) \
                or value.strip() in ("", "."):
            raise ValueError("a scenario name may not contain path separators ('/', '\\'), "
                             "'..' or control characters (the results folder results/<name> "
                             "is derived from it); use letters, digits, '-', '_' and '.'")
        return value

    @field_validator("sites", mode="before")
    @classmethod
    def _site_ids(cls, value: Any) -> Any:
        if isinstance(value, list):
            return [{"id": v} if isinstance(v, str) else v for v in value]
        return value

    @model_validator(mode="after")
    def _unique_sites(self) -> Scenario:
        ids = [s.id for s in self.sites]
        dup = sorted({i for i in ids if ids.count(i) > 1})
        if dup:
            raise ValueError(f"sites listed twice: {dup}")
        return self

    def digest(self) -> str:
        """Stable hash of the resolved scenario (provenance, batch case ids)."""
        # opt-in fields only enter the hash when set, so unchanged scenarios keep their hash
        unset = {"data_year": self.data_year is None, "catalogue": not self.catalogue}
        opts = {"ppa": self.options.ppa, "battery_type": self.options.battery_type == "battery"}
        exclude: dict[str, Any] = {k: True for k, v in unset.items() if v}
        if any(opts.values()):
            exclude["options"] = {k for k, v in opts.items() if v}
        dump = self.model_dump(mode="json", exclude=exclude)
        blob = json.dumps(dump, sort_keys=True)
        return hashlib.sha256(blob.encode()).hexdigest()[:16]


def folder_name(name: str) -> str:
    """A results-folder name derived from a scenario or batch name: only letters, digits,
    '-', '_' and '.' (others become '_'), never empty, never starting with '.'."""
    safe = re.sub(r"[^\w.-]+", "_", name, flags=re.ASCII).strip("._")
    return safe or "scenario"


class LoadedScenario(BaseModel):
    """A validated scenario plus where it came from (for relative paths and messages)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    scenario: Scenario
    origin: str
    base_dir: pathlib.Path


def _percent_hints(raw: dict[str, Any]) -> list[str]:
    """Spot shares given as percentages (80 instead of 0.8) before pydantic's generic message."""
    hints = []
    checks = {
        ("compute", "utilisation_share"), ("sovereignty", "max_non_eu_hardware_share"),
        ("sovereignty", "max_non_eu_ownership_share"), ("finance", "discount_rate"),
    }
    for section, key in sorted(checks):
        value = (raw.get(section) or {}).get(key) if isinstance(raw.get(section), dict) else None
        if isinstance(value, int | float) and 1 < value <= 100:
            hints.append(f"{section}.{key} = {value}: expected a fraction in [0, 1]; "
                         f"did you mean {value / 100:g}?")
    value = raw.get("min_cfe_share")
    if isinstance(value, int | float) and 1 < value <= 100:
        hints.append(f"min_cfe_share = {value}: expected a fraction in [0, 1]; "
                     f"did you mean {value / 100:g}?")
    return hints


def scenario_from_dict(
    raw: Any, origin: str = "<scenario>", base_dir: pathlib.Path | None = None
) -> LoadedScenario:
    """Validate a scenario given as a dict; errors name ``origin`` and the dotted field."""
    if not isinstance(raw, dict):
        raise ScenarioError(f"{origin}: expected a mapping of scenario fields, got {type(raw).__name__}")
    hints = _percent_hints(raw)
    nonfinite: list[str] = []
    _check_numbers_finite(raw, origin, found=nonfinite)
    try:
        scenario = Scenario.model_validate(raw)
    except ValidationError as exc:
        lines = format_validation_error(exc, origin, prefix="", model=Scenario).split("\n")
        # a NaN/inf is reported once, as "expected a finite number"
        lines = [ln for ln in lines if not any(ln.startswith(f"{n.split(' = ')[0]} = ")
                                               for n in nonfinite)]
        text = "\n".join(nonfinite + lines)
        if hints:
            text += "\n" + "\n".join(f"{origin}: {h}" for h in hints)
        raise ScenarioError(text) from None
    if hints or nonfinite:
        raise ScenarioError("\n".join(nonfinite + [f"{origin}: {h}" for h in hints]))
    check_plausible(scenario, origin, ScenarioError)
    return LoadedScenario(scenario=scenario, origin=origin, base_dir=base_dir or pathlib.Path.cwd())


def _check_numbers_finite(raw: Any, origin: str, path: str = "",
                          found: list[str] | None = None) -> None:
    """Collect (into ``found``) or raise a line for every NaN / infinite number."""
    if isinstance(raw, float) and not math.isfinite(raw):
        line = f"{origin}: {path} = {raw}: expected a finite number"
        if found is None:
            raise ScenarioError(line)
        found.append(line)
    if isinstance(raw, dict):
        for k, v in raw.items():
            _check_numbers_finite(v, origin, f"{path}.{k}" if path else str(k), found)
    elif isinstance(raw, list):
        for i, v in enumerate(raw):
            _check_numbers_finite(v, origin, f"{path}.{i}" if path else str(i), found)


def load_scenario(path: str | pathlib.Path) -> LoadedScenario:
    """Read and validate a scenario YAML file (or a built-in study by name, ``study_path``)."""
    from greendc.resources import study_path

    path = study_path(path)
    raw = load_yaml(path, ScenarioError)
    return scenario_from_dict(raw, origin=str(path), base_dir=path.resolve().parent)


def load_scenario_text(text: str, origin: str = "<string>") -> LoadedScenario:
    return scenario_from_dict(parse_yaml(text, origin, ScenarioError), origin=origin)


def with_overrides(loaded: LoadedScenario, changes: dict[str, Any]) -> LoadedScenario:
    """A copy of the scenario with dotted-path changes, e.g. ``{"objective": "emissions",
    "sovereignty.allowed_jurisdictions": ["EU"]}``; re-validated."""
    raw = loaded.scenario.model_dump(mode="json", exclude_unset=True)
    for dotted, value in changes.items():
        if dotted.startswith("overrides."):  # catalogue paths contain dots themselves
            raw.setdefault("overrides", {})[dotted.removeprefix("overrides.")] = value
            continue
        node = raw
        keys = dotted.split(".")
        for key in keys[:-1]:
            if not isinstance(node.get(key), dict):
                node[key] = {}
            node = node[key]
        node[keys[-1]] = value
    return scenario_from_dict(raw, loaded.origin, loaded.base_dir)
