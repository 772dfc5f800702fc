"""OCDS out: when a release is produced, how records are compiled, and the packages and the bulk
file that carry them. What a release contains is `mapping`'s business.

A release is produced once per event, keyed by `Release.source_event`, and never changed: the
scheduler calls `produce_releases()` every round, which finds the events of published projects
that have no release yet, builds each with `mapping` at that moment and stores it. Running it
again, or two schedulers at once, adds nothing (the key is unique). A draft project produces
nothing; events that happened while it was a draft get their releases, with their own dates,
once it is published. A project that is unpublished again keeps its releases in the database,
but every output leaves them out until it is published again.

| source_event                    | release tags                     | the number is the pk of |
|---------------------------------|----------------------------------|-------------------------|
| project.published:N             | planning (first) / planningUpdate | ProjectEvent            |
| dialogue.published:N            | planning (first) / planningUpdate | Dialogue                |
| dialogue.conference:N           | planningUpdate                   | ProjectEvent            |
| competition.announced:N         | tender                           | CompetitionTransition   |
| competition.document:N          | tenderUpdate                     | CompetitionDocument     |
| competition.timeline:N          | tenderAmendment                  | AuditEntry (seq)        |
| competition.cancelled:N         | tenderCancellation               | CompetitionTransition   |
| award.decided:N                 | award                            | AwardDecision           |
| contract.signed:N               | contract (award, contract when registered by hand) | Contract |
| contract.updated:N              | contractUpdate                   | ProjectEvent            |
| contract.amended:N              | contractAmendment                | ProjectEvent            |
| contract.ended:N                | contractTermination              | ProjectEvent            |
| implementation:N                | implementation                   | ProjectEvent            |

Records are compiled on request with ocdsmerge, from the schema shipped in the repository (it
never fetches one). The bulk file, a release package of every published release, is rewritten
by the worker when the set of releases changed: see `write_bulk_file()`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import ocdsmerge
from django.conf import settings
from django.core.files import File
from django.core.files.storage import Storage, default_storage
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Max, Q, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone, translation
from django_tasks import task

from lupin.audit.models import AuditEntry
from lupin.competitions.models import (
    AwardDecision,
    Competition,
    CompetitionDocument,
    CompetitionStatus,
    CompetitionTransition,
)
from lupin.contracts.models import Contract, DevelopmentPhase, Milestone
from lupin.dialogue.models import Dialogue
from lupin.opendata import mapping
from lupin.opendata.mapping import Header, Json
from lupin.opendata.models import Release
from lupin.projects.models import Project, ProjectEvent, Visibility

logger = logging.getLogger(__name__)

SCHEMA_DIR = Path(__file__).resolve().parent / "data" / "ocds-schema-1.1.5"
RELEASE_SCHEMA = SCHEMA_DIR / "release-schema.json"

PLANNING_EVENTS = ("project.published:", "dialogue.published:", "dialogue.conference:")
CONTRACT_VERBS = {
    "contract.updated": ("contract.updated", ("contractUpdate",)),
    "contract.option_exercised": ("contract.amended", ("contractAmendment",)),
    "contract.status": ("contract.ended", ("contractTermination",)),
}
IMPLEMENTATION_VERBS = ("phase.started", "phase.gate", "milestone.reached")


# --- Events -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Event:
    """Something that happened to a published project and deserves a release."""

    key: str  # Release.source_event
    at: datetime
    project_id: int
    kind: str  # which mapping builds it
    pk: int  # the object it starts from
    tags: tuple[str, ...] = ()


def _published(prefix: str = "project") -> Q:
    return Q(**{f"{prefix}__visibility": Visibility.PUBLISHED})


def _planning_events() -> Iterator[Event]:
    published = dict(
        Project.objects.filter(visibility=Visibility.PUBLISHED).values_list("pk", "published_at")
    )
    rows = list(
        ProjectEvent.objects.filter(_published(), verb="project.published")
        .order_by("at", "pk")
        .values_list("pk", "project_id", "at")
    )
    latest = {project_id: pk for pk, project_id, _at in rows}
    for pk, project_id, at in rows:
        # The latest publication is dated by the project's own record of it (the same moment
        # in practice; the demo back-dates the project, not its audit trail).
        when = published[project_id] if latest[project_id] == pk else None
        yield Event(f"project.published:{pk}", when or at, project_id, "planning", project_id)
    dialogues = Dialogue.objects.filter(_published(), published_at__isnull=False).values_list(
        "pk", "project_id", "published_at"
    )
    published_at: dict[int, datetime] = {}
    for pk, project_id, opened in dialogues:
        if opened is not None:
            published_at[pk] = opened
            yield Event(f"dialogue.published:{pk}", opened, project_id, "dialogue", pk)
    conferences = ProjectEvent.objects.filter(_published(), verb="conference.created")
    for event in conferences.values_list("pk", "project_id", "at", "detail"):
        pk, project_id, at, detail = event
        dialogue = detail.get("dialogue")
        opened = published_at.get(dialogue)
        if opened is not None and at > opened:
            yield Event(
                f"dialogue.conference:{pk}",
                at,
                project_id,
                "dialogue",
                dialogue,
                ("planningUpdate",),
            )


def _tender_events() -> Iterator[Event]:
    transitions = CompetitionTransition.objects.filter(_published("competition__project"))
    announced = transitions.filter(to_status=CompetitionStatus.ANNOUNCED)
    for pk, competition_id, project_id, at in announced.values_list(
        "pk", "competition_id", "competition__project_id", "at"
    ):
        yield Event(
            f"competition.announced:{pk}", at, project_id, "tender", competition_id, ("tender",)
        )
    cancelled = transitions.filter(to_status=CompetitionStatus.CANCELLED).exclude(
        from_status=CompetitionStatus.DRAFT
    )
    for pk, competition_id, project_id, at in cancelled.values_list(
        "pk", "competition_id", "competition__project_id", "at"
    ):
        yield Event(
            f"competition.cancelled:{pk}",
            at,
            project_id,
            "tender",
            competition_id,
            ("tenderCancellation",),
        )
    late_documents = CompetitionDocument.objects.filter(
        _published("competition__project"),
        competition__announced_at__isnull=False,
        published_at__gt=F("competition__announced_at"),
    )
    for pk, competition_id, project_id, at in late_documents.values_list(
        "pk", "competition_id", "competition__project_id", "published_at"
    ):
        yield Event(
            f"competition.document:{pk}",
            at,
            project_id,
            "tender",
            competition_id,
            ("tenderUpdate",),
        )
    competitions = {
        str(pk): (project_id, announced_at)
        for pk, project_id, announced_at in Competition.objects.filter(
            _published(), announced_at__isnull=False
        ).values_list("pk", "project_id", "announced_at")
    }
    moves = AuditEntry.objects.filter(
        action="competition.timeline_changed",
        subject_type=Competition._meta.label_lower,
        subject_id__in=list(competitions),
    )
    for seq, subject_id, at in moves.values_list("seq", "subject_id", "at"):
        project_id, announced_at = competitions[subject_id]
        if announced_at is not None and at > announced_at:
            yield Event(
                f"competition.timeline:{seq}",
                at,
                project_id,
                "tender",
                int(subject_id),
                ("tenderAmendment",),
            )
    decisions = AwardDecision.objects.filter(_published("competition__project"))
    for pk, project_id, at in decisions.values_list("pk", "competition__project_id", "decided_at"):
        yield Event(f"award.decided:{pk}", at, project_id, "award", pk, ("award",))


def _contract_events() -> Iterator[Event]:
    contracts = dict(Contract.objects.filter(_published()).values_list("pk", "award_id"))
    for pk, project_id, at in Contract.objects.filter(_published()).values_list(
        "pk", "project_id", "created_at"
    ):
        tags = ("contract",) if contracts[pk] is not None else ("award", "contract")
        yield Event(f"contract.signed:{pk}", at, project_id, "contract.signed", pk, tags)
    events = ProjectEvent.objects.filter(
        _published(), verb__in=[*CONTRACT_VERBS, *IMPLEMENTATION_VERBS]
    ).values_list("pk", "project_id", "verb", "at", "detail")
    rows = list(events)
    phases = dict(
        DevelopmentPhase.objects.filter(contract__in=list(contracts)).values_list(
            "pk", "contract_id"
        )
    )
    milestones = dict(
        Milestone.objects.filter(phase__contract__in=list(contracts)).values_list(
            "pk", "phase__contract_id"
        )
    )
    for pk, project_id, verb, at, detail in rows:
        if verb in CONTRACT_VERBS:
            contract = detail.get("contract")
            prefix, tags = CONTRACT_VERBS[verb]
        else:
            contract = detail.get("contract") or phases.get(detail.get("phase"))
            contract = contract or milestones.get(detail.get("milestone"))
            prefix, tags = "implementation", ("implementation",)
        if contract in contracts:
            yield Event(f"{prefix}:{pk}", at, project_id, "contract", contract, tags)


def pending_events() -> list[Event]:
    """Every event of a published project that has no release yet, oldest first."""
    done = set(Release.objects.values_list("source_event", flat=True))
    events = [
        event
        for collect in (_planning_events, _tender_events, _contract_events)
        for event in collect()
        if event.key not in done
    ]
    return sorted(events, key=lambda event: (event.at, event.key))


# --- Producing releases --------------------------------------------------------------------------


def _planning_tags(ocid: str) -> tuple[str, ...]:
    earlier = Q()
    for prefix in PLANNING_EVENTS:
        earlier |= Q(source_event__startswith=prefix)
    seen = Release.objects.filter(earlier, ocid=ocid).exists()
    return ("planningUpdate",) if seen else ("planning",)


def _header(event: Event, ocid: str, tags: tuple[str, ...]) -> Header:
    return Header(
        ocid=ocid,
        release_id=f"{ocid}-{event.key.replace(':', '-')}",
        date=event.at,
        tags=tags,
    )


def build(event: Event) -> tuple[Header, Json] | None:
    """The release for `event`, as Lupin's data stand now (None if its object is gone)."""
    if event.kind == "planning":
        project = Project.objects.select_related("lead_buyer").filter(pk=event.pk).first()
        if project is None:
            return None
        ocid = mapping.project_ocid(project.pk)
        header = _header(event, ocid, event.tags or _planning_tags(ocid))
        return header, mapping.planning_release(header, project)
    if event.kind == "dialogue":
        dialogue = (
            Dialogue.objects.select_related("project__lead_buyer").filter(pk=event.pk).first()
        )
        if dialogue is None:
            return None
        ocid = mapping.project_ocid(dialogue.project_id)
        header = _header(event, ocid, event.tags or _planning_tags(ocid))
        return header, mapping.dialogue_release(header, dialogue)
    if event.kind == "tender":
        competition = Competition.objects.filter(pk=event.pk).first()
        if competition is None:
            return None
        header = _header(event, mapping.competition_ocid(competition), event.tags)
        return header, mapping.tender_release(header, competition)
    if event.kind == "award":
        decision = AwardDecision.objects.select_related("competition").filter(pk=event.pk).first()
        if decision is None:
            return None
        header = _header(event, mapping.competition_ocid(decision.competition), event.tags)
        return header, mapping.award_release(header, decision)
    contract = Contract.objects.select_related("award__competition").filter(pk=event.pk).first()
    if contract is None:
        return None
    header = _header(event, mapping.contract_ocid(contract), event.tags)
    signing = event.kind == "contract.signed"
    return header, mapping.contract_release(header, contract, award_value=signing)


def store(event: Event) -> bool:
    """Store the release of `event`; False when it already has one (or its object is gone)."""
    try:
        with transaction.atomic():
            built = build(event)
            if built is None:
                return False
            header, data = built
            Release.objects.create(
                ocid=header.ocid,
                release_id=header.release_id,
                date=event.at,
                tags=list(header.tags),
                data=data,
                project_id=event.project_id,
                source_event=event.key,
            )
    except IntegrityError:
        # Another producer stored this event's release first: it is published, and stays.
        return False
    return True


def produce_releases() -> int:
    """Store a release for every event that has none yet; return how many were stored.

    Each release is built in the site's language (the language it declares), in the order the
    events happened, in a transaction of its own: a failure leaves the others stored."""
    count = 0
    with translation.override(settings.LANGUAGE_CODE):
        for event in pending_events():
            try:
                stored = store(event)
            except Exception:
                logger.exception("OCDS release for %s could not be built", event.key)
                continue
            count += stored
    return count


# --- Records and packages ------------------------------------------------------------------------


def public_releases() -> QuerySet[Release]:
    """The releases every output shows: those of projects published now."""
    return Release.objects.filter(project__visibility=Visibility.PUBLISHED)


@cache
def _merger() -> ocdsmerge.Merger:
    # A path, not a URL: ocdsmerge reads the merge rules from the shipped schema, offline.
    return ocdsmerge.Merger(schema=str(RELEASE_SCHEMA))


def compile_record(ocid: str, *, versioned: bool = False) -> tuple[Json, datetime] | None:
    """The record of `ocid` (its releases, the compiled release and, when asked, the versioned
    release) and when its last release was published; None when it has no public release."""
    rows = list(public_releases().filter(ocid=ocid).order_by("date", "pk"))
    if not rows:
        return None
    releases = [row.data for row in rows]
    record: Json = {
        "ocid": ocid,
        "releases": releases,
        "compiledRelease": _merger().create_compiled_release(releases),
    }
    if versioned:
        record["versionedRelease"] = _merger().create_versioned_release(releases)
    return record, max(row.created_at for row in rows)


def publisher() -> Json:
    return {"name": settings.LUPIN_OCDS_PUBLISHER, "uri": settings.SITE_URL}


def publication_policy() -> str:
    return settings.SITE_URL + reverse("opendata:overview")


def _package_meta(uri: str, published: datetime, extensions: Sequence[str]) -> Json:
    meta: Json = {
        "uri": uri,
        "version": mapping.OCDS_VERSION,
        "publishedDate": mapping.moment(published),
        "publisher": publisher(),
        "license": mapping.LICENCE_URL,
        "publicationPolicy": publication_policy(),
    }
    if extensions:
        meta["extensions"] = list(extensions)
    return meta


def release_package(
    releases: Sequence[Json],
    *,
    uri: str,
    published: datetime,
    links: dict[str, str] | None = None,
) -> Json:
    """A release package. `published` is when the newest release in it was published (OCDS:
    for a package made on demand, the last change to what it contains)."""
    package = _package_meta(uri, published, mapping.extensions_used(releases, paged=bool(links)))
    if links:
        package["links"] = links
    package["releases"] = list(releases)
    return package


def record_package(records: Sequence[Json], *, uri: str, published: datetime) -> Json:
    releases = [release for record in records for release in record["releases"]]
    package = _package_meta(uri, published, mapping.extensions_used(releases))
    package["records"] = list(records)
    return package


# --- The bulk file -------------------------------------------------------------------------------

BULK_DIR = "opendata"
# releases-<written, UTC>-<fingerprint>-<bytes>.json: the name says what the file holds and how
# big it is when complete, so a reader needs no pointer file and never takes a half-written one.
BULK_NAME = re.compile(r"^releases-(\d{8}T\d{12})Z-([0-9a-f]{12})-(\d+)\.json$")
BULK_STAMP = "%Y%m%dT%H%M%S%f"
# How long the scheduler waits for the worker before it hands over the same file again.
BULK_RETRY_SECONDS = 600


@dataclass(frozen=True)
class BulkFile:
    name: str  # in the storage
    written_at: datetime
    fingerprint: str
    size: int


def _parse_bulk_name(filename: str) -> BulkFile | None:
    match = BULK_NAME.match(filename)
    if match is None:
        return None
    stamp, fingerprint, size = match.groups()
    written = datetime.strptime(stamp, BULK_STAMP).replace(tzinfo=UTC)
    return BulkFile(f"{BULK_DIR}/{filename}", written, fingerprint, int(size))


def _bulk_files(storage: Storage) -> list[BulkFile]:
    """The bulk files in storage, newest first (complete or not)."""
    try:
        _dirs, files = storage.listdir(BULK_DIR)
    except FileNotFoundError:
        return []
    found = [parsed for name in files if (parsed := _parse_bulk_name(name))]
    return sorted(found, key=lambda bulk: bulk.written_at, reverse=True)


def current_bulk_file(storage: Storage | None = None) -> BulkFile | None:
    """The newest complete bulk file (its size in storage is the one its name promises)."""
    storage = storage or default_storage
    for bulk in _bulk_files(storage):
        try:
            if storage.size(bulk.name) == bulk.size:
                return bulk
        except FileNotFoundError:
            continue
    return None


def releases_fingerprint() -> str | None:
    """What identifies the set of public releases (None when there is none): a release added,
    or a project unpublished or published again, changes it."""
    totals = public_releases().aggregate(n=Count("pk"), top=Max("pk"), total=Sum("pk"))
    if not totals["n"]:
        return None
    text = f"{totals['n']}:{totals['top']}:{totals['total']}:{settings.SITE_URL}"
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def _write_package(handle: Any, releases: QuerySet[Release]) -> None:
    """Stream the release package into `handle`, one release at a time."""
    data = releases.values_list("data", flat=True)
    extensions = mapping.extensions_used(data.iterator(chunk_size=500))
    newest = releases.aggregate(newest=Max("created_at"))["newest"]
    uri = settings.SITE_URL + reverse("opendata:bulk_file")
    meta = json.dumps(_package_meta(uri, newest, extensions), ensure_ascii=False)
    # The metadata object without its closing brace, then the releases, then the brace.
    handle.write(meta[:-1].encode() + b', "releases": [')
    for index, release in enumerate(data.iterator(chunk_size=500)):
        if index:
            handle.write(b", ")
        handle.write(json.dumps(release, ensure_ascii=False).encode())
    handle.write(b"]}")


def write_bulk_file(storage: Storage | None = None) -> BulkFile | None:
    """Write a release package of every public release to storage, if they changed since the
    last file; return the new file (None when nothing was written).

    The file gets a new name each time and is complete once its size is the one in its name,
    so readers see the old file or the new one, never half of one (on a local disk as on S3).
    The file before it is kept a round longer for downloads under way; older ones are removed,
    and all of them when no public release is left."""
    storage = storage or default_storage
    fingerprint = releases_fingerprint()
    current = current_bulk_file(storage)
    if fingerprint is None:
        for old in _bulk_files(storage):
            storage.delete(old.name)
        return None
    if current is not None and current.fingerprint == fingerprint:
        return None
    written_at = timezone.now()
    with tempfile.TemporaryFile() as handle:
        _write_package(handle, public_releases().order_by("date", "pk"))
        size = handle.tell()
        handle.seek(0)
        stamp = written_at.astimezone(UTC).strftime(BULK_STAMP)
        name = f"{BULK_DIR}/releases-{stamp}Z-{fingerprint}-{size}.json"
        saved = storage.save(name, File(handle, name=name))
    bulk = BulkFile(saved, written_at, fingerprint, size)
    keep = {saved, current.name if current else ""}
    for old in _bulk_files(storage):
        if old.name not in keep:
            storage.delete(old.name)
    return bulk


_handed_over: dict[str, float] = {}


@task()
def write_bulk_file_task() -> str:
    """The worker's job: write the bulk file (if the releases changed)."""
    bulk = write_bulk_file()
    _handed_over.clear()
    return bulk.name if bulk else ""


def refresh_bulk_file() -> int:
    """The scheduler's job: hand the worker the bulk file when the releases changed since the
    file was written. Checking costs two small queries and a listing of the storage folder;
    the writing, which grows with the data, happens in the worker, so the scheduler's
    deadline jobs never wait for it. Returns 1 when it handed the work over."""
    fingerprint = releases_fingerprint()
    current = current_bulk_file()
    if fingerprint == (current.fingerprint if current else None):
        _handed_over.clear()
        return 0
    key = fingerprint or "none"
    handed = _handed_over.get(key)
    if handed is not None and time.monotonic() - handed < BULK_RETRY_SECONDS:
        return 0  # the worker has it already
    _handed_over[key] = time.monotonic()
    write_bulk_file_task.enqueue()
    return 1
