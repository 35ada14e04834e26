"""LP-relaxation lower bounds: one routine for the study decomposition and the Pareto front.

The LP relaxation of a candidate's MILP (a (site, cooling) sub-problem, or the front's
sweep objective at one epsilon) proves one of two things, or nothing:

- LP ``optimal``: its objective is a lower bound of the MILP (``Bound.value`` = LP value);
- LP proven ``infeasible``: the MILP is infeasible too (``value = +inf``): the candidate may
  be pruned;
- anything else (time limit, "infeasible or unbounded" that a re-solve without presolve
  cannot settle, unbounded, numerical trouble, interrupted): nothing is proven, ``value =
  -inf`` ("no bound"): the candidate is never pruned on it, it must be solved or reported.

``Bound.status`` keeps the LP outcome so that the study's candidate table and the log say
which candidates had no bound and why.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

from greendc.solve import HighsModel, SolveStatus

log = logging.getLogger(__name__)
AMBIGUOUS = "Primal infeasible or unbounded"  # HiGHS presolve's message when it cannot tell


@dataclass(frozen=True)
class Bound:
    """A lower bound [objective units: EUR/yr or tCO2e/yr] and the LP outcome behind it."""

    value: float
    status: str  # "optimal" | "infeasible" | the LP status that proved nothing
    message: str = ""

    @property
    def infeasible(self) -> bool:
        """Proven infeasible: the only outcome that prunes a candidate for sure."""
        return self.value == math.inf

    @property
    def known(self) -> bool:
        return math.isfinite(self.value)


def bound_from(status: SolveStatus) -> Bound:
    """What an LP solve proves (see module docstring)."""
    if status.status == "optimal" and status.objective is not None:
        return Bound(float(status.objective), "optimal", status.message)
    if status.status == "infeasible" and status.message != AMBIGUOUS:
        return Bound(math.inf, "infeasible", status.message)
    return Bound(-math.inf, status.status if status.message != AMBIGUOUS
                 else "infeasible_or_unbounded", status.message)


def lp_bound(hm: HighsModel, label: str = "") -> Bound:
    """Solve the LP relaxation of ``hm`` (with its current bounds and objective) and say what
    it proves. Integrality is restored afterwards unless the model was already relaxed (a
    model kept relaxed re-solves from its previous basis)."""
    relaxed = hm.relaxed
    if not relaxed:
        hm.relax_integrality(True)
    try:
        status = hm.solve()
        if status.message == AMBIGUOUS:  # presolve cannot tell: the simplex can
            hm.highs.setOptionValue("presolve", "off")
            try:
                status = hm.solve()
            finally:
                hm.highs.setOptionValue("presolve", "choose")
    finally:
        if not relaxed:
            hm.relax_integrality(False)
    bound = bound_from(status)
    if not bound.known and not bound.infeasible:
        log.warning("LP bound%s: no bound (%s, HiGHS: %s); the candidate will be solved",
                    f" of {label}" if label else "", bound.status, bound.message)
    return bound
