"""A project's phases and the moves between them, as data.

Each allowed move lists the guards that must hold; a guard returns None when the project may
move, or the reason it may not. `actions.move_phase()` is the only code that changes a phase.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise

    from lupin.projects.models import Project


class Phase(models.TextChoices):
    NEED = "need", pgettext_lazy("phase", "Need")
    DIALOGUE = "dialogue", pgettext_lazy("phase", "Market dialogue")
    COMPETITION = "competition", pgettext_lazy("phase", "Competition")
    CONTRACT = "contract", pgettext_lazy("phase", "Contract and effects")


Guard = Callable[["Project"], "_StrPromise | str | None"]


def has_need_statement(project: Project) -> _StrPromise | None:
    if not project.need_statement.strip():
        return _("Describe the need (what, not how) first.")
    return None


def has_expected_benefit(project: Project) -> _StrPromise | None:
    if not project.benefits.exists():
        return _("Add at least one expected benefit with a baseline first.")
    return None


def has_cpv_code(project: Project) -> _StrPromise | None:
    if not project.cpv_codes.exists():
        return _("Add at least one CPV code first.")
    return None


def has_procedure(project: Project) -> _StrPromise | None:
    if project.planned_procedure == "undecided":
        return _("Choose a procedure first.")
    return None


def has_estimated_value(project: Project) -> _StrPromise | None:
    if project.estimated_value is None:
        return _("Give an estimated value first.")
    return None


def has_contract(project: Project) -> _StrPromise | None:
    if not project.contracts.exists():
        return _("Register the contract first.")
    return None


# (from, to) → guards. Moves backwards need a reason (see REASON_REQUIRED).
MOVES: dict[tuple[str, str], list[Guard]] = {
    (Phase.NEED, Phase.DIALOGUE): [has_need_statement, has_expected_benefit],
    (Phase.NEED, Phase.COMPETITION): [
        has_need_statement,
        has_expected_benefit,
        has_cpv_code,
        has_procedure,
        has_estimated_value,
    ],
    (Phase.DIALOGUE, Phase.NEED): [],
    (Phase.DIALOGUE, Phase.COMPETITION): [has_cpv_code, has_procedure, has_estimated_value],
    (Phase.COMPETITION, Phase.DIALOGUE): [],
    (Phase.COMPETITION, Phase.CONTRACT): [],
    # A case whose competition ran outside Lupin (a PCP under the R&D exception, say) moves on
    # when its contract is registered by hand.
    (Phase.NEED, Phase.CONTRACT): [has_contract],
    (Phase.DIALOGUE, Phase.CONTRACT): [has_contract],
}

# Skipping market dialogue or going back is allowed, but the timeline must say why.
REASON_REQUIRED = {
    (Phase.NEED, Phase.COMPETITION),
    (Phase.DIALOGUE, Phase.NEED),
    (Phase.COMPETITION, Phase.DIALOGUE),
    (Phase.NEED, Phase.CONTRACT),
    (Phase.DIALOGUE, Phase.CONTRACT),
}


def next_phases(phase: str) -> list[Phase]:
    return [Phase(to) for (frm, to) in MOVES if frm == phase]


def blockers(project: Project, to: str) -> list[str]:
    """What stops the move, in words; an empty list when it may go ahead."""
    guards = MOVES.get((project.phase, to))
    if guards is None:
        return [str(_("A project cannot move from this phase to that one."))]
    return [str(reason) for guard in guards if (reason := guard(project))]
