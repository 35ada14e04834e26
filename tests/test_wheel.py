"""The built wheel works on its own: installed in a fresh venv (dependencies from the system
site-packages, no network), run from an empty folder, it finds its catalogue, reference sites
and studies inside the installed package, and solves a one-week reference study.

The machine's system site-packages may hold an editable install of another greendc checkout
(a ``__editable__`` finder): the test checks that the imported greendc is the wheel's.
"""

from __future__ import annotations

import json
import os
import pathlib
import shutil
import subprocess
import sys

import pytest
import yaml

from greendc.resources import STUDIES_DIR, study_path
from greendc.scenario import load_scenario

ROOT = pathlib.Path(__file__).resolve().parents[1]
SOURCES = ("pyproject.toml", "README.md", "model", "data", "studies")


def _run(args, cwd, timeout=600) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    res = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True,
                         timeout=timeout)
    assert res.returncode == 0, f"{args} failed ({res.returncode}):\n{res.stdout}\n{res.stderr}"
    return res


@pytest.fixture(scope="module")
def wheel_venv(tmp_path_factory) -> pathlib.Path:
    """A fresh venv (system site-packages visible) with the freshly built wheel installed."""
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"
    for name in SOURCES:  # build from a copy: the build must not write into the checkout
        item = ROOT / name
        if item.is_dir():
            shutil.copytree(item, src / name, ignore=shutil.ignore_patterns(
                "__pycache__", "*.egg-info", "build", ".ipynb_checkpoints"))
        else:
            src.mkdir(exist_ok=True)
            shutil.copy(item, src / name)
    _run([sys.executable, "-m", "pip", "wheel", str(src), "--no-deps", "--no-build-isolation",
          "--no-index", "-q", "-w", str(tmp / "dist")], cwd=tmp)
    (wheel,) = (tmp / "dist").glob("greendc-*.whl")
    venv = tmp / "venv"
    _run([sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", str(venv)],
         cwd=tmp)
    python = venv / "bin" / "python"
    _run([str(python), "-m", "pip", "install", "--no-deps", "--no-index", "--ignore-installed",
          "-q", str(wheel)], cwd=tmp)
    return venv


def _where(venv: pathlib.Path, cwd: pathlib.Path) -> list[str]:
    """greendc.__file__, DATA_DIR, STUDIES_DIR and a report template as the venv sees them."""
    return json.loads(_run([str(venv / "bin" / "python"), "-c", (
        "import json, greendc, greendc.resources as r, greendc.report.build as b; "
        "print(json.dumps([greendc.__file__, str(r.DATA_DIR), str(r.STUDIES_DIR), "
        "b.ENV.get_template('report.html.j2').filename]))")], cwd=cwd).stdout)


def test_wheel_imports_its_own_package_and_lists_the_sites(wheel_venv, tmp_path):
    venv = wheel_venv
    where = _where(venv, tmp_path)
    for path in where:  # the wheel's package, not an editable checkout
        assert pathlib.Path(path).resolve().is_relative_to(venv.resolve()), where
    listed = _run([str(venv / "bin" / "greendc"), "data", "list"], cwd=tmp_path).stdout
    for site in ("fr-essonne", "se-stockholm", "de-frankfurt", "gb-london"):
        assert site in listed
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_wheel_runs_a_one_week_reference_study_from_an_empty_folder(wheel_venv, tmp_path):
    venv, empty = wheel_venv, tmp_path
    cli = venv / "bin" / "greendc"
    where = _where(venv, empty)
    raw = yaml.safe_load((pathlib.Path(where[2]) / "reference_sites.yaml").read_text())
    raw["horizon"] = {"hours": 168}
    (empty / "week.yaml").write_text(yaml.safe_dump(raw))
    done = _run([str(cli), "run", "week.yaml", "-q"], cwd=empty)
    summary = json.loads((empty / "results" / "reference_sites" / "summary.json").read_text())
    assert summary["site"] in raw["sites"] and summary["cost_eur_per_yr"] > 0
    assert json.loads(done.stdout.splitlines()[0])["site"] == summary["site"]
    assert sorted(p.name for p in empty.iterdir()) == ["results", "week.yaml"]


def test_builtin_study_by_name(tmp_path, monkeypatch):
    """``greendc run reference_sites`` from any folder: a name that is no file is the
    built-in study; a local file of that name wins; other names stay missing files."""
    monkeypatch.chdir(tmp_path)
    assert study_path("reference_sites") == STUDIES_DIR / "reference_sites.yaml"
    assert study_path("heat_reuse.yaml") == STUDIES_DIR / "heat_reuse.yaml"
    assert load_scenario("reference_sites").scenario.name == "reference_sites"
    (tmp_path / "reference_sites.yaml").write_text("name: mine\n")
    assert study_path("reference_sites.yaml") == pathlib.Path("reference_sites.yaml")
    assert study_path("nope.yaml") == pathlib.Path("nope.yaml")
    assert study_path("sub/reference_sites") == pathlib.Path("sub/reference_sites")


OWN_PROJECT = ROOT / "tests" / "own_project"
OWN_SITES = {"paris-dc": "fr-essonne", "lulea-dc": "se-stockholm"}  # own CSV <- reference series


def test_a_planners_own_project_from_an_empty_folder(wheel_venv, tmp_path):
    """Issue 15, done when: in an empty folder outside the repository, with the installed
    wheel, a planner's project (20 MW IT on an own liquid-cooled blade, a vendor PUE curve,
    two own CSV sites with their country set, a wind PPA at 55 EUR/MWh) is solved, its front
    at caps 7000 and 5000 tCO2e/yr carries shadow prices, and its report is correct."""
    venv = wheel_venv
    cli, python = str(venv / "bin" / "greendc"), str(venv / "bin" / "python")
    project, data = tmp_path / "project", tmp_path / "data"
    shutil.copytree(OWN_PROJECT, project)
    data.mkdir()
    make_csv = ("import sys, xarray as xr; from greendc.sitedata.files import reference_file; "
                "xr.open_dataset(reference_file(sys.argv[1])).load().to_dataframe()"
                ".to_csv(sys.argv[2], index_label='time', date_format='%Y-%m-%dT%H:%M')")
    for own, ref in OWN_SITES.items():  # the CSVs carry no country: the scenario sets it
        _run([python, "-c", make_csv, ref, str(data / f"{own}.csv")], cwd=tmp_path)

    done = _run([cli, "run", "study.yaml", "--out", "run"], cwd=project)
    summary = json.loads((project / "run" / "summary.json").read_text())
    assert summary["site"] in OWN_SITES
    assert summary["it_mw"] == pytest.approx(20.0)
    assert summary["servers"] == {"own_dlc_blade": 3572}  # ceil(20,000 kW / 5.6 kW)
    assert 1.05 <= summary["mean_pue"] <= 1.15  # the vendor curve, not the physics model
    assert summary["annual_basis"].startswith("48 h from 2018-01-01 00:00 UTC")
    assert summary["shadow_prices"]["status"] == "optimal"
    assert "own_wind_ppa" in summary["supply_mw"] and "-0.00" not in done.stdout
    results = _run([python, "-c", "import xarray as xr; d = xr.open_dataset('run/results.nc'); "
                    "print(sorted(set(map(str, d['candidate_pue_source'].values.ravel()))))"], cwd=project)
    assert results.stdout.strip() == "['scenario_curve']"

    front_run = _run([cli, "pareto", "study.yaml", "--caps", "7000,5000", "--out", "front"],
                     cwd=project)
    front = _read_csv(project / "front" / "front.csv")
    capped = [r for r in front if r["user_cap"] == "True"]
    assert [float(r["user_cap_t_per_yr"]) for r in capped] == [7000.0, 5000.0]
    for row in capped:  # each cap binds, with a positive CO2 shadow price
        assert float(row["emissions_t_per_yr"]) == pytest.approx(float(row["user_cap_t_per_yr"]),
                                                                rel=1e-6)
        assert float(row["co2_shadow_price_eur_per_t"]) > 0
    assert float(capped[1]["cost_eur_per_yr"]) > float(capped[0]["cost_eur_per_yr"])
    assert "(your cap)" in front_run.stdout
    report = (project / "front" / "report.html").read_text(encoding="utf-8")
    assert "my-ai-campus" in report and "Not proven optimal" not in report
    assert "48 h from 2018-01-01 00:00 UTC" in report and "CO2 shadow price" in report
    assert "own_dlc_blade" in report and "own_wind_ppa" in report
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "project"]


def _read_csv(path: pathlib.Path) -> list[dict[str, str]]:
    import csv

    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))
