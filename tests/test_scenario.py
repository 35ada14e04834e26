"""Scenario validation: messages name the file, the field, the value and what was expected."""

from __future__ import annotations

import pytest

from greendc.errors import ScenarioError
from greendc.scenario import load_scenario, load_scenario_text, scenario_from_dict, with_overrides

BASE = {"name": "t", "sites": ["fr-essonne"], "compute": {"required_pflops": 100}}


def raw(**changes):
    out = {**BASE}
    out.update(changes)
    return out


def message(raw_scenario) -> str:
    with pytest.raises(ScenarioError) as err:
        scenario_from_dict(raw_scenario, origin="study.yaml")
    return str(err.value)


def test_defaults():
    sc = scenario_from_dict(raw()).scenario
    assert sc.max_sites == 1 and sc.objective == "cost" and sc.solver.mip_rel_gap == 1e-4
    assert sc.sites[0].id == "fr-essonne"
    assert sc.horizon.hours == 8760


def test_missing_required_field():
    text = message({"name": "t", "sites": ["fr-essonne"]})
    assert "study.yaml: compute: required field is missing" in text


def test_unknown_field_is_a_typo():
    text = message(raw(objectve="cost"))
    assert "objectve" in text and "unknown field (typo?)" in text


def test_negative_compute_requirement():
    text = message(raw(compute={"required_pflops": -5}))
    assert "compute.required_pflops = -5" in text and "greater than 0" in text


def test_percentage_instead_of_share():
    text = message(raw(sovereignty={"max_non_eu_hardware_share": 50}))
    assert "sovereignty.max_non_eu_hardware_share = 50" in text and "did you mean 0.5" in text


def test_discount_rate_out_of_range():
    text = message(raw(finance={"discount_rate": 0.7}))
    assert "finance.discount_rate = 0.7" in text and "less than 0.5" in text


def test_objective_choices():
    text = message(raw(objective="cheapest"))
    assert "objective = 'cheapest'" in text and "'cost'" in text and "'emissions'" in text


def test_unknown_jurisdiction_group():
    text = message(raw(sovereignty={"allowed_jurisdictions": ["EUROPE"]}))
    assert "EUROPE" in text and "ISO alpha-2" in text


def test_empty_candidate_set():
    text = message(raw(sites=[]))
    assert "sites" in text and "at least 1 item" in text


def test_duplicate_site():
    assert "sites listed twice: ['fr-essonne']" in message(raw(sites=["fr-essonne", "fr-essonne"]))


def test_horizon_beyond_year():
    assert "exceeds the 8760 h year" in message(raw(horizon={"start_hour": 8000, "hours": 800}))


def test_yaml_duplicate_keys():
    with pytest.raises(ScenarioError) as err:
        load_scenario_text("name: a\nname: b\nsites: [x]\ncompute: {required_pflops: 1}\n",
                           origin="dup.yaml")
    assert "dup.yaml" in str(err.value) and "duplicate key 'name'" in str(err.value)


def test_unreadable_file(tmp_path):
    with pytest.raises(ScenarioError) as err:
        load_scenario(tmp_path / "missing.yaml")
    assert "missing.yaml: cannot read the file" in str(err.value)


def test_yaml_tags_are_refused():
    with pytest.raises(ScenarioError) as err:
        load_scenario_text("name: !!python/object/apply:os.system ['echo hi']\n", origin="evil.yaml")
    assert "evil.yaml: not valid YAML" in str(err.value)


def test_with_overrides_changes_fields_and_catalogue_paths():
    loaded = scenario_from_dict(raw())
    changed = with_overrides(loaded, {"objective": "emissions",
                                      "sovereignty.allowed_jurisdictions": ["EU"],
                                      "overrides.servers.b200_node.price_eur": 1.0})
    sc = changed.scenario
    assert sc.objective == "emissions"
    assert sc.sovereignty.allowed_jurisdictions == ["EU"]
    assert sc.overrides == {"servers.b200_node.price_eur": 1.0}
    assert loaded.scenario.objective == "cost"


def test_digest_is_stable_and_sensitive():
    a = scenario_from_dict(raw()).scenario.digest()
    assert a == scenario_from_dict(raw()).scenario.digest()
    assert a != scenario_from_dict(raw(max_sites=2)).scenario.digest()


def test_digest_of_existing_scenarios_is_unchanged_by_the_issue_15_fields():
    """Hashes computed with the scenario schema before compute.it_load_mw, pue_curves and
    sites[i].country existed (batch case ids must not move). The reference study's own hash
    moved once, with its content, when it took continuity and the connection cost (issue 16;
    it was 2dfafd76983f3795)."""
    from greendc.scenario import load_scenario

    assert load_scenario("studies/reference_sites.yaml").scenario.digest() == "8c725202b7b8a682"
    raw = {"name": "t", "horizon": {"hours": 24},
           "sites": ["fr-essonne", {"id": "x", "file": "a.csv",
                                    "facts": {"name": "X", "floor_area_m2": 5}}],
           "compute": {"required_pflops": 100, "utilisation_share": 0.7}}
    assert scenario_from_dict(raw).scenario.digest() == "22856480136fb032"
    assert scenario_from_dict({**raw, "pue_curves": {"air_chiller": [
        {"dry_bulb_c": 0, "pue": 1.2}, {"dry_bulb_c": 30, "pue": 1.4}]}}).scenario.digest() \
        != "22856480136fb032"


# ---------------------------------------------------------------- read-only scenarios (issue 15)
def test_a_loaded_scenario_cannot_be_changed_in_place():
    """Changing a loaded study's scenario used to be accepted and then half applied (the
    objective read at solve time, the compute requirement already in the inputs): it is
    impossible now, at every depth, with a message naming the way to a changed copy."""
    from greendc.scenario import load_scenario

    sc = load_scenario("reference_sites").scenario
    with pytest.raises(TypeError, match="with_changes"):
        sc.objective = "emissions"
    with pytest.raises(TypeError, match="cannot be changed in place"):
        sc.compute.required_pflops = 1.0
    with pytest.raises(TypeError):
        sc.sites.append(sc.sites[0])
    with pytest.raises(TypeError):
        sc.overrides["servers.b200_node.price_eur"] = 1
    with pytest.raises(TypeError):
        sc.sites[0].facts["grid_connection_mw"] = 1
    assert sc.sites == list(sc.sites) and sc.objective == "cost"


def test_frozen_scenario_survives_pickle_copy_and_dump():
    import copy
    import pickle

    from greendc.scenario import load_scenario

    sc = load_scenario("reference_sites").scenario
    assert pickle.loads(pickle.dumps(sc)) == sc
    assert copy.deepcopy(sc) == sc
    assert type(sc.model_dump(mode="json")["sites"]) is list


def test_with_changes_takes_effect():
    """A changed copy is re-validated and its inputs re-prepared; the original is unchanged."""
    from greendc.study import load_study

    study = load_study("reference_sites", overrides={"horizon.hours": 24})
    changed = study.with_changes({"compute.required_pflops": 10000, "objective": "emissions"})
    assert changed.inputs.attrs["required_pflops"] == 10000
    assert changed.scenario.objective == "emissions"
    assert study.inputs.attrs["required_pflops"] == 20000
    assert study.scenario.objective == "cost"
    with pytest.raises(ScenarioError, match="required_pflops"):
        study.with_changes({"compute.required_pflops": -1})
    with pytest.raises(Exception):
        study.inputs = changed.inputs  # the Study itself is frozen too


def test_set_paths_reach_list_entries_and_parse_yaml_scalars():
    from greendc.scenario import load_scenario, parse_assignments, with_overrides

    changes = parse_assignments(["compute.required_pflops=1e4", "sites.0.facts="
                                 "{grid_connection_mw: 50}", "sovereignty.allowed_jurisdictions"
                                 "=[EU]", "options.battery=false"])
    assert changes["compute.required_pflops"] == 10000.0
    sc = with_overrides(load_scenario("reference_sites"), changes).scenario
    assert sc.sites[0].facts == {"grid_connection_mw": 50}
    assert sc.sovereignty.allowed_jurisdictions == ["EU"] and sc.options.battery is False


def test_solver_fields_are_digest_neutral_at_their_defaults():
    """New solver fields do not move existing scenario hashes (batch case ids); the log
    switch never does, a tolerance does."""
    from greendc.scenario import load_scenario, with_overrides

    loaded = load_scenario("reference_sites")
    base = loaded.scenario.digest()
    assert base == "8c725202b7b8a682"  # pinned as in the test above
    assert with_overrides(loaded, {"solver.log": True}).scenario.digest() == base
    assert with_overrides(loaded, {"solver.duals": True}).scenario.digest() == base
    assert with_overrides(loaded, {"solver.primal_feasibility_tolerance": 1e-6}
                          ).scenario.digest() != base
