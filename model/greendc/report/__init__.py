"""Self-contained HTML and Markdown report of a results folder (and its Pareto front)."""

from greendc.report.build import write_report

__all__ = ["write_report"]
