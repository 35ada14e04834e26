"""A planner's own site: planning facts and jurisdiction given in the scenario.

``facts`` (``sites[i].facts``) give or override the planning facts of
``data/catalogue/sites.yaml`` (``greendc.catalogue.SiteFacts``). Each numeric fact may be

- a plain number in the documented unit, the one its name ends with
  (``grid_connection_mw: 60`` [MW], ``floor_area_m2: 8000`` [m2]),
- ``{value: 1000, unit: ft2}``: converted with pint (``greendc.units``) to the documented unit
  (1000 ft2 -> 92.9 m2); a unit of another kind is refused naming the field, the value and
  the expected unit; ``source`` is optional (default ``scenario override``).

``supply_potential_mw`` is a mapping per supply contract (``{solar_ppa: 50}`` [MW]), merged
over the catalogue's entries of a reference site. Unknown facts are refused with the accepted
names.

Jurisdiction (``sites[i].country``, ``eu_member``, ``eea_member``, ``eu_adequacy_decision``):
set on the site's hourly Dataset attributes, where the sovereignty rules, the country strike
prices and the district-heating carbon content read them. Given a country, the memberships
follow from it unless given: EU member states, EEA = EU + IS, LI, NO, and the countries with
an EU adequacy decision under Art. 45 GDPR (European Commission list, as of 2024:
AD, AR, CA, CH, FO, GB, GG, IL, IM, JE, JP, KR, NZ, US, UY; CA and US only for commercial
organisations / the EU-US Data Privacy Framework: set ``eu_adequacy_decision: false`` where the
operator is not covered). Values given in the scenario win over the site file's attributes.
"""

from __future__ import annotations

import typing
from typing import Annotated, Any

from greendc.catalogue import EU_MEMBERS, OVERRIDE_SOURCE, SiteFacts, did_you_mean, expected_unit
from greendc.errors import ScenarioError
from greendc.units import convert

EEA_NON_EU = frozenset({"IS", "LI", "NO"})
# Art. 45 GDPR adequacy decisions (European Commission, "Adequacy decisions", 2024).
EU_ADEQUACY = frozenset("AD AR CA CH FO GB GG IL IM JE JP KR NZ US UY".split())
JURISDICTION_ATTRS = ("eu_member", "eea_member", "eu_adequacy_decision")


def fact_unit(name: str) -> str | None:
    """Documented unit of a site fact, of its values for a mapping such as
    ``supply_potential_mw`` (None for flags, names and lists)."""
    return expected_unit(SiteFacts, (name,)) or expected_unit(SiteFacts, (name, "any"))


def _quantity(value: Any, unit: str, where: str) -> dict[str, Any]:
    """A catalogue quantity dict in ``unit`` from a plain number or ``{value, unit, source}``."""
    if isinstance(value, bool) or not isinstance(value, int | float | dict):
        kind = " (a yes/no boolean is not a number)" if isinstance(value, bool) else ""
        raise ScenarioError(f"{where} = {value!r}{kind}: expected a number in {unit} or "
                            f"{{value: <number>, unit: <unit>}}")
    if isinstance(value, int | float):
        return {"value": float(value), "unit": unit, "source": OVERRIDE_SOURCE}
    extra = sorted(set(value) - {"value", "unit", "source"})
    number = value.get("value")
    if extra or isinstance(number, bool) or not isinstance(number, int | float):
        raise ScenarioError(f"{where} = {value!r}: expected {{value: <number>, unit: <unit>, "
                            f"source: <key, optional>}} (value in {unit} if no unit is given)")
    given = str(value.get("unit") or unit)
    try:
        converted = convert(float(number), given, unit)
    except ValueError as exc:
        raise ScenarioError(f"{where} = {number} [{given}]: {exc}; expected a value in "
                            f"{unit}") from None
    return {"value": converted, "unit": unit, "source": str(value.get("source") or
                                                           OVERRIDE_SOURCE)}


def merge_site_facts(base: dict[str, Any] | None, site_id: str, facts: dict[str, Any],
                     where: str) -> dict[str, Any]:
    """Catalogue facts of one site: ``base`` (the catalogue entry, None for a new site) with
    the scenario's ``facts`` applied (``where``: e.g. ``"s.yaml: sites[0].facts"``)."""
    merged = dict(base or {"name": site_id})
    known = SiteFacts.model_fields
    for key, value in facts.items():
        if key not in known:
            raise ScenarioError(f"{where}.{key}: unknown site fact; {did_you_mean(key, known)}"
                                f"accepted: {', '.join(known)}")
        unit = fact_unit(key)
        if key == "supply_potential_mw":
            if not isinstance(value, dict):
                raise ScenarioError(f"{where}.{key} = {value!r}: expected a mapping supply "
                                    "contract -> MW, e.g. {solar_ppa: 50}")
            merged[key] = {**(merged.get(key) or {}), **{
                str(k): _quantity(v, unit, f"{where}.{key}.{k}") for k, v in value.items()}}
        elif unit is not None and value is not None:
            merged[key] = _quantity(value, unit, f"{where}.{key}")
        else:
            merged[key] = value
    return merged


def jurisdiction(ref: Any, attrs: dict[str, Any]) -> dict[str, Any]:
    """Site attributes ``country`` and the memberships after the scenario's ``sites[i]``
    settings (``ref``) and the derivation from the country (module docstring); empty when
    neither the file nor the scenario gives a country."""
    country = ref.country or str(attrs.get("country", "") or "").strip().upper()
    if not country:
        return {}
    derived = {"eu_member": country in EU_MEMBERS,
               "eea_member": country in EU_MEMBERS or country in EEA_NON_EU,
               "eu_adequacy_decision": country in EU_ADEQUACY}
    out: dict[str, Any] = {"country": country}
    for key in JURISDICTION_ATTRS:
        given = getattr(ref, key)
        if given is not None:
            out[key] = int(given)
        elif ref.country is None and key in attrs:
            out[key] = int(attrs[key])  # the file's own statement for its own country
        else:
            out[key] = int(derived[key])
    return out
