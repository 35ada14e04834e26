"""User-facing error types.

A ``GreendcError`` is something the user can fix (a bad scenario value, a missing file, an
infeasible study); the CLI prints its message without a traceback and exits non-zero.
Anything else is a bug in greendc and keeps its traceback.
"""


class GreendcError(Exception):
    """User-fixable problem; the CLI prints the message, no traceback."""


class ScenarioError(GreendcError):
    """Scenario YAML problem: unknown field, bad value, unknown reference."""


class DataError(GreendcError):
    """Catalogue or site-series problem: gaps, NaN, wrong units or ranges, unreadable file."""


class InfeasibleError(GreendcError):
    """The study has no feasible design; the message explains which limits conflict."""


class SolverError(GreendcError):
    """HiGHS failed or was interrupted before it found any design."""


class MissingExtraError(GreendcError):
    """An optional dependency is missing; the message names the pip extra to install."""


class PlausibilityWarning(UserWarning):
    """A value outside its field's documented plausible range (kept as given): usually a
    unit slip, e.g. a grid connection of 12,000 MW meant as kW."""
