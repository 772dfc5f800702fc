"""The standard steps of each phase (DOMAIN.md), as data. Each project gets its checklist."""

from __future__ import annotations

from typing import NamedTuple

from django.utils.translation import gettext_lazy as _

from lupin.projects.lifecycle import Phase


class Step(NamedTuple):
    key: str
    phase: str
    title: object  # a lazy translation


STEPS: tuple[Step, ...] = (
    Step("anchor", Phase.NEED, _("Anchor the project in management")),
    Step("team", Phase.NEED, _("Set up a cross-disciplinary team")),
    Step("need", Phase.NEED, _("Describe the need: what, not how")),
    Step("users", Phase.NEED, _("Involve the affected users")),
    Step("baseline", Phase.NEED, _("Set success criteria and a baseline for each benefit")),
    Step("market_survey", Phase.NEED, _("Survey the market")),
    Step("strategy", Phase.NEED, _("Choose a procedure strategy")),
    Step("dialogue_notice", Phase.DIALOGUE, _("Publish a dialogue notice (prior information)")),
    Step("conference", Phase.DIALOGUE, _("Hold a dialogue conference")),
    Step("one_to_one", Phase.DIALOGUE, _("Hold one-to-one meetings")),
    Step("written_input", Phase.DIALOGUE, _("Collect written input")),
    Step("hearing", Phase.DIALOGUE, _("Put draft documents on hearing")),
    Step("share_learning", Phase.DIALOGUE, _("Share what was learnt with all suppliers")),
    Step("documents", Phase.COMPETITION, _("Write tender documents with functional requirements")),
    Step("qualification", Phase.COMPETITION, _("Set qualification requirements")),
    Step("criteria", Phase.COMPETITION, _("Set award criteria and weights")),
    Step("announce", Phase.COMPETITION, _("Announce the competition")),
    Step("receive", Phase.COMPETITION, _("Receive sealed tenders and open them")),
    Step("evaluate", Phase.COMPETITION, _("Evaluate (and negotiate where allowed)")),
    Step("award", Phase.COMPETITION, _("Award, standstill and sign the contract")),
    Step("development", Phase.CONTRACT, _("Follow development phases and go/no-go gates")),
    Step("purchase", Phase.CONTRACT, _("Buy the developed solution at scale")),
    Step("kpis", Phase.CONTRACT, _("Follow KPIs in the contract")),
    Step("measure", Phase.CONTRACT, _("Measure benefits against the baseline")),
    Step("lessons", Phase.CONTRACT, _("Record lessons learnt")),
    Step("publish_case", Phase.CONTRACT, _("Publish the case for others to reuse")),
)

BY_KEY = {step.key: step for step in STEPS}
