"""Evaluation, award and contract: independent scores, consensus, computed price scores, the
ranking and its sensitivity, negotiation rounds, the award decision, standstill and signing.

Every action owns its transaction and appends to the audit log. An attempt by someone who may
not act (or read) is refused through `_audited_refusal`, whose entry survives the refusal; a
rule that says "not yet" (incomplete scores, standstill running) is a `CompetitionError`.

Prices are read through `actions.read_price()` (audited per read) by declared team members,
once per request in `results()`. The one other place a price is decrypted is
`letter_results()`: after the award decision, an award letter must state the winner's figures
against the tenderer's own (FOA § 25-1 [verify]), and the tenderer is no team member. That path
opens only once the award of the tender's lot (or of the whole competition) is decided, only
for the lead buyer's people and the tenderer the letter is addressed to, and audits every price
it decrypts.

Lots: each lot is evaluated on its own. Scores are submitted (and locked) per lot, consensus,
price scores and ranks are computed among that lot's tenders only, and each lot has its own
award decision, standstill and contract (see `models.AwardDecision`). Every function that takes
`lot` expects one when the competition has lots, and None when it has none.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, NoReturn
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from lupin.accounts.models import User
from lupin.audit import log as audit
from lupin.competitions import access
from lupin.competitions.actions import (
    CompetitionError,
    _aad,
    _audited_refusal,
    _sealing_key,
    _transition,
    lot_fields,
    read_price,
)
from lupin.competitions.models import (
    AwardDecision,
    Competition,
    CompetitionStatus,
    ConsensusScore,
    Criterion,
    CriterionKind,
    Lot,
    NegotiationRound,
    Score,
    TeamMember,
    Tender,
    TenderStatus,
)
from lupin.lib import price_models, procedures, sealing
from lupin.notifications.actions import bilingual, bilingual_line, notify
from lupin.projects import actions as project_actions
from lupin.projects.lifecycle import Phase
from lupin.projects.models import Procedure

OSLO = ZoneInfo("Europe/Oslo")
PRICE_KEY = "price"
SHIFT_POINTS = Decimal(5)
STANDSTILL_DAYS = 10  # when the advisor has no figure for the regime [verify: FOA § 25-2]
ROUND_PROCEDURES = frozenset(
    {
        Procedure.NEGOTIATION,
        Procedure.COMPETITIVE_DIALOGUE,
        Procedure.INNOVATION_PARTNERSHIP,
        Procedure.SIMPLIFIED_NATIONAL,
        Procedure.PCP,
    }
)
_READABLE = (CompetitionStatus.OPENED, CompetitionStatus.AWARDED, CompetitionStatus.SIGNED)

ScoreInput = Mapping[tuple[int, int], tuple[Decimal, str]]


def _refuse(actor: User | None, action: str, competition: Competition, message: str) -> NoReturn:
    """A rule that says "not yet": logged in a transaction that commits, then refused."""
    with transaction.atomic():
        audit.append(actor, action, competition, reason=message)
    raise CompetitionError(message)


def _fresh(competition: Competition) -> Competition:
    return Competition.objects.select_related("project").get(pk=competition.pk)


# --- What is evaluated ----------------------------------------------------------------------


def live_tenders(competition: Competition, lot: Lot | None = None) -> QuerySet[Tender]:
    """The tenders in the evaluation: each organisation's last version, not withdrawn; only
    those for `lot` when one is given (without it, every lot's)."""
    tenders = Tender.objects.filter(competition=competition, status=TenderStatus.SUBMITTED)
    if lot is not None:
        tenders = tenders.filter(lot=lot)
    return tenders.select_related("organisation", "lot").order_by("organisation__name", "pk")


def has_lots(competition: Competition) -> bool:
    return competition.lots.exists()


def _check_lot(competition: Competition, lot: Lot | None) -> None:
    """A lot of this competition when it has lots; none when it has none."""
    if lot is not None and lot.competition_id != competition.pk:
        raise CompetitionError(_("Choose one of this competition's lots."), field="lot")
    if lot is None and has_lots(competition):
        raise CompetitionError(_("Choose a lot."), field="lot", code="required")


def lots_to_award(competition: Competition) -> list[Lot | None]:
    """What needs an award decision: the whole competition (None), or every lot that has a
    live tender (a lot nobody tendered for has nothing to award)."""
    lots = list(competition.lots.all())
    if not lots:
        return [None]
    with_tenders = set(
        Tender.objects.filter(
            competition=competition, status=TenderStatus.SUBMITTED, lot__isnull=False
        ).values_list("lot_id", flat=True)
    )
    return [lot for lot in lots if lot.pk in with_tenders]


def decision_for(competition: Competition, lot: Lot | None) -> AwardDecision | None:
    decisions = AwardDecision.objects.filter(competition=competition).select_related(
        "winner__organisation", "decided_by", "signed_by", "lot"
    )
    if lot is None:
        return decisions.filter(lot__isnull=True).first()
    return decisions.filter(lot=lot).first()


def scored_criteria(competition: Competition) -> list[Criterion]:
    """The criteria evaluators score: the leaves of the tree (a sub-criterion where its parent
    has them), leaving out price, whose score is computed from the prices."""
    criteria = list(competition.criteria.select_related("parent").order_by("pk"))
    parents = {c.parent_id for c in criteria if c.parent_id is not None}
    return [
        c
        for c in criteria
        if c.pk not in parents
        and c.kind != CriterionKind.PRICE
        and (c.parent is None or c.parent.kind != CriterionKind.PRICE)
    ]


def price_weight(competition: Competition) -> Decimal:
    return sum(
        (
            c.weight
            for c in competition.criteria.filter(parent__isnull=True, kind=CriterionKind.PRICE)
        ),
        Decimal(0),
    )


def _score_in_range(competition: Competition, value: Decimal) -> bool:
    return value.is_finite() and Decimal(0) <= value <= Decimal(competition.score_max)


# --- Independent scores ----------------------------------------------------------------------


def _declared_member(actor: User, competition: Competition, action: str) -> TeamMember:
    member = access.team_member(actor, competition)
    if member is None or member.declared_at is None:
        _audited_refusal(actor, action, competition, "not a declared team member")
    if competition.status not in _READABLE:
        _audited_refusal(actor, action, competition, "tenders not opened")
    return member


def require_declared_member(actor: User, competition: Competition, what: str) -> TeamMember:
    """Refuse (audited) anyone but a declared member of the evaluation team."""
    member = access.team_member(actor, competition)
    if member is None or member.declared_at is None:
        _audited_refusal(actor, "tender.read_refused", competition, what)
    return member


def has_submitted(member: TeamMember, competition: Competition, lot: Lot | None = None) -> bool:
    """Whether `member` has submitted (and so locked) his scores: for the competition, or for
    `lot` when it has lots (a submission is complete, so any score of the lot's tenders says so)."""
    if lot is None:
        return member.scores_submitted_at is not None
    return member.scores.filter(tender__lot=lot).exists()


def submit_scores(
    actor: User, competition: Competition, scores: ScoreInput, lot: Lot | None = None
) -> TeamMember:
    """Record one evaluator's independent scores, complete for every tender (of `lot`, when
    the competition has lots) and criterion, and lock them: they cannot change afterwards, and
    only now may he see the others' scores."""
    competition = _fresh(competition)
    member = _declared_member(actor, competition, "evaluation.scores_refused")
    if competition.status != CompetitionStatus.OPENED:
        raise CompetitionError(_("Scoring is closed: the award has been decided."))
    _check_lot(competition, lot)
    with transaction.atomic():
        member = TeamMember.objects.select_for_update().get(pk=member.pk)
        if has_submitted(member, competition, lot):
            raise CompetitionError(_("Your scores are submitted and locked."))
        if lot is not None and decision_for(competition, lot) is not None:
            raise CompetitionError(_("Scoring is closed: the award has been decided."))
        tenders = list(live_tenders(competition, lot))
        criteria = scored_criteria(competition)
        expected = {(t.pk, c.pk) for t in tenders for c in criteria}
        if not expected:
            raise CompetitionError(_("There is nothing to score in this competition."))
        given = set(scores)
        if given - expected:
            raise CompetitionError(
                _("Score only the tenders and criteria of this competition (price is computed).")
            )
        if expected - given:
            raise CompetitionError(_("Score every tender on every criterion before submitting."))
        for score, _note in scores.values():
            if not _score_in_range(competition, score):
                raise CompetitionError(
                    _("Every score must be between 0 and %(max)s.") % {"max": competition.score_max}
                )
        Score.objects.bulk_create(
            Score(
                member=member,
                tender_id=tender_id,
                criterion_id=criterion_id,
                score=score,
                note=note.strip(),
            )
            for (tender_id, criterion_id), (score, note) in sorted(scores.items())
        )
        if lot is None or all(
            other is None or other == lot or has_submitted(member, competition, other)
            for other in lots_to_award(competition)
        ):
            # Every lot is scored (or there are none): the member is done.
            member.scores_submitted_at = timezone.now()
            member.save(update_fields=["scores_submitted_at"])
        audit.append(
            actor,
            "evaluation.scores_submitted",
            competition,
            scores=len(scores),
            **lot_fields(lot),
        )
    return member


def visible_scores(
    actor: User, competition: Competition, lot: Lot | None = None
) -> QuerySet[Score]:
    """A declared member sees his own scores; everyone's only once he has submitted his own
    (for that lot). The lead buyer's people see them all once every member has submitted (for
    consensus)."""
    member = access.team_member(actor, competition)
    everyone = Score.objects.filter(member__competition=competition).select_related(
        "member__user", "tender", "criterion"
    )
    if lot is not None:
        everyone = everyone.filter(tender__lot=lot)
    if member is not None and member.declared_at is not None:
        if has_submitted(member, competition, lot):
            return everyone
        return everyone.filter(member=member)
    if access.can_manage(actor, competition) and all_submitted(competition, lot):
        return everyone
    return Score.objects.none()


def all_submitted(competition: Competition, lot: Lot | None = None) -> bool:
    """Every team member has submitted: for the competition, or for `lot`."""
    team = TeamMember.objects.filter(competition=competition)
    if lot is None:
        return team.exists() and not team.filter(scores_submitted_at__isnull=True).exists()
    scored = Score.objects.filter(tender__lot=lot).values("member")
    return team.exists() and not team.exclude(pk__in=scored).exists()


# --- Consensus -------------------------------------------------------------------------------


def may_record_consensus(actor: User, competition: Competition) -> bool:
    member = access.team_member(actor, competition)
    declared = member is not None and member.declared_at is not None
    return declared or access.can_manage(actor, competition)


def record_consensus(
    actor: User,
    competition: Competition,
    tender: Tender,
    criterion: Criterion,
    score: Decimal,
    justification: str,
) -> ConsensusScore:
    """The team's agreed score for one tender on one criterion, with the reason for it."""
    competition = _fresh(competition)
    if not may_record_consensus(actor, competition):
        _audited_refusal(actor, "evaluation.consensus_refused", competition, "not authorised")
    if competition.status != CompetitionStatus.OPENED:
        raise CompetitionError(_("Consensus is recorded while the tenders are in evaluation."))
    if tender.competition_id != competition.pk or tender.status != TenderStatus.SUBMITTED:
        raise CompetitionError(_("That tender is not in this evaluation."))
    if not all_submitted(competition, tender.lot):
        raise CompetitionError(_("Every team member must submit their scores first."))
    if tender.lot is not None and decision_for(competition, tender.lot) is not None:
        raise CompetitionError(_("The award of this lot is decided: the consensus is fixed."))
    if criterion.pk not in {c.pk for c in scored_criteria(competition)}:
        raise CompetitionError(_("That criterion is not scored by the team (price is computed)."))
    if not _score_in_range(competition, score):
        raise CompetitionError(
            _("The score must be between 0 and %(max)s.") % {"max": competition.score_max},
            field="score",
        )
    if not justification.strip():
        raise CompetitionError(_("Justify the consensus score."), field="justification")
    with transaction.atomic():
        consensus, created = ConsensusScore.objects.update_or_create(
            tender=tender,
            criterion=criterion,
            defaults={
                "score": score,
                "justification": justification.strip(),
                "recorded_by": actor,
                "recorded_at": timezone.now(),
            },
        )
        audit.append(
            actor,
            "evaluation.consensus_recorded" if created else "evaluation.consensus_revised",
            competition,
            tender=tender.pk,
            criterion=criterion.pk,
            score=str(score),
        )
    return consensus


def consensus_complete(competition: Competition, lot: Lot | None = None) -> bool:
    expected = live_tenders(competition, lot).count() * len(scored_criteria(competition))
    recorded = ConsensusScore.objects.filter(
        tender__in=live_tenders(competition, lot),
        criterion__in=scored_criteria(competition),
    ).count()
    return expected > 0 and recorded == expected


# --- Computed results --------------------------------------------------------------------------


@dataclass
class Results:
    """Prices, computed price scores, consensus scores, totals, ranks and the sensitivity."""

    tenders: list[Tender]
    criteria: list[Criterion]
    weights: dict[str, Decimal]
    prices: dict[int, Decimal]
    price_scores: dict[int, Decimal]
    consensus: dict[int, dict[str, Decimal]]
    complete: bool
    totals: dict[int, Decimal] = field(default_factory=dict)
    ranks: dict[int, int] = field(default_factory=dict)
    # (the tender removed, what happens) and (from criterion, to criterion, what happens)
    removals: list[tuple[int, price_models.Sensitivity[int]]] = field(default_factory=list)
    shifts: list[tuple[str, str, price_models.Sensitivity[int]]] = field(default_factory=list)

    def criterion_name(self, key: str) -> str:
        if key == PRICE_KEY:
            return _("Price")
        return next((c.name for c in self.criteria if str(c.pk) == key), key)

    def tender_name(self, key: int) -> str:
        tender = next((t for t in self.tenders if t.pk == key), None)
        return tender.organisation.name if tender else str(key)


def _model(competition: Competition) -> tuple[price_models.PriceModel, Decimal | None]:
    model = {
        "proportional": price_models.PriceModel.PROPORTIONAL,
        "linear_zero": price_models.PriceModel.LINEAR_ZERO_POINT,
        "linear_min_max": price_models.PriceModel.LINEAR_MIN_MAX,
    }[competition.price_model]
    if model is price_models.PriceModel.LINEAR_ZERO_POINT:
        return model, competition.price_zero_factor or Decimal(1)
    return model, None


def _compute(
    competition: Competition, read: Callable[[Tender], Decimal], lot: Lot | None = None
) -> Results:
    """Everything among the live tenders of `lot` (or of the competition without lots): the
    price scores of a relative model compare only the tenders of the same lot."""
    tenders = list(live_tenders(competition, lot))
    criteria = scored_criteria(competition)
    weights = {PRICE_KEY: price_weight(competition)} | {str(c.pk): c.weight for c in criteria}
    prices = {t.pk: read(t) for t in tenders}
    model, k = _model(competition)
    smax = Decimal(competition.score_max)
    consensus: dict[int, dict[str, Decimal]] = {t.pk: {} for t in tenders}
    for row in ConsensusScore.objects.filter(tender__in=tenders, criterion__in=criteria):
        consensus[row.tender_id][str(row.criterion_id)] = row.score
    complete = bool(tenders) and all(len(consensus[t.pk]) == len(criteria) for t in tenders)
    results = Results(
        tenders=tenders,
        criteria=criteria,
        weights=weights,
        prices=prices,
        price_scores=price_models.score_prices(model, prices, smax, k),
        consensus=consensus,
        complete=complete,
    )
    if complete:
        evaluation = price_models.Evaluation(
            model=model,
            prices=prices,
            scores=consensus,
            weights=weights,
            smax=smax,
            k=k,
            price_criterion=PRICE_KEY,
        )
        results.totals = evaluation.totals()
        results.ranks = evaluation.ranks()
        # One call per case rather than removals()/weight_shifts(), so that each result keeps
        # the tender or the two criteria it is about (the same cases, in the same order).
        if len(tenders) > 1:
            results.removals = [(t.pk, evaluation.rank_without(t.pk)) for t in tenders]
        results.shifts = [
            (a, b, evaluation.weight_shift(a, b, SHIFT_POINTS))
            for a in weights
            for b in weights
            if a != b and weights[a] >= SHIFT_POINTS and weights[b] + SHIFT_POINTS <= 100
        ]
    return results


def results(actor: User, competition: Competition, lot: Lot | None = None) -> Results:
    """The computed evaluation (of `lot`) for a declared team member. Each price is decrypted
    once, through `read_price()`, which audits the read: call this once per request."""
    competition = _fresh(competition)
    _declared_member(actor, competition, "tender.read_refused")
    _check_lot(competition, lot)
    return _compute(competition, lambda tender: read_price(actor, tender), lot)


def may_read_letter(actor: User, competition: Competition, tender: Tender) -> bool:
    """An award letter is for the tenderer's own organisation and, on the buyer's side, for
    the declared evaluation team (who read the prices anyway): a letter states prices, so a
    buyer outside the team must not get them through it."""
    if access.can_manage(actor, competition) and access.may_read_tenders(actor, competition):
        return True
    return access.is_supplier(actor) and actor.organisation_id == tender.organisation_id


def letter_results(actor: User, competition: Competition, tender: Tender) -> Results:
    """The evaluation as the award letter to `tender` states it (see the module docstring):
    among the tenders of its lot, once that lot's award is decided."""
    competition = _fresh(competition)
    decided = (
        competition.status in _READABLE
        and tender.competition_id == competition.pk
        and decision_for(competition, tender.lot) is not None
    )
    if not decided or not may_read_letter(actor, competition, tender):
        _audited_refusal(actor, "award.letter_refused", competition, f"letter for {tender.pk}")
    key = _sealing_key(competition)

    def disclose(other: Tender) -> Decimal:
        aad = _aad("tender-price", competition.pk, other.organisation_id, other.version)
        data = json.loads(
            sealing.decrypt_bytes(key, bytes(other.sealed_price), associated_data=aad)
        )
        with transaction.atomic():
            audit.append(actor, "award.letter_prices_used", other, letter=tender.pk)
        return Decimal(data["price"])

    return _compute(competition, disclose, tender.lot)


# --- Negotiation and dialogue rounds -----------------------------------------------------------


def awarded_price(actor: User, decision: AwardDecision) -> Decimal:
    """The winning tender's price, which becomes the contract's value when the contract is
    signed. Called only from signing, after the award is decided and published to the
    tenderers; each use is audited like a letter's."""
    competition = decision.competition
    winner = decision.winner
    aad = _aad("tender-price", competition.pk, winner.organisation_id, winner.version)
    key = _sealing_key(competition)
    data = json.loads(sealing.decrypt_bytes(key, bytes(winner.sealed_price), associated_data=aad))
    audit.append(actor, "contract.value_from_award", winner, award=decision.pk)
    return Decimal(data["price"])


def rounds_allowed(competition: Competition) -> bool:
    return competition.procedure in ROUND_PROCEDURES


def add_round(
    actor: User, competition: Competition, *, held_at: datetime, notes: str
) -> NegotiationRound:
    """Record a negotiation or dialogue round (never in the open or restricted procedure).
    Authorisation first, outside the transaction, so that a refusal's audit row is kept."""
    if not access.can_manage(actor, competition):
        _audited_refusal(actor, "evaluation.round_refused", competition, "not authorised")
    return _add_round(actor, competition, held_at=held_at, notes=notes)


@transaction.atomic
def _add_round(
    actor: User, competition: Competition, *, held_at: datetime, notes: str
) -> NegotiationRound:
    competition = Competition.objects.select_for_update().get(pk=competition.pk)
    if not rounds_allowed(competition):
        raise CompetitionError(
            _("The %(procedure)s allows no negotiation or dialogue rounds.")
            % {"procedure": competition.get_procedure_display().lower()}
        )
    if competition.status != CompetitionStatus.OPENED:
        raise CompetitionError(_("Rounds are recorded while the tenders are in evaluation."))
    if not notes.strip():
        raise CompetitionError(_("Say what was negotiated."), field="notes")
    if held_at > timezone.now():
        raise CompetitionError(_("Record a round once it has been held."), field="held_at")
    number = (competition.rounds.aggregate(n=Max("number"))["n"] or 0) + 1
    round_ = NegotiationRound.objects.create(
        competition=competition,
        number=number,
        held_at=held_at,
        notes=notes.strip(),
        recorded_by=actor,
    )
    audit.append(actor, "evaluation.round_recorded", competition, number=number)
    return round_


# --- Award and standstill ----------------------------------------------------------------------


def standstill_days(competition: Competition) -> int:
    try:
        minimum = procedures.minimum_deadlines(competition.procedure, competition.regime)
    except ValueError:
        return STANDSTILL_DAYS
    rule = minimum.get("standstill")
    return rule.days if rule else STANDSTILL_DAYS


def standstill_end(decided_at: datetime, days: int) -> datetime:
    """`days` calendar days after the decision, at the same Oslo wall-clock time; an end on a
    Saturday or Sunday moves to the Monday.

    [verify: FOA § 25-2] whether the period is counted from the day after the notice is sent
    and ends at midnight, and public holidays (Regulation 1182/71): not applied here.
    """
    naive_end = decided_at.astimezone(OSLO).replace(tzinfo=None) + timedelta(days=days)
    while naive_end.weekday() >= 5:
        naive_end += timedelta(days=1)
    return naive_end.replace(tzinfo=OSLO)


def _oslo(moment: datetime) -> str:
    return f"{moment.astimezone(OSLO):%d.%m.%Y %H:%M:%S %Z}"


def letter_url(competition: Competition, tender: Tender) -> str:
    return settings.SITE_URL + reverse(
        "competitions:award_letter", kwargs={"pk": competition.pk, "tender_pk": tender.pk}
    )


def decide_award(
    actor: User,
    competition: Competition,
    winner: Tender,
    reasons: str,
    lot: Lot | None = None,
) -> AwardDecision:
    """The lead buyer decides the award of the competition, or of one lot (the winner's, when
    `lot` is not given); that decision's standstill starts; every tenderer (of the lot) is told,
    with a link to its own letter. The competition becomes AWARDED with the last decision."""
    if not access.can_manage(actor, competition):
        _audited_refusal(actor, "award.refused", competition, "not authorised")
    if not reasons.strip():
        raise CompetitionError(_("Give the reasons for the award."), field="reasons")
    if lot is None:
        lot = winner.lot
    with transaction.atomic():
        locked = (
            Competition.objects.select_for_update().select_related("project").get(pk=competition.pk)
        )
        if locked.status != CompetitionStatus.OPENED:
            raise CompetitionError(_("An award is decided while the tenders are in evaluation."))
        _check_lot(locked, lot)
        if (
            winner.competition_id != locked.pk
            or winner.status != TenderStatus.SUBMITTED
            or winner.lot_id != (lot.pk if lot else None)
        ):
            raise CompetitionError(
                _("The winner must be a tender in this evaluation."), field="winner"
            )
        if decision_for(locked, lot) is not None:
            raise CompetitionError(_("The award of this lot is already decided."), field="lot")
        if not all_submitted(locked, lot) or not consensus_complete(locked, lot):
            raise CompetitionError(
                _("Record a consensus score for every tender and criterion first.")
            )
        now = timezone.now()
        days = standstill_days(locked)
        ends_at = standstill_end(now, days)
        decision = AwardDecision.objects.create(
            competition=locked,
            lot=lot,
            winner=winner,
            reasons=reasons.strip(),
            decided_by=actor,
            decided_at=now,
            standstill_days=days,
            standstill_ends_at=ends_at,
        )
        audit.append(
            actor,
            "award.decided",
            locked,
            winner=winner.pk,
            standstill_days=days,
            standstill_ends_at=ends_at.isoformat(),
            **lot_fields(lot),
        )
        decided = {d.lot_id for d in AwardDecision.objects.filter(competition=locked)}
        if all((needed.pk if needed else None) in decided for needed in lots_to_award(locked)):
            ends = AwardDecision.objects.filter(competition=locked).aggregate(
                end=Max("standstill_ends_at")
            )["end"]
            locked.awarded_at = now
            locked.standstill_ends_at = ends
            locked.save(update_fields=["awarded_at", "standstill_ends_at"])
            _transition(actor, locked, CompetitionStatus.AWARDED, reasons.strip())
        _notify_tenderers(locked, decision)
    return decision


def _notify_tenderers(competition: Competition, decision: AwardDecision) -> None:
    for tender in live_tenders(competition, decision.lot):
        recipients = User.objects.filter(
            Q(pk=tender.submitted_by_id) | Q(organisation_id=tender.organisation_id),
            is_active=True,
        ).distinct()
        context: dict[str, Any] = {
            "competition": competition,
            "lot": decision.lot,
            "tender": tender,
            "won": tender.pk == decision.winner_id,
            "winner": decision.winner.organisation,
            "standstill_ends_at": decision.standstill_ends_at,
            "letter_url": letter_url(competition, tender),
        }
        notify(
            recipients,
            topic="competition.award",
            subject=bilingual_line(
                lambda: _("Award decision in “%(title)s”") % {"title": competition.title}
            ),
            body=bilingual("competitions/letter_notice.txt", context),
        )


def may_sign(competition: Competition, decision: AwardDecision | None, now: datetime) -> bool:
    return (
        decision is not None
        and decision.signed_at is None
        and decision.standstill_ends_at is not None
        and competition.status in (CompetitionStatus.OPENED, CompetitionStatus.AWARDED)
        and now >= decision.standstill_ends_at
    )


def sign_contract(actor: User, competition: Competition, lot: Lot | None = None) -> Competition:
    """Sign the contract of the competition, or of one lot, once that decision's standstill
    has ended, to the second. The competition becomes SIGNED with the last contract."""
    if not access.can_manage(actor, competition):
        _audited_refusal(actor, "contract.sign_refused", competition, "not authorised")
    competition = _fresh(competition)
    _check_lot(competition, lot)
    decision = decision_for(competition, lot)
    if (
        decision is None
        or decision.standstill_ends_at is None
        or competition.status not in (CompetitionStatus.OPENED, CompetitionStatus.AWARDED)
    ):
        raise CompetitionError(_("A contract is signed after an award decision."))
    if decision.signed_at is not None:
        raise CompetitionError(_("This contract is already signed."))
    now = timezone.now()
    if now < decision.standstill_ends_at:
        _refuse(
            actor,
            "contract.sign_refused",
            competition,
            _("The standstill period ends %(when)s (Oslo time): the contract can be signed then.")
            % {"when": _oslo(decision.standstill_ends_at)},
        )
    with transaction.atomic():
        locked = Competition.objects.select_for_update().get(pk=competition.pk)
        if locked.status not in (CompetitionStatus.OPENED, CompetitionStatus.AWARDED):
            raise CompetitionError(_("A contract is signed after an award decision."))
        signed = AwardDecision.objects.filter(pk=decision.pk, signed_at__isnull=True).update(
            signed_by=actor, signed_at=now
        )
        if not signed:
            raise CompetitionError(_("This contract is already signed."))
        audit.append(actor, "contract.signed", locked, signed_at=now.isoformat(), **lot_fields(lot))
        # Contract follow-up starts here: the contract, its parties and KPIs are created with it.
        # (Imported here because the contracts app builds on this one.)
        from lupin.contracts.actions import create_from_award

        decision.refresh_from_db()
        create_from_award(actor, decision)
        all_signed = not AwardDecision.objects.filter(
            competition=locked, signed_at__isnull=True
        ).exists()
        if locked.status == CompetitionStatus.AWARDED and all_signed:
            locked.signed_at = now
            locked.save(update_fields=["signed_at"])
            _transition(actor, locked, CompetitionStatus.SIGNED, "contract signed")
            # The case moves on to contract follow-up and benefits, with the timeline saying why.
            project = locked.project
            if project.phase == Phase.COMPETITION:
                project_actions.move_phase(
                    actor,
                    project,
                    Phase.CONTRACT,
                    reason=_("Contract signed: %(title)s") % {"title": locked.title},
                )
    return locked
