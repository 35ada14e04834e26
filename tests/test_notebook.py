"""The analyst notebook ``studies/compare_fronts.ipynb`` the way the README runs it: two
`greendc pareto` folders named by relative GREENDC_FRONT_* paths from the project folder,
the kernel started in the notebook's folder (as Jupyter does). nbmake runs its fast setting."""

from __future__ import annotations

import shutil

import pytest

from greendc.pareto import pareto_front, save_front
from greendc.resources import STUDIES_DIR
from greendc.study import load_study
from tests.test_cli import SMALL, needs_sites

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")


@needs_sites
def test_notebook_reads_two_fronts_named_as_in_the_readme(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name, extra in (("front_unrestricted", {}),
                        ("front_eu_only", {"sovereignty": {"allowed_jurisdictions": ["FR"]}})):
        study = load_study({**SMALL, "name": name, "horizon": {"hours": 24}, **extra})
        save_front(pareto_front(study, points=2), tmp_path / "results" / name)
    studies = tmp_path / "studies"
    studies.mkdir()
    shutil.copy(STUDIES_DIR / "compare_fronts.ipynb", studies)
    monkeypatch.setenv("GREENDC_FRONT_A", "results/front_unrestricted")
    monkeypatch.setenv("GREENDC_FRONT_B", "results/front_eu_only")
    nb = nbformat.read(studies / "compare_fronts.ipynb", as_version=4)
    nbclient.NotebookClient(nb, timeout=120,
                            resources={"metadata": {"path": str(studies)}}).execute()
    printed = "".join(out.get("text", "") for cell in nb.cells if cell.cell_type == "code"
                      for out in cell.get("outputs", []))
    assert "unrestricted 2 points" in printed and "EU-only 2 points" in printed
