"""Every constraint family of the built model has a test that names it."""

from __future__ import annotations

import inspect
import pathlib

import pyomo.environ as pyo

from greendc.formulation import storage
from greendc.formulation import CONSTRAINT_FAMILIES, TYPICAL_DAY_FAMILIES, build_model
from tests.conftest import tiny_inputs

HERE = pathlib.Path(__file__).parent


def test_every_constraint_family_is_named_in_a_test():
    m = build_model(tiny_inputs(min_cfe_share=0.1), emissions_cap_t_co2=1.0)
    built = {c.local_name for c in m.component_objects(pyo.Constraint)}
    assert built == set(CONSTRAINT_FAMILIES), "CONSTRAINT_FAMILIES is out of date"
    text = "\n".join(p.read_text() for p in HERE.glob("test_*.py") if p.name != "test_meta.py")
    untested = sorted(name for name in built if name not in text)
    assert not untested, f"constraint families without a test: {untested}"


def test_typical_day_families_are_listed_and_tested():
    """With typical days, battery_soc_day / _envelope / _nonnegative replace nothing else and
    are exercised by tests/test_typical.py."""
    text = (HERE.parent / "test_typical.py").read_text()
    for name in TYPICAL_DAY_FAMILIES:
        assert name in inspect.getsource(storage)
        assert name in text, name


def test_it_load_families_are_listed_and_tested():
    """With a given IT load (compute.it_load_mw), it_load_hosted / it_capacity replace
    compute_requirement; each is named in tests/formulation/test_it_load.py."""
    from greendc.formulation import IT_LOAD_FAMILIES, servers

    text = (HERE / "test_it_load.py").read_text()
    for name in IT_LOAD_FAMILIES:
        assert name in inspect.getsource(servers)
        assert name in text, name


def test_flexible_families_are_listed_and_tested():
    """With compute.flexibility, FLEXIBLE_FAMILIES join the model (off: none is built); each
    is named in tests/formulation/test_flexible.py and in the module docstring."""
    from greendc.formulation import FLEXIBLE_FAMILIES, flexible

    text = (HERE / "test_flexible.py").read_text()
    off = {c.local_name for c in build_model(tiny_inputs()).component_objects(pyo.Constraint)}
    for name in FLEXIBLE_FAMILIES:
        assert name in inspect.getsource(flexible)
        assert f"{name}:" in flexible.__doc__ or f"``{name}``" in flexible.__doc__, name
        assert name in text, name
        assert name not in off, name


def test_continuity_families_are_listed_and_tested():
    """With `continuity`, the backup families of formulation/continuity.py are built (and
    only then); each is named in tests/formulation/test_continuity.py."""
    from greendc.formulation import CONTINUITY_FAMILIES, continuity
    from tests.formulation.test_continuity import with_continuity

    m = build_model(with_continuity(tiny_inputs(), battery=1))
    built = {c.local_name for c in m.component_objects(pyo.Constraint)}
    assert built - set(CONSTRAINT_FAMILIES) == set(CONTINUITY_FAMILIES)
    text = (HERE / "test_continuity.py").read_text()
    for name in CONTINUITY_FAMILIES:
        assert name in inspect.getsource(continuity)


def test_connection_families_are_listed_and_tested():
    """With options.grid_connection_cost / commissioning_year, connection_available and
    grid_connection_queue join grid_connection; both are built by the switched-on tiny case
    and named in tests/formulation/test_connection.py; off builds neither."""
    from greendc.formulation import CONNECTION_FAMILIES, connection
    from tests.formulation.test_connection import priced, queued

    built = {c.local_name for c in build_model(queued(priced(tiny_inputs(), 1.0), [2027, 2027]))
             .component_objects(pyo.Constraint)}
    assert built - set(CONSTRAINT_FAMILIES) == set(CONNECTION_FAMILIES)
    off = {c.local_name for c in build_model(tiny_inputs()).component_objects(pyo.Constraint)}
    assert not off & set(CONNECTION_FAMILIES)
    text = (HERE / "test_connection.py").read_text()
    for name in CONNECTION_FAMILIES:
        assert name in inspect.getsource(connection)
        assert name in text, name
