"""Study scenarios: a YAML file validated by pydantic v2 models.

A scenario names the candidate sites, server types and cooling technologies, the compute
requirement, the objective, limits and sovereignty rules, and may override any catalogue
value by its dotted path. Example (``studies/reference_sites.yaml``)::

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

from pydantic import (
    AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator,
)

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

    ``file`` is NetCDF or CSV with the site variables (see ``greendc.sitedata.io``): a path
    relative to the scenario file (``../data/x.csv`` allowed) or absolute. ``facts`` gives or
    overrides planning facts of ``data/catalogue/sites.yaml`` (required in full for a site
    that is not in the catalogue) as plain numbers in the documented units or
    ``{value, unit}`` converted with pint (``greendc.sitefacts``). ``country`` and the
    memberships set the site's jurisdiction (a CSV file carries none).
    """

    id: str = Field(min_length=1)
    file: str | None = Field(None, description="own hourly site file (.nc or .csv), relative "
                             "to the scenario file or absolute")
    facts: dict[str, Any] = Field({}, description="planning facts in the documented units "
                                  "(grid_connection_mw [MW], floor_area_m2 [m2], ...) or "
                                  "{value, unit} converted with pint")
    country: str | None = Field(None, description="ISO 3166-1 alpha-2 country of the site "
                                "(overrides the file's); EU/EEA/adequacy follow unless given")
    eu_member: bool | None = Field(None, description="EU member state (default: from country)")
    eea_member: bool | None = Field(None, description="EEA member (default: from country)")
    eu_adequacy_decision: bool | None = Field(
        None, description="country with an EU adequacy decision (default: from country)")

    @field_validator("country")
    @classmethod
    def _iso_country(cls, value: str | None) -> str | None:
        if value is None or value in ISO_ALPHA2:
            return value
        up = value.strip().upper()
        hint = (f"did you mean '{JURISDICTION_ALIASES[up]}'? " if up in JURISDICTION_ALIASES
                else f"did you mean '{up}'? " if up in ISO_ALPHA2 else "")
        raise ValueError(f"'{value}' is not an ISO 3166-1 alpha-2 country code; {hint}"
                         "expected e.g. FR, DE, SE, GB")


class Compute(_Strict):
    """Compute to host: either installed performance (``required_pflops``, the optimiser
    chooses server types and counts) or a given IT power (``it_load_mw``).

    ``it_load_mw`` is a number [MW] or an hourly profile file [MW] (CSV with a column
    ``it_load_mw``, or NetCDF with a variable ``it_load_mw``; 8,760 hourly values or exactly
    the horizon's hours; path relative to the scenario file or absolute). Facility power is
    then IT load x hourly PUE; the cooling plant, facility and grid connection are sized for
    the profile's peak (over the whole year for an 8,760 h profile). Servers: without
    ``server`` none are modelled (their price and embodied emissions are not counted, stated
    in the results as ``server_accounting``; racks follow from the peak IT power and the
    cooling's rack density); with ``server: <id>`` the optimiser sizes the count of that
    catalogue type to carry the peak (nodes x node peak power >= peak IT load) and counts
    their cost and embodied emissions. A given IT load is hosted at one site (max_sites 1).
    """

    required_pflops: Annotated[float | None, Plausible(1, 1e6, "meant TFLOP/s or EFLOP/s?")] = \
        Field(None, gt=0, description="installed peak PFLOP/s (BF16 dense); plausible 1-1e6; "
              "exactly one of required_pflops and it_load_mw")
    it_load_mw: float | str | None = Field(
        None, description="given IT power [MW] (> 0), or the path of an hourly IT-load "
        "profile [MW] (CSV column / NetCDF variable it_load_mw; 8,760 h or the horizon)")
    server: str | None = Field(
        None, description="with it_load_mw: catalogue server type whose count is sized to "
        "carry the peak IT load (cost and embodied counted); omitted: no servers modelled")
    utilisation_share: float = Field(
        0.8, gt=0, le=1, description="average load of the nodes, 0-1 (power interpolates "
        "idle->peak); required_pflops only (with it_load_mw the IT power is given)")

    @model_validator(mode="after")
    def _one_basis(self) -> Compute:
        if (self.required_pflops is None) == (self.it_load_mw is None):
            raise ValueError("give exactly one of required_pflops [PFLOP/s] (servers chosen "
                             "by the optimiser) and it_load_mw [MW] (a given IT power or "
                             "profile file); got " + ("both" if self.required_pflops else
                                                      "neither"))
        if self.it_load_mw is None:
            if self.server is not None:
                raise ValueError(f"server = {self.server!r} applies to it_load_mw only; "
                                 "with required_pflops list candidates under `servers:`")
            return self
        if isinstance(self.it_load_mw, float) and not 0 < self.it_load_mw <= 5000:
            raise ValueError(f"it_load_mw = {self.it_load_mw:g}: expected an IT power in MW "
                             "in (0, 5000] (meant kW?)")
        if isinstance(self.it_load_mw, str) and not self.it_load_mw.strip():
            raise ValueError("it_load_mw = '': expected a number [MW] or a profile file path")
        if "utilisation_share" in self.model_fields_set:
            raise ValueError("utilisation_share applies to required_pflops only: with "
                             "it_load_mw the IT power drawn is given")
        return self


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


class PuePoint(_Strict):
    """One point of a design PUE curve: PUE at an outdoor dry-bulb temperature."""

    dry_bulb_c: float = Field(ge=-60, le=60, description="outdoor dry-bulb temperature [degC]")
    pue: float = Field(ge=1.0, le=3.0, description="design PUE at that temperature [-], 1-3")


def _check_curve(points: list[PuePoint]) -> list[PuePoint]:
    if len(points) < 2:
        raise ValueError(f"{len(points)} point(s): a PUE curve needs at least 2 points "
                         "{dry_bulb_c: <degC>, pue: <1-3>}")
    temps = [p.dry_bulb_c for p in points]
    if any(b <= a for a, b in zip(temps, temps[1:])):
        raise ValueError(f"dry_bulb_c = {temps}: expected strictly increasing temperatures "
                         "[degC]")
    return points


PueCurve = Annotated[list[PuePoint], AfterValidator(_check_curve)]


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
    """

    battery: bool = True
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
    pue_curves: dict[str, PueCurve] = Field(
        {}, description="design PUE curve per cooling id: points {dry_bulb_c [degC], pue [-]}, "
        "piecewise linear in the hourly outdoor temperature, constant beyond the end points; "
        "used instead of the physics model (a site file's pue_<cooling_id> wins at its site)")
    overrides: dict[str, Any] = {}
    data_dir: str | None = None
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

    @model_validator(mode="after")
    def _it_load_rules(self) -> Scenario:
        if self.compute.it_load_mw is None:
            return self
        if self.max_sites != 1:
            raise ValueError(f"max_sites = {self.max_sites}: a given compute.it_load_mw is "
                             "hosted at one site; use max_sites 1 or required_pflops")
        if self.servers is not None:
            raise ValueError("servers applies to required_pflops; with compute.it_load_mw "
                             "name one type as compute.server (or none)")
        if self.compute.server is None and self.sovereignty.max_non_eu_hardware_share < 1:
            raise ValueError("sovereignty.max_non_eu_hardware_share needs the servers' vendor, "
                             "but compute.it_load_mw without compute.server models no servers; "
                             "set compute.server")
        return self

    def digest(self) -> str:
        """Stable hash of the resolved scenario (provenance, batch case ids)."""
        # fields added later (data_year, issue 15's compute/site/PUE inputs) only enter the
        # hash when set, so unchanged scenarios keep their hash (batch case ids)
        dump = self.model_dump(mode="json", exclude={"data_year"} if self.data_year is None
                               else set())
        for key in ("it_load_mw", "server"):
            if dump["compute"][key] is None:
                del dump["compute"][key]
        if not dump["pue_curves"]:
            del dump["pue_curves"]
        for site in dump["sites"]:
            for key in ("country", *("eu_member", "eea_member", "eu_adequacy_decision")):
                if site[key] is None:
                    del site[key]
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
