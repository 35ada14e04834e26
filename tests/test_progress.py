"""Progress goes through logging: the library logs its steps (INFO) and never prints; the
CLI shows them one line per step (``greendc.progress``)."""

from __future__ import annotations

import inspect
import logging

import pytest
import yaml
from typer.testing import CliRunner

from greendc import progress
from greendc.cli import app
from greendc.pareto import pareto_front
from greendc.study import run, solve_decomposed, solve_study
from greendc.typical import reevaluate_study
from tests.test_cli import SMALL, needs_sites, output


def test_no_progress_callbacks_in_the_api():
    for fn in (solve_study, solve_decomposed, run, pareto_front, reevaluate_study):
        assert "progress" not in inspect.signature(fn).parameters, fn.__name__


@needs_sites
def test_solve_steps_are_log_records_and_the_cli_prints_one_line_each(tmp_path, caplog):
    path = tmp_path / "small.yaml"
    path.write_text(yaml.safe_dump({**SMALL, "horizon": {"hours": 24}}))
    with caplog.at_level(logging.INFO, logger="greendc"):
        run(path)
    steps = [r.getMessage() for r in caplog.records
             if r.name in ("greendc.study", "greendc.search") and r.levelno == logging.INFO]
    assert any(m.startswith("bound fr-essonne (LP): air_chiller ") for m in steps), steps
    assert any(m.startswith("candidate ") and ": optimal " in m for m in steps), steps

    loud = CliRunner().invoke(app, ["run", str(path), "--out", str(tmp_path / "a")])
    assert loud.exit_code == 0, output(loud)
    lines = [ln for ln in output(loud).splitlines() if ln.startswith("  .. ")]
    assert len(lines) == len(steps) and lines[0].startswith("  .. bound ")
    quiet = CliRunner().invoke(app, ["run", str(path), "--out", str(tmp_path / "b"), "-q"])
    assert quiet.exit_code == 0 and "  .. " not in output(quiet)


def test_bar_off_a_terminal_is_one_line_per_step(capsys):
    bar = progress.Bar(3, "batch", unit="case")
    for name in ("a", "b", "c"):
        bar.advance(f"{name}: optimal")
    bar.close()
    assert capsys.readouterr().err.splitlines() == [
        "  .. batch 1/3: a: optimal", "  .. batch 2/3: b: optimal", "  .. batch 3/3: c: optimal"]


def test_show_steps_restores_the_logger_and_keeps_warnings_when_quiet(capsys):
    logger = logging.getLogger("greendc.study")
    level = logging.getLogger("greendc").level
    with progress.show_steps(enabled=False):
        logger.info("a step")
        logger.warning("a warning")
    assert capsys.readouterr().err.splitlines() == ["a warning"]
    with progress.show_steps():
        logger.info("a step")
    assert capsys.readouterr().err.splitlines() == ["  .. a step"]
    assert logging.getLogger("greendc").level == level
    assert not [h for h in logging.getLogger("greendc").handlers
                if isinstance(h, progress._StepHandler)]


def test_counted_phases_show_totals_and_elapsed_time_one_line_each(capsys):
    """Off a terminal a counted step is one line with its phase, count and elapsed seconds
    (no carriage returns); on a terminal each phase is a tqdm bar with its total."""
    logger = logging.getLogger("greendc.study")
    with progress.show_steps():
        for i in (1, 2):
            logger.info("bound s / c%d", i, extra=progress.step_of("LP bounds", i, 2))
        logger.info("solve s / c1", extra=progress.step_of("MILP (at most)", 1, 2))
    err = capsys.readouterr().err
    assert "\r" not in err
    lines = err.splitlines()
    assert len(lines) == 3
    assert lines[0].startswith("  .. bound s / c1  [LP bounds 1/2, ") and lines[0].endswith(" s]")
    assert lines[2].startswith("  .. solve s / c1  [MILP (at most) 1/2, ")


def test_counted_phases_on_a_terminal_draw_one_bar_per_phase(capsys, monkeypatch):
    monkeypatch.setattr(progress, "_on_terminal", lambda: True)
    logger = logging.getLogger("greendc.study")
    with progress.show_steps():
        for i in (1, 2, 3):
            logger.info("bound %d", i, extra=progress.step_of("LP bounds", i, 3))
        # the same phase again (the second end point of a front) starts a new bar
        logger.info("bound again", extra=progress.step_of("LP bounds", 1, 3))
    err = capsys.readouterr().err
    assert "LP bounds" in err and "3/3" in err
    assert err.count("LP bounds: 100%") == 1 and "1/3" in err.rsplit("100%", 1)[1]


@needs_sites
def test_run_shows_the_lp_bound_and_candidate_phases(tmp_path):
    path = tmp_path / "small.yaml"
    path.write_text(yaml.safe_dump({**SMALL, "horizon": {"hours": 24}}))
    result = CliRunner().invoke(app, ["run", str(path), "--out", str(tmp_path / "a")])
    assert result.exit_code == 0, output(result)
    text = output(result)
    # one LP bound per site (its coolings free), then every (site, cooling) candidate
    assert "[LP bounds 1/2, " in text and "[LP bounds 2/2, " in text
    assert "[candidates 1/10, " in text and "[candidates 10/10, " in text
