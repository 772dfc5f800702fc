"""A realistic Norwegian demo dataset, built through the same actions the pages use.

`build()` is idempotent: organisations are keyed by organisation number (or foreign id), users by
username, projects by (lead buyer, title), market dialogues by project, competitions by (project,
title), contracts by (project, title) or by their award, the programme's budgets by year and its
support entries by (partner, what was done). Whatever exists is left exactly as it is, so a second
run creates nothing and changes nothing.

Every organisation number is fictional: it starts with 1, which Enhetsregisteret never issues (real
numbers start with 8 or 9), so no demo body can be mistaken for a real one. The check digit is
computed with MOD11, so every number is valid.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import F, Model, QuerySet
from django.utils import timezone

from lupin.accounts.models import Organisation, OrganisationKind, Role, User
from lupin.benefits import actions as benefit_actions
from lupin.benefits.actions import KpiData, MeasurementData, SupportData
from lupin.benefits.models import ConfidenceLevel, ProgrammeBudget, SupportEntry
from lupin.competitions import actions as competition_actions
from lupin.competitions.actions import CompetitionData
from lupin.competitions.actions import evaluation as evaluation_actions
from lupin.competitions.actions import setup as setup_actions
from lupin.competitions.actions.setup import CriterionData
from lupin.competitions.models import (
    Answer as CompetitionAnswer,
)
from lupin.competitions.models import (
    AwardDecision,
    Competition,
    CompetitionDocument,
    CompetitionStatus,
    CompetitionTransition,
    ConsensusScore,
    CriterionKind,
    InterestedSupplier,
    NegotiationRound,
    OpeningApproval,
    SealingKey,
    TeamMember,
    Tender,
)
from lupin.competitions.models import (
    Question as CompetitionQuestion,
)
from lupin.contracts import actions as contract_actions
from lupin.contracts.actions import ContractData, GateChoice
from lupin.contracts.models import (
    Contract,
    ContractKind,
    ContractStatus,
    DevelopmentPhase,
    Direction,
    GateOutcome,
    OptionKind,
    PhaseKind,
)
from lupin.dialogue import actions as dialogue_actions
from lupin.dialogue.actions import ConferenceData, DialogueData
from lupin.dialogue.models import (
    Answer,
    Booking,
    Delivery,
    DeliveryKind,
    Dialogue,
    DialogueStatus,
    DialogueTransition,
    Language,
    MeetingMode,
)
from lupin.lib import cpv, nuts, orgnr
from lupin.opendata import publish
from lupin.projects import actions
from lupin.projects.actions import BenefitData, ProjectData
from lupin.projects.lifecycle import Phase
from lupin.projects.models import (
    BenefitCategory,
    CoBuyerInvitation,
    ExpectedBenefit,
    InvitationStatus,
    PhaseTransition,
    Procedure,
    Project,
    ProjectStep,
)
from lupin.projects.roadmap import BY_KEY, STEPS

DEMO_PASSWORD = "demo"  # noqa: S105 - a documented demo password, refused outside debug


def org_number(first_eight: str) -> str:
    digit = orgnr.check_digit(first_eight)
    if digit is None:
        raise ValueError(f"{first_eight} cannot get a MOD11 check digit; pick other digits.")
    return f"{first_eight}{digit}"


# Organisations


@dataclass(frozen=True)
class OrgSpec:
    key: str
    kind: str
    name: str
    number: str = ""  # first eight digits; the check digit is computed
    foreign_id: str = ""
    country: str = "NO"
    nuts_region: str = ""
    email: str = ""
    central_government: bool = False


ORGANISATIONS: tuple[OrgSpec, ...] = (
    OrgSpec(
        "fjordvik",
        OrganisationKind.BUYER,
        "Fjordvik kommune",
        "10100002",
        nuts_region="NO0A2",
        email="postmottak@fjordvik.example.org",
    ),
    OrgSpec(
        "solberg",
        OrganisationKind.BUYER,
        "Solberg kommune",
        "10100003",
        nuts_region="NO084",
        email="postmottak@solberg.example.org",
    ),
    OrgSpec(
        "helse_vestkyst",
        OrganisationKind.BUYER,
        "Helse Vestkyst HF",
        "10100004",
        nuts_region="NO0A1",
        email="innkjop@helse-vestkyst.example.org",
    ),
    OrgSpec(
        "nordkyst",
        OrganisationKind.BUYER,
        "Nordkyst fylkeskommune",
        "10100005",
        nuts_region="NO071",
        email="post@nordkyst-fylke.example.org",
    ),
    OrgSpec(
        "nordlys",
        OrganisationKind.SUPPLIER,
        "Nordlys Omsorgsteknologi AS",
        "10200001",
        nuts_region="NO060",
        email="salg@nordlys-omsorg.example.org",
    ),
    OrgSpec(
        "fjellvind",
        OrganisationKind.SUPPLIER,
        "Fjellvind Sensor AS",
        "10200002",
        nuts_region="NO081",
        email="post@fjellvind.example.org",
    ),
    OrgSpec(
        "broyt",
        OrganisationKind.SUPPLIER,
        "Brøyt og Vei Drift AS",
        "10200004",
        nuts_region="NO020",
        email="firmapost@broytogvei.example.org",
    ),
    OrgSpec(
        "matglede",
        OrganisationKind.SUPPLIER,
        "Matglede Storkjøkken AS",
        "10200005",
        nuts_region="NO084",
        email="kontakt@matglede.example.org",
    ),
    OrgSpec(
        "gronn_anlegg",
        OrganisationKind.SUPPLIER,
        "Grønn Anleggsmaskin AS",
        "10200006",
        nuts_region="NO0A1",
        email="post@gronnanlegg.example.org",
    ),
    OrgSpec(
        "havkraft",
        OrganisationKind.SUPPLIER,
        "Havkraft Maritime AS",
        "10200007",
        nuts_region="NO0A3",
        email="post@havkraft.example.org",
    ),
    OrgSpec(
        "gjenbruk",
        OrganisationKind.SUPPLIER,
        "Gjenbruk Interiør AS",
        "10200008",
        nuts_region="NO092",
        email="hei@gjenbrukinterior.example.org",
    ),
    OrgSpec(
        "medidos",
        OrganisationKind.SUPPLIER,
        "Medidos Sverige AB",
        foreign_id="SE556000000001",
        country="SE",
        email="info@medidos.example.org",
    ),
    OrgSpec(
        "programme",
        OrganisationKind.PROGRAMME,
        "Nasjonalt program for leverandørutvikling",
        "10300001",
        nuts_region="NO081",
        email="post@leverandorutvikling.example.org",
    ),
)


# People


@dataclass(frozen=True)
class UserSpec:
    username: str
    first_name: str
    last_name: str
    email: str
    org: str | None
    role: str
    login: bool = True  # False: a person in the demo's story (an author, a colleague, a
    # tenderer) who acts through the actions but has no usable password


USERS: tuple[UserSpec, ...] = (
    UserSpec(
        "buyer",
        "Ingrid",
        "Fjeld",
        "ingrid.fjeld@fjordvik.example.org",
        "fjordvik",
        Role.BUYER_ADMIN,
    ),
    UserSpec(
        "buyer2",
        "Jonas",
        "Bakke",
        "jonas.bakke@fjordvik.example.org",
        "fjordvik",
        Role.BUYER_MEMBER,
    ),
    UserSpec(
        "evaluator",
        "Leila",
        "Haugen",
        "leila.haugen@fjordvik.example.org",
        "fjordvik",
        Role.EVALUATOR,
    ),
    UserSpec(
        "cobuyer", "Per", "Solheim", "per.solheim@solberg.example.org", "solberg", Role.BUYER_ADMIN
    ),
    UserSpec(
        "supplier",
        "Sara",
        "Lund",
        "sara.lund@nordlys-omsorg.example.org",
        "nordlys",
        Role.SUPPLIER_ADMIN,
    ),
    UserSpec(
        "rival",
        "Henrik",
        "Dahl",
        "henrik.dahl@fjellvind.example.org",
        "fjellvind",
        Role.SUPPLIER_ADMIN,
    ),
    UserSpec(
        "advisor",
        "Marit",
        "Aasen",
        "marit.aasen@leverandorutvikling.example.org",
        "programme",
        Role.ADVISOR,
    ),
    UserSpec("admin", "Eirik", "Moe", "drift@lupin.example.org", None, ""),
    UserSpec(
        "marte.haugland",
        "Marte",
        "Haugland",
        "marte.haugland@helse-vestkyst.example.org",
        "helse_vestkyst",
        Role.BUYER_ADMIN,
        login=False,
    ),
    UserSpec(
        "olav.strand",
        "Olav",
        "Strand",
        "olav.strand@nordkyst-fylke.example.org",
        "nordkyst",
        Role.BUYER_ADMIN,
        login=False,
    ),
    # Solberg's second buyer: the furniture competition was opened by two people (four eyes).
    UserSpec(
        "kari.nilsen",
        "Kari",
        "Nilsen",
        "kari.nilsen@solberg.example.org",
        "solberg",
        Role.BUYER_MEMBER,
        login=False,
    ),
    # Who submitted the winning tender for the furniture.
    UserSpec(
        "tone.berg",
        "Tone",
        "Berg",
        "tone.berg@gjenbrukinterior.example.org",
        "gjenbruk",
        Role.SUPPLIER_ADMIN,
        login=False,
    ),
)

LOGINS: tuple[UserSpec, ...] = tuple(spec for spec in USERS if spec.login)


# Projects


@dataclass(frozen=True)
class Move:
    to: str
    days_ago: int
    reason: str = ""


@dataclass(frozen=True)
class ProjectSpec:
    author: str  # username of the lead buyer's person who creates and moves it
    data: ProjectData
    benefits: tuple[BenefitData, ...]
    started_days_ago: int
    published_days_ago: int | None  # None: stays a draft
    moves: tuple[Move, ...] = ()
    steps_done_in_current_phase: int = 0
    notes: dict[str, str] = field(default_factory=dict)
    accepted_cobuyers: tuple[str, ...] = ()  # org keys whose admin accepts
    pending_cobuyers: tuple[str, ...] = ()  # org keys invited, still to answer


def _nok(amount: str) -> Decimal:
    return Decimal(amount)


PROJECTS: tuple[ProjectSpec, ...] = (
    ProjectSpec(
        author="buyer",
        data=ProjectData(
            title="Digitalt tilsyn om natten i hjemmetjenesten",
            need_statement=(
                "Hjemmeboende eldre med demens eller fallrisiko trenger å være trygge om natten, "
                "og hjemmetjenesten trenger å vite når noen faktisk trenger hjelp. I dag får alle "
                "faste tilsynsbesøk uansett behov. Vi søker en løsning som varsler nattpatruljen "
                "ved uro, fall eller at brukeren forlater boligen, uten kamera og uten å vekke "
                "brukeren unødig."
            ),
            affected_users=(
                "Hjemmeboende eldre og personer med demens, pårørende, nattpatruljen i "
                "hjemmetjenesten, tildelingskontoret, IKT-avdelingen."
            ),
            problem_scenarios=(
                "Nattpatruljen vekker brukere som sover godt for å se til dem. Fall oppdages "
                "først ved neste planlagte besøk, noen ganger flere timer senere. Pårørende "
                "ringer om natten fordi de er bekymret. Patruljen kjører langt mellom besøk som "
                "ikke trengs."
            ),
            desired_effects=(
                "Færre unødvendige nattbesøk, raskere hjelp ved fall, bedre søvn for brukerne, "
                "tryggere pårørende og frigjort tid i nattpatruljen."
            ),
            estimated_value=_nok("8500000.00"),
            nuts_region="NO0A2",
            planned_procedure=Procedure.INNOVATION_PARTNERSHIP,
            internal_notes="Budsjett for 2026 avklart med kommunedirektøren. Solberg deler kost.",
            cpv_codes=("33195000", "32441100", "85312400"),
        ),
        benefits=(
            BenefitData(
                category=BenefitCategory.BETTER_FOR_BUYER,
                description="Færre fysiske tilsynsbesøk om natten",
                baseline=Decimal("420"),
                target=Decimal("180"),
                unit="besøk per uke",
                owner="Leder for hjemmetjenesten",
                yearly_value=_nok("2100000.00"),
            ),
            BenefitData(
                category=BenefitCategory.BETTER_FOR_USERS,
                description="Kortere tid fra fall til hjelp er på plass",
                baseline=Decimal("180"),
                target=Decimal("20"),
                unit="minutter (median)",
                owner="Fagansvarlig sykepleier",
            ),
            BenefitData(
                category=BenefitCategory.TRANSFER_OTHERS,
                description="Løsningen tas i bruk av andre kommuner i regionen",
                baseline=Decimal("0"),
                target=Decimal("4"),
                unit="kommuner",
                owner="Innkjøpssjef",
                yearly_value=_nok("600000.00"),
            ),
        ),
        started_days_ago=420,
        published_days_ago=380,
        moves=(
            Move(Phase.DIALOGUE, 300, "Behovet er forankret og gevinstene har en baseline."),
            Move(Phase.COMPETITION, 150, "Markedsdialogen viste at flere kan utvikle løsningen."),
        ),
        steps_done_in_current_phase=4,
        notes={
            "one_to_one": "12 en-til-en-møter med 9 leverandører, referat deles med alle.",
            "conference": "Dialogkonferanse i rådhuset med 64 deltakere, 23 leverandører.",
        },
        accepted_cobuyers=("solberg",),
    ),
    ProjectSpec(
        author="buyer",
        data=ProjectData(
            title="Sensorbasert vedlikehold av kommunale bygg",
            need_statement=(
                "Kommunen trenger å vite tilstanden til tak, ventilasjon og tekniske anlegg i "
                "skoler og sykehjem før noe går i stykker, slik at vedlikehold kan planlegges i "
                "stedet for å skje akutt."
            ),
            affected_users="Driftsoperatører, eiendomsforvaltningen, elever, ansatte og beboere.",
            problem_scenarios=(
                "Vannlekkasjer oppdages først når det drypper fra taket. Ventilasjonsanlegg "
                "stopper uten forvarsel og klasserom må stenges."
            ),
            desired_effects="Færre akutte skader, lavere vedlikeholdskostnader, bedre inneklima.",
            estimated_value=_nok("3200000.00"),
            nuts_region="NO0A2",
            internal_notes="Tidlig utkast. Avklar med eiendom om budsjett før publisering.",
            cpv_codes=("50710000", "71315000"),
        ),
        benefits=(
            BenefitData(
                category=BenefitCategory.OPERATING_COSTS,
                description="Lavere kostnader til akutt vedlikehold",
                baseline=Decimal("4800000"),
                target=Decimal("3000000"),
                unit="NOK per år",
                owner="Eiendomssjef",
                yearly_value=_nok("1800000.00"),
            ),
        ),
        started_days_ago=30,
        published_days_ago=None,
        steps_done_in_current_phase=2,
    ),
    ProjectSpec(
        author="buyer2",
        data=ProjectData(
            title="Snørydding med sensorer og sanntidsdata",
            need_statement=(
                "Innbyggerne trenger farbare veier, fortau og gang- og sykkelveier tidlig om "
                "morgenen, og kommunen trenger å brøyte og strø der og når det trengs, ikke "
                "etter faste ruter."
            ),
            affected_users=(
                "Skolebarn, eldre fotgjengere, syklister, bussreisende, brøyteentreprenørene og "
                "vegavdelingen."
            ),
            problem_scenarios=(
                "Brøytebilene kjører faste ruter også når det ikke har snødd der. Glatte fortau "
                "gir fallskader hos eldre. Kommunen får klager den ikke kan dokumentere svar på."
            ),
            desired_effects=(
                "Færre fallskader, mindre kjøring og salt, dokumentert brøytekvalitet og færre "
                "klager."
            ),
            estimated_value=_nok("24000000.00"),
            nuts_region="NO0A2",
            planned_procedure=Procedure.NEGOTIATION,
            cpv_codes=("90620000", "90630000", "32441000"),
        ),
        benefits=(
            BenefitData(
                category=BenefitCategory.BETTER_FOR_USERS,
                description="Færre fallskader på glatte fortau registrert på legevakten",
                baseline=Decimal("95"),
                target=Decimal("60"),
                unit="skader per vinter",
                owner="Kommuneoverlege",
                yearly_value=_nok("1400000.00"),
            ),
            BenefitData(
                category=BenefitCategory.OPERATING_COSTS,
                description="Mindre kjøring med brøyteutstyr",
                baseline=Decimal("310000"),
                target=Decimal("240000"),
                unit="km per vinter",
                owner="Leder for vegavdelingen",
                yearly_value=_nok("950000.00"),
            ),
        ),
        started_days_ago=200,
        published_days_ago=170,
        moves=(Move(Phase.DIALOGUE, 90, "Veiledende kunngjøring publisert på Doffin."),),
        # The notice and the conference; its one-to-one meetings are still ahead (see DIALOGUES).
        steps_done_in_current_phase=2,
        notes={"conference": "Dialogkonferanse holdt digitalt, opptak tilgjengelig."},
        pending_cobuyers=("solberg",),
    ),
    ProjectSpec(
        author="buyer",
        data=ProjectData(
            title="Klimanøytrale anleggsplasser",
            need_statement=(
                "Kommunens bygge- og anleggsprosjekter må kutte utslipp fra maskiner og "
                "transport på byggeplassen, uten at støy og fremdrift blir verre for naboene."
            ),
            affected_users="Naboer, skoler nær byggeplasser, entreprenører, prosjektledere.",
            problem_scenarios=(
                "Dieseldrevne gravemaskiner står på tomgang. Strømtilgang på byggeplassen mangler "
                "ofte, slik at elektriske maskiner ikke kan lades."
            ),
            desired_effects="Fossilfrie og utslippsfrie anleggsplasser innen 2030.",
            estimated_value=_nok("40000000.00"),
            nuts_region="NO0A2",
            cpv_codes=("45500000", "43260000"),
        ),
        benefits=(
            BenefitData(
                category=BenefitCategory.TRANSFER_OWN,
                description="Lavere utslipp fra kommunens anleggsplasser",
                baseline=Decimal("1450"),
                target=Decimal("300"),
                unit="tonn CO2e per år",
                owner="Klimarådgiver",
            ),
        ),
        started_days_ago=75,
        published_days_ago=60,
        steps_done_in_current_phase=4,
    ),
    ProjectSpec(
        author="cobuyer",
        data=ProjectData(
            title="Skolemat med mindre matsvinn",
            need_statement=(
                "Elevene i barneskolene trenger et sunt, varmt måltid hver skoledag som de "
                "faktisk spiser, og kommunen trenger å kaste mindre mat."
            ),
            affected_users="Elever, foreldre, lærere, skolekjøkken, helsesykepleiere.",
            problem_scenarios=(
                "Mye mat kastes fordi porsjoner og menyer ikke treffer elevene. Skoler uten "
                "kjøkken kan ikke tilby varm mat."
            ),
            desired_effects="Flere elever spiser lunsj, mindre matsvinn, lokal mat der det går.",
            estimated_value=_nok("18500000.00"),
            nuts_region="NO084",
            planned_procedure=Procedure.OPEN,
            cpv_codes=("55523100", "15894210"),
        ),
        benefits=(
            BenefitData(
                category=BenefitCategory.PRICE,
                description="Mindre matsvinn fra skolemåltidene",
                baseline=Decimal("38"),
                target=Decimal("15"),
                unit="prosent av produsert mat",
                owner="Kommunalsjef for oppvekst",
                yearly_value=_nok("780000.00"),
            ),
            BenefitData(
                category=BenefitCategory.BETTER_FOR_USERS,
                description="Andel elever som spiser skolemåltidet",
                baseline=Decimal("55"),
                target=Decimal("85"),
                unit="prosent",
                owner="Rektorforum",
            ),
        ),
        started_days_ago=260,
        published_days_ago=240,
        moves=(
            Move(Phase.DIALOGUE, 200, "Behov og baseline er godkjent av oppvekstutvalget."),
            Move(Phase.COMPETITION, 120, "Konkurransegrunnlaget er klart."),
            Move(
                Phase.DIALOGUE,
                100,
                "Høringen viste at små lokale leverandører ikke kan levere til alle skoler. "
                "Vi deler i delkontrakter og tar en ny runde med markedet.",
            ),
        ),
        steps_done_in_current_phase=5,
    ),
    ProjectSpec(
        author="cobuyer",
        data=ProjectData(
            title="Ombruk av kontormøbler",
            need_statement=(
                "Kommunen trenger funksjonelle møbler til kontorer og skoler når bygg pusses opp, "
                "med lavest mulig klimafotavtrykk og uten at brukbare møbler kastes."
            ),
            affected_users="Ansatte, elever, eiendomsavdelingen, innkjøpsavdelingen.",
            problem_scenarios=(
                "Møbler kastes ved flytting og nye kjøpes inn. Lager for brukte møbler mangler."
            ),
            desired_effects="Mer ombruk, lavere kostnader og utslipp, færre møbler til avfall.",
            estimated_value=_nok("2800000.00"),
            nuts_region="NO084",
            planned_procedure=Procedure.SIMPLIFIED_NATIONAL,
            cpv_codes=("50850000", "39130000"),
        ),
        benefits=(
            BenefitData(
                category=BenefitCategory.PRICE,
                description="Lavere innkjøpskostnad for møbler",
                baseline=Decimal("3500000"),
                target=Decimal("1900000"),
                unit="NOK per år",
                owner="Innkjøpssjef",
                yearly_value=_nok("1600000.00"),
            ),
            BenefitData(
                category=BenefitCategory.OPERATING_COSTS,
                description="Andel møbler som ombrukes ved flytting",
                baseline=Decimal("10"),
                target=Decimal("70"),
                unit="prosent",
                owner="Eiendomssjef",
            ),
        ),
        started_days_ago=600,
        published_days_ago=590,
        moves=(
            Move(
                Phase.COMPETITION,
                500,
                "Markedet er godt kjent fra Oslo og Bergens konkurranser; vi hopper over egen "
                "markedsdialog og bruker deres erfaringer.",
            ),
            Move(Phase.CONTRACT, 400, "Kontrakt signert med Gjenbruk Interiør AS."),
        ),
        steps_done_in_current_phase=5,
        notes={"measure": "Første års måling: 58 % ombruk, 1,4 MNOK spart."},
    ),
    ProjectSpec(
        author="marte.haugland",
        data=ProjectData(
            title="Digitale medisindispensere for hjemmeboende pasienter",
            need_statement=(
                "Pasienter som bor hjemme og bruker mange legemidler trenger å få riktig medisin "
                "til riktig tid, og helsepersonell trenger å vite om en dose er tatt."
            ),
            affected_users=(
                "Pasienter med mange faste legemidler, pårørende, hjemmesykepleien, fastleger, "
                "sykehusets farmasøyter."
            ),
            problem_scenarios=(
                "Doser glemmes eller tas dobbelt. Hjemmesykepleien kjører ut bare for å dele ut "
                "medisin. Reinnleggelser skyldes feil legemiddelbruk."
            ),
            desired_effects="Færre feilmedisineringer og reinnleggelser, frigjort sykepleietid.",
            estimated_value=_nok("12000000.00"),
            nuts_region="NO0A1",
            planned_procedure=Procedure.NEGOTIATION,
            cpv_codes=("33190000", "48814000"),
        ),
        benefits=(
            BenefitData(
                category=BenefitCategory.BETTER_FOR_USERS,
                description="Reinnleggelser på grunn av feil legemiddelbruk",
                baseline=Decimal("140"),
                target=Decimal("90"),
                unit="innleggelser per år",
                owner="Klinikkdirektør medisinsk klinikk",
                yearly_value=_nok("3500000.00"),
            ),
        ),
        started_days_ago=330,
        published_days_ago=320,
        moves=(
            Move(Phase.DIALOGUE, 250, "Forankret i ledergruppen, baseline fra pasientregisteret."),
            Move(Phase.COMPETITION, 60, "Funksjonskrav klare etter høring av utkast."),
        ),
        steps_done_in_current_phase=3,
    ),
    ProjectSpec(
        author="olav.strand",
        data=ProjectData(
            title="Utslippsfri hurtigbåt i regionen",
            need_statement=(
                "Øysamfunnene trenger en pålitelig, rask og utslippsfri båtforbindelse til "
                "regionsenteret hele året, også i dårlig vær."
            ),
            affected_users="Pendlere, skoleelever, turister, fastboende på øyene, rederiet.",
            problem_scenarios=(
                "Dagens dieselbåter gir store utslipp og støy. Ladeinfrastruktur mangler i "
                "anløpshavnene. Værforhold gir innstilte avganger om vinteren."
            ),
            desired_effects="Null utslipp fra rutene, minst like god regularitet, lavere støy.",
            estimated_value=_nok("145000000.00"),
            nuts_region="NO071",
            planned_procedure=Procedure.INNOVATION_PARTNERSHIP,
            cpv_codes=("60600000", "34512100"),
        ),
        benefits=(
            BenefitData(
                category=BenefitCategory.OPERATING_COSTS,
                description="Lavere energikostnad per driftsår",
                baseline=Decimal("14500000"),
                target=Decimal("6000000"),
                unit="NOK per år",
                owner="Samferdselssjef",
                yearly_value=_nok("8500000.00"),
            ),
            BenefitData(
                category=BenefitCategory.TRANSFER_OTHERS,
                description="Utslipp fra hurtigbåtrutene",
                baseline=Decimal("5200"),
                target=Decimal("0"),
                unit="tonn CO2 per år",
                owner="Klimarådgiver",
            ),
        ),
        started_days_ago=900,
        published_days_ago=880,
        moves=(
            Move(Phase.DIALOGUE, 820, "Behovet er vedtatt i fylkestinget."),
            Move(Phase.COMPETITION, 700, "Innovasjonspartnerskap kunngjort."),
            Move(Phase.CONTRACT, 520, "Partnerskapsavtale signert med Havkraft Maritime AS."),
        ),
        steps_done_in_current_phase=3,
        notes={"development": "Fase 2 (prototyp) godkjent ved go/no-go-møtet."},
    ),
    # Three older cases whose contracts have run long enough to measure benefits over three
    # years (see CONTRACTS): a pilot bought at scale, a pilot waiting for its purchase, a PCP.
    ProjectSpec(
        author="buyer",
        data=ProjectData(
            title="Sensorstyrt tømming av avfallsbeholdere",
            need_statement=(
                "Kommunen trenger å tømme de nedgravde avfallsbeholderne når de er fulle, "
                "ikke etter en fast rute, slik at renovasjonsbilene kjører mindre og "
                "innbyggerne slipper overfylte containere."
            ),
            affected_users=(
                "Innbyggere i boligfelt og sentrum, renovasjonsarbeiderne, kundesenteret, "
                "naboer til containerplassene."
            ),
            problem_scenarios=(
                "Bilene tømmer halvfulle containere på faste dager, mens andre renner over før "
                "helgen. Kundesenteret får hundrevis av meldinger om søppel på bakken hvert år."
            ),
            desired_effects=(
                "Færre tømmeturer, mindre kjøring og utslipp, færre overfylte containere og "
                "en løsning andre kommuner kan ta i bruk."
            ),
            estimated_value=_nok("4200000.00"),
            nuts_region="NO0A2",
            planned_procedure=Procedure.NEGOTIATION,
            cpv_codes=("90511000", "34928480"),
        ),
        benefits=(
            BenefitData(
                category=BenefitCategory.OPERATING_COSTS,
                description="Færre tømminger med renovasjonsbil",
                baseline=Decimal("5200"),
                target=Decimal("2600"),
                unit="tømminger per år",
                owner="Leder for renovasjon",
                yearly_value=_nok("1800000.00"),
            ),
            BenefitData(
                category=BenefitCategory.BETTER_FOR_USERS,
                description="Meldinger om overfylte containere",
                baseline=Decimal("410"),
                target=Decimal("50"),
                unit="meldinger per år",
                owner="Leder for kundesenteret",
            ),
            BenefitData(
                category=BenefitCategory.TRANSFER_OTHERS,
                description="Andre kommuner som tar løsningen i bruk",
                baseline=Decimal("0"),
                target=Decimal("3"),
                unit="kommuner",
                owner="Innkjøpssjef",
                yearly_value=_nok("900000.00"),
            ),
        ),
        started_days_ago=1650,
        published_days_ago=1620,
        moves=(
            Move(Phase.DIALOGUE, 1540, "Behovet og baseline er forankret i teknisk utvalg."),
            Move(Phase.COMPETITION, 1420, "Dialogen viste tre mulige sensorløsninger."),
            Move(Phase.CONTRACT, 1290, "Pilotkontrakt signert med Fjellvind Sensor AS."),
        ),
        steps_done_in_current_phase=5,
        notes={"purchase": "Kjøpt til alle kommunens containere etter piloten."},
    ),
    ProjectSpec(
        author="marte.haugland",
        data=ProjectData(
            title="Digital hjemmeoppfølging av KOLS-pasienter",
            need_statement=(
                "Pasienter med alvorlig KOLS trenger å oppdage forverring tidlig og få hjelp "
                "hjemme, og sykehuset trenger å unngå akutte innleggelser som kunne vært "
                "forebygget."
            ),
            affected_users=(
                "Pasienter med KOLS og deres pårørende, lungeavdelingen, hjemmesykepleien i "
                "kommunene, fastleger."
            ),
            problem_scenarios=(
                "Forverring oppdages først når pasienten ringer 113. Mange innleggelser ender "
                "med lange liggetider. Hjemmesykepleien mangler oversikt over målinger."
            ),
            desired_effects=(
                "Færre akutte innleggelser og liggedøgn, tryggere pasienter og frigjort tid "
                "for sykepleierne."
            ),
            estimated_value=_nok("4800000.00"),
            nuts_region="NO0A1",
            planned_procedure=Procedure.NEGOTIATION,
            cpv_codes=("33195000", "85141000"),
        ),
        benefits=(
            BenefitData(
                category=BenefitCategory.BETTER_FOR_BUYER,
                description="Liggedøgn for KOLS-pasientene i oppfølgingen",
                baseline=Decimal("2100"),
                target=Decimal("1400"),
                unit="liggedøgn per år",
                owner="Klinikkdirektør medisinsk klinikk",
                yearly_value=_nok("6300000.00"),
            ),
            BenefitData(
                category=BenefitCategory.BETTER_FOR_USERS,
                description="Akutte innleggelser per pasient",
                baseline=Decimal("1.8"),
                target=Decimal("1.1"),
                unit="innleggelser per pasient per år",
                owner="Overlege ved lungeavdelingen",
            ),
        ),
        started_days_ago=1700,
        published_days_ago=1680,
        moves=(
            Move(Phase.DIALOGUE, 1600, "Forankret i ledergruppen, baseline fra pasientregisteret."),
            Move(Phase.COMPETITION, 1450, "Funksjonskravene er klare etter en-til-en-møtene."),
            Move(Phase.CONTRACT, 1330, "Pilotavtale signert med Nordlys Omsorgsteknologi AS."),
        ),
        # Development only: the pilot has not been bought (see CONTRACTS).
        steps_done_in_current_phase=1,
        notes={"development": "Piloten følges opp i kvartalsvise møter med leverandøren."},
    ),
    ProjectSpec(
        author="marte.haugland",
        data=ProjectData(
            title="Tidlig varsling av forverring hos inneliggende pasienter",
            need_statement=(
                "Inneliggende pasienter som blir dårligere trenger å bli oppdaget før det blir "
                "kritisk, også om natten når det er få sykepleiere på sengeposten."
            ),
            affected_users=(
                "Inneliggende pasienter, sykepleiere og leger på sengepostene, intensiv, pårørende."
            ),
            problem_scenarios=(
                "Vitale målinger tas manuelt hver fjerde time. Forverring mellom målingene "
                "oppdages sent, og pasienten må flyttes til intensiv."
            ),
            desired_effects=(
                "Raskere tiltak ved forverring, færre overflytninger til intensiv og tryggere "
                "netter på sengepostene."
            ),
            estimated_value=_nok("10500000.00"),
            nuts_region="NO0A1",
            planned_procedure=Procedure.PCP,
            cpv_codes=("73100000", "33195000"),
        ),
        benefits=(
            BenefitData(
                category=BenefitCategory.BETTER_FOR_USERS,
                description="Tid fra forverring til tiltak",
                baseline=Decimal("95"),
                target=Decimal("30"),
                unit="minutter (median)",
                owner="Fagdirektør",
            ),
            BenefitData(
                category=BenefitCategory.OPERATING_COSTS,
                description="Overflytninger til intensiv som kunne vært unngått",
                baseline=Decimal("160"),
                target=Decimal("110"),
                unit="overflytninger per år",
                owner="Klinikkdirektør kirurgisk klinikk",
                yearly_value=_nok("4000000.00"),
            ),
        ),
        started_days_ago=640,
        published_days_ago=620,
        moves=(
            Move(Phase.DIALOGUE, 560, "Ingen løsning på markedet; vi utforsker en PCP."),
            Move(
                Phase.COMPETITION,
                430,
                "FoU-konkurranse kunngjort etter unntaket for forskning og utvikling.",
            ),
            Move(Phase.CONTRACT, 335, "FoU-kontrakter signert med tre leverandører."),
        ),
        steps_done_in_current_phase=1,
    ),
)


# Building


@dataclass
class DemoResult:
    created: Counter[str] = field(default_factory=Counter)
    existing: Counter[str] = field(default_factory=Counter)


def _organisation(spec: OrgSpec, result: DemoResult) -> Organisation:
    # accounts has no action for creating organisations (staff do it in the admin); this is it.
    number = org_number(spec.number) if spec.number else ""
    key = {"org_number": number} if number else {"foreign_id": spec.foreign_id}
    organisation, created = Organisation.objects.get_or_create(
        **key,
        defaults={
            "kind": spec.kind,
            "name": spec.name,
            "country": spec.country,
            "nuts_region": spec.nuts_region,
            "email": spec.email,
            "central_government": spec.central_government,
        },
    )
    (result.created if created else result.existing)["organisations"] += 1
    return organisation


def _user(spec: UserSpec, organisations: dict[str, Organisation], result: DemoResult) -> User:
    existing = User.objects.filter(username=spec.username).first()
    if existing is not None:
        result.existing["users"] += 1
        return existing
    superuser = spec.username == "admin"
    user = User.objects.create_user(
        username=spec.username,
        email=spec.email,
        # None gives an unusable password: project authors who are not demo logins.
        password=DEMO_PASSWORD if spec.login else None,
        first_name=spec.first_name,
        last_name=spec.last_name,
        organisation=organisations[spec.org] if spec.org else None,
        role=spec.role,
        is_staff=superuser,
        is_superuser=superuser,
    )
    result.created["users"] += 1
    return user


PHASE_ORDER = list(Phase.values)


def _steps_to_tick(spec: ProjectSpec) -> list[str]:
    """Every step of the phases before the current one that the project went through, and the
    first few of the current phase. A skipped phase keeps its steps open."""
    visited = {Phase.NEED, *(move.to for move in spec.moves)}
    current = spec.moves[-1].to if spec.moves else Phase.NEED
    done_phases = {p for p in visited if PHASE_ORDER.index(p) < PHASE_ORDER.index(current)}
    keys = [step.key for step in STEPS if step.phase in done_phases]
    keys += [step.key for step in STEPS if step.phase == current][
        : spec.steps_done_in_current_phase
    ]
    return keys


def _admin_of(organisation: Organisation) -> User:
    return User.objects.filter(organisation=organisation, role=Role.BUYER_ADMIN).earliest("id")


def _project(
    spec: ProjectSpec,
    users: dict[str, User],
    organisations: dict[str, Organisation],
    now: datetime,
    result: DemoResult,
) -> Project:
    author = users[spec.author]
    if author.organisation is None:
        raise ValueError(f"The demo author {author.username} has no organisation.")
    existing = Project.objects.filter(lead_buyer=author.organisation, title=spec.data.title).first()
    if existing is not None:
        result.existing["projects"] += 1
        return existing

    project = actions.create_project(author, spec.data)
    for benefit in spec.benefits:
        actions.add_benefit(author, project, benefit)
    steps = {step.key: step for step in ProjectStep.objects.filter(project=project)}
    to_tick = _steps_to_tick(spec)
    for key in to_tick:
        actions.set_step(author, steps[key], done=True, note=spec.notes.get(key))
    if spec.published_days_ago is not None:
        actions.publish_project(author, project)
    for move in spec.moves:
        signed = SIGNED_COMPETITIONS.get(spec.data.title)
        if move.to == Phase.CONTRACT and signed is not None:
            # The contract this move records was won in a competition in Lupin, which is run
            # while the project is still in the competition phase (only then may one start).
            _title, build_competition = signed
            build_competition(project, users, now - timedelta(days=move.days_ago))
            project.refresh_from_db()
            if project.phase == Phase.CONTRACT:  # signing the contract moved the project on
                continue
        actions.move_phase(author, project, move.to, reason=move.reason)

    for org_key in spec.accepted_cobuyers + spec.pending_cobuyers:
        # Only the lead's admins invite, only the invited organisation's admins answer.
        inviter = _admin_of(author.organisation)
        invitation = actions.invite_cobuyer(inviter, project, organisations[org_key])
        if org_key in spec.accepted_cobuyers:
            actions.answer_invitation(_admin_of(organisations[org_key]), invitation, accept=True)

    _backdate(project, spec, to_tick, now)
    result.created["projects"] += 1
    return project


def _backdate(project: Project, spec: ProjectSpec, ticked: list[str], now: datetime) -> None:
    """Spread the history over months so the timeline looks like a real case.

    Only here and in `_set` does the demo write models directly: no action may rewrite history.
    The audit trail (ProjectEvent) is left as it is; it truthfully says when the demo was loaded.
    """

    def ago(days: int) -> datetime:
        return now - timedelta(days=days)

    started = ago(spec.started_days_ago)
    published = ago(spec.published_days_ago) if spec.published_days_ago is not None else None
    latest = min(
        [spec.started_days_ago, *(m.days_ago for m in spec.moves)]
        + ([spec.published_days_ago] if spec.published_days_ago is not None else [])
    )
    Project.objects.filter(pk=project.pk).update(
        created_at=started, published_at=published, updated_at=ago(latest)
    )
    ExpectedBenefit.objects.filter(project=project).update(created_at=started)
    transitions = PhaseTransition.objects.filter(project=project).order_by("id")
    for transition, move in zip(transitions, spec.moves, strict=True):
        PhaseTransition.objects.filter(pk=transition.pk).update(at=ago(move.days_ago))

    # Each ticked step was done in the weeks before the project left its phase (or lately, for
    # the phase it is in now), three days apart.
    phases = [Phase.NEED, *(move.to for move in spec.moves)]
    left = {phase: ago(move.days_ago) for phase, move in zip(phases, spec.moves, strict=False)}
    left[phases[-1]] = ago(1)
    for phase in PHASE_ORDER:
        keys = [key for key in ticked if BY_KEY[key].phase == phase]
        for position, key in enumerate(keys):
            done_at = max(left[phase] - timedelta(days=3 * (len(keys) - position)), started)
            ProjectStep.objects.filter(project=project, key=key).update(done_at=done_at)

    invitations = CoBuyerInvitation.objects.filter(project=project)
    invitations.filter(status=InvitationStatus.PENDING).update(invited_at=ago(10))
    invitations.filter(status=InvitationStatus.ACCEPTED).update(
        invited_at=started + timedelta(days=14), answered_at=started + timedelta(days=16)
    )


# Market dialogues: one open for registration, one under way (conference held, meetings to book,
# answers published, a question waiting) and one finished with minutes. Each is keyed by its
# project (a project has at most one dialogue) and built only when that project has none.

OSLO = ZoneInfo("Europe/Oslo")
CLIMATE = "Klimanøytrale anleggsplasser"
SNOW = "Snørydding med sensorer og sanntidsdata"
SCHOOL_MEALS = "Skolemat med mindre matsvinn"


def _at(now: datetime, days: int, hour: int, minute: int = 0) -> datetime:
    """`days` from now (negative: ago) at a wall-clock time in Oslo."""
    day = timezone.localtime(now, OSLO) + timedelta(days=days)
    return day.replace(hour=hour, minute=minute, second=0, microsecond=0)


def _workday(moment: datetime) -> datetime:
    """The Friday before, if `moment` falls on a weekend: meetings are held on weekdays."""
    while moment.weekday() >= 5:
        moment -= timedelta(days=1)
    return moment


def _set(obj: Model, **values: object) -> None:
    """Backdate one row. Like `_backdate`, the demo's only direct writes: no action may rewrite
    history, and the actions stamp everything with the moment the demo is loaded."""
    type(obj)._default_manager.filter(pk=obj.pk).update(**values)


def _set_published(dialogue: Dialogue, created: datetime, published: datetime) -> None:
    _set(dialogue, created_at=created, published_at=published)
    DialogueTransition.objects.filter(dialogue=dialogue, to_status=DialogueStatus.PUBLISHED).update(
        at=published
    )


def _set_answer(answer: Answer, published: datetime) -> None:
    # The deliveries move with the answer: every supplier got it at the same moment.
    _set(answer, published_at=published)
    Delivery.objects.filter(
        dialogue=answer.dialogue, kind=DeliveryKind.ANSWER, object_id=answer.pk
    ).update(delivered_at=published)


def _tick_dialogue_notice(author: User, project: Project, at: datetime) -> None:
    step = ProjectStep.objects.get(project=project, key="dialogue_notice")
    if not step.done:
        actions.set_step(author, step, done=True)
        _set(step, done_at=at)


def _open_dialogue(project: Project, users: dict[str, User], now: datetime) -> Dialogue:
    """Just published, registration open for three weeks, nobody registered yet."""
    buyer = users["buyer"]
    if project.phase == Phase.NEED:
        move = actions.move_phase(
            buyer,
            project,
            Phase.DIALOGUE,
            reason="Behovet og gevinstene er forankret; vi åpner for markedsdialog.",
        )
        _set(move, at=_at(now, -3, 9))
        Project.objects.filter(pk=project.pk).update(updated_at=_at(now, -3, 9))
        project.refresh_from_db()
    dialogue = dialogue_actions.create_dialogue(
        buyer,
        project,
        DialogueData(
            title="Markedsdialog: klimanøytrale anleggsplasser",
            need_summary=(
                "Kommunens bygge- og anleggsplasser skal bli fossilfrie og utslippsfrie innen "
                "2030. Vi trenger å forstå hva som skal til for å drive dem med elektriske "
                "maskiner når strømnettet på plassen er svakt, uten mer støy for naboene."
            ),
            asks=(
                "Meld dere på dialogen, kom på dialogkonferansen når vi kunngjør den, og send "
                "skriftlige innspill om lading, effektbehov og erfaringer fra andre byggeplasser."
            ),
            language=Language.NB,
            registration_deadline=_at(now, 21, 12),
            question_deadline=_at(now, 28, 12),
            input_deadline=_at(now, 35, 12),
            contact_name="Ingrid Fjeld",
            contact_email="ingrid.fjeld@fjordvik.example.org",
        ),
    )
    dialogue = dialogue_actions.publish_dialogue(buyer, dialogue)
    _set_published(dialogue, created=_at(now, -3, 10), published=_at(now, -2, 8))
    _tick_dialogue_notice(buyer, project, _at(now, -2, 8, 30))
    return dialogue


def _running_dialogue(project: Project, users: dict[str, User], now: datetime) -> Dialogue:
    """Published a month ago; the conference was held last week; first-come meetings in two
    weeks, booked by `supplier` and `rival`; two answers published, one question waiting."""
    buyer, supplier, rival = users["buyer2"], users["supplier"], users["rival"]
    dialogue = dialogue_actions.create_dialogue(
        buyer,
        project,
        DialogueData(
            title="Markedsdialog: snørydding med sensorer og sanntidsdata",
            need_summary=(
                "Vi vil brøyte og strø der og når det trengs, ikke etter faste ruter. Hvilke "
                "sensorer, data og avtaleformer kan gi farbare fortau tidlig om morgenen og "
                "dokumentert brøytekvalitet?"
            ),
            asks=(
                "Book et en-til-en-møte, still spørsmål skriftlig, og kommenter utkastet til "
                "behovsbeskrivelse innen fristen for innspill."
            ),
            language=Language.NB_EN,
            registration_deadline=_at(now, 10, 12),
            question_deadline=_at(now, 12, 12),
            input_deadline=_at(now, 24, 12),
            contact_name="Jonas Bakke",
            contact_email="jonas.bakke@fjordvik.example.org",
            meeting_mode=MeetingMode.FIRST_COME,
            meeting_minutes=60,
            break_minutes=15,
            booking_cutoff=_at(now, 13, 12),
        ),
    )
    dialogue = dialogue_actions.publish_dialogue(buyer, dialogue)
    registrations = [dialogue_actions.register(user, dialogue) for user in (supplier, rival)]

    # The conference is created ahead of time so the sign-ups pass the rules, then moved back.
    conference = dialogue_actions.save_conference(
        buyer,
        dialogue,
        ConferenceData(
            title="Digital dialogkonferanse om snørydding",
            description=(
                "Kommunen presenterer behovet og dagens brøytedata. Deretter korte innlegg fra "
                "vegavdelingen og legevakten, og spørsmål fra leverandørene."
            ),
            starts_at=_at(now, 1, 9),
            ends_at=_at(now, 1, 11, 30),
            place="Digitalt",
            video_link="https://video.fjordvik.example.org/dialog-snorydding",
            seats_per_organisation=3,
        ),
    )
    signups = [
        dialogue_actions.sign_up(supplier, conference, ["Sara Lund", "Ola Nordmann"]),
        dialogue_actions.sign_up(rival, conference, ["Henrik Dahl"]),
    ]

    question = dialogue_actions.ask_question(
        supplier,
        dialogue,
        "Kan dere dele brøyteloggene fra de tre siste vintrene, og i hvilket format?",
    )
    answer = dialogue_actions.answer_question(
        buyer,
        question,
        question_text="Kan kommunen dele brøyteloggene fra de siste vintrene?",
        answer_text=(
            "Ja. Loggene for vintrene 2022–2025 (GPS-spor og tidspunkter per rode) legges ut som "
            "CSV for alle påmeldte leverandører før en-til-en-møtene."
        ),
    )
    clarification = dialogue_actions.publish_clarification(
        buyer,
        dialogue,
        question_text="Spørsmål fra konferansen: må løsningen omfatte selve brøytingen?",
        answer_text=(
            "Nei. Vi er like interessert i løsninger som bare leverer sensordata og beslutnings"
            "støtte til dagens entreprenører, som i løsninger som omfatter hele driften."
        ),
    )
    waiting = dialogue_actions.ask_question(
        rival,
        dialogue,
        "Hvilke krav stiller dere til datalagring i Norge for sensordataene?",
    )

    slots = dialogue_actions.add_slots(
        buyer,
        dialogue,
        first_start=_workday(_at(now, 16, 9)),
        count=6,
        place="Rådhuset, møterom Fjorden (eller video)",
    )
    bookings = [
        dialogue_actions.book_slot(supplier, slots[1]),
        dialogue_actions.book_slot(rival, slots[3]),
    ]

    _set_published(dialogue, created=_at(now, -31, 10), published=_at(now, -30, 9))
    _set(registrations[0], registered_at=_at(now, -27, 13, 12))
    _set(registrations[1], registered_at=_at(now, -25, 8, 47))
    _set(signups[0], signed_up_at=_at(now, -20, 14, 5))
    _set(signups[1], signed_up_at=_at(now, -18, 9, 30))
    held = _workday(_at(now, -8, 9))
    _set(conference, starts_at=held, ends_at=held + timedelta(hours=2, minutes=30))
    _set(question, asked_at=_at(now, -12, 15, 20))
    _set_answer(answer, _at(now, -10, 11))
    _set_answer(clarification, _at(now, -7, 10))
    _set(waiting, asked_at=_at(now, -2, 16, 40))
    _set(bookings[0], booked_at=_at(now, -5, 8, 15))
    _set(bookings[1], booked_at=_at(now, -3, 12, 2))
    return dialogue


MINUTES = {
    "supplier": (
        "Nordlys presenterte en løsning med værdata og kameraløse sensorer i fortauskanten.\n\n"
        "Leverandøren har en pilot med en annen kommune og deler gjerne erfaringer derfra.\n\n"
        "Leverandøren anbefaler å dele kontrakten i sensorleveranse og beslutningsstøtte."
    ),
    "rival": (
        "Fjellvind viste temperaturfølere for veibanen og et eksempel på datadeling med "
        "entreprenører.\n\n"
        "Leverandøren mener tolv måneders pilot er nødvendig for å dokumentere effekt."
    ),
}


def _finished_dialogue(project: Project, users: dict[str, User], now: datetime) -> Dialogue:
    """Held three months ago: questions answered, two meetings with minutes, input received.

    The actions refuse deadlines and meetings in the past, so the dialogue is built with dates
    ahead, the meetings are moved back before the minutes are written, and the rest of the dates
    are moved back at the end."""
    buyer, supplier, rival = users["cobuyer"], users["supplier"], users["rival"]
    soon = _at(now, 1, 12)
    dialogue = dialogue_actions.create_dialogue(
        buyer,
        project,
        DialogueData(
            title="Ny markedsdialog: skolemat med mindre matsvinn",
            need_summary=(
                "Høringen viste at små lokale leverandører ikke kan levere til alle skoler. Vi "
                "vil forstå hvordan skolemat kan deles i delkontrakter som lokale aktører kan "
                "levere på, og hvordan matsvinnet kan måles."
            ),
            asks="Book et en-til-en-møte og send innspill til forslaget til delkontrakter.",
            language=Language.NB,
            registration_deadline=soon,
            question_deadline=soon,
            input_deadline=soon,
            contact_name="Per Solheim",
            contact_email="per.solheim@solberg.example.org",
            booking_cutoff=soon,
        ),
    )
    dialogue = dialogue_actions.publish_dialogue(buyer, dialogue)
    registrations = {
        name: dialogue_actions.register(users[name], dialogue) for name in ("supplier", "rival")
    }
    question = dialogue_actions.ask_question(
        rival, dialogue, "Kan en leverandør by på bare én skole, eller må vi dekke en hel krets?"
    )
    answer = dialogue_actions.answer_question(
        buyer,
        question,
        question_text="Kan en leverandør levere til bare én skole?",
        answer_text=(
            "Vi planlegger delkontrakter per skolekrets, men vurderer også enkeltskoler. "
            "Skriv gjerne i innspillet hva som er realistisk for dere."
        ),
    )
    slots = dialogue_actions.add_slots(buyer, dialogue, first_start=_at(now, 2, 9), count=3)
    bookings = {
        "supplier": dialogue_actions.book_slot(supplier, slots[0]),
        "rival": dialogue_actions.book_slot(rival, slots[1]),
    }
    written = dialogue_actions.submit_input(
        supplier,
        dialogue,
        title="Innspill til delkontrakter",
        text="Vi foreslår delkontrakter per skolekrets, med felles krav til måling av matsvinn.",
    )

    step = timedelta(minutes=dialogue.meeting_minutes + dialogue.break_minutes)
    for position, slot in enumerate(slots):
        start = _workday(_at(now, -72, 9)) + position * step
        _set(slot, starts_at=start, ends_at=start + dialogue.slot_length)
    minutes = {}
    for name, booking in bookings.items():
        booking = Booking.objects.select_related("slot", "dialogue").get(pk=booking.pk)
        minutes[name] = dialogue_actions.record_minutes(
            buyer, booking, text=MINUTES[name], actual_minutes=dialogue.meeting_minutes
        )
    # The supplier keeps its pilot customer to itself.
    dialogue_actions.mark_secrets(supplier, minutes["supplier"], [1])
    dialogue = dialogue_actions.finish_dialogue(buyer, dialogue)

    _set_published(dialogue, created=_at(now, -98, 10), published=_at(now, -97, 9))
    _set(
        dialogue,
        registration_deadline=_at(now, -80, 12),
        question_deadline=_at(now, -75, 12),
        input_deadline=_at(now, -60, 12),
        booking_cutoff=_at(now, -76, 12),
    )
    DialogueTransition.objects.filter(dialogue=dialogue, to_status=DialogueStatus.FINISHED).update(
        at=_at(now, -55, 14)
    )
    _set(registrations["supplier"], registered_at=_at(now, -95, 10, 30))
    _set(registrations["rival"], registered_at=_at(now, -93, 13))
    _set(question, asked_at=_at(now, -90, 9, 15))
    _set_answer(answer, _at(now, -88, 14))
    _set(bookings["supplier"], booked_at=_at(now, -85, 8))
    _set(bookings["rival"], booked_at=_at(now, -84, 11, 20))
    _set(minutes["supplier"], recorded_at=_at(now, -71, 15), secrets_marked_at=_at(now, -70, 9))
    _set(minutes["rival"], recorded_at=_at(now, -71, 15, 30))
    _set(written, submitted_at=_at(now, -64, 16))
    return dialogue


DIALOGUES = {
    CLIMATE: _open_dialogue,
    SNOW: _running_dialogue,
    SCHOOL_MEALS: _finished_dialogue,
}


def _dialogue(project: Project, users: dict[str, User], now: datetime, result: DemoResult) -> None:
    if Dialogue.objects.filter(project=project).exists():
        result.existing["dialogues"] += 1
        return
    DIALOGUES[project.title](project, users, now)
    result.created["dialogues"] += 1


# Competitions: one open for tenders, one whose deadline passed yesterday (awaiting the four-eyes
# opening) and one in evaluation, on the projects in the competition phase; and one awarded and
# signed, on the furniture project in the contract phase. Each is keyed by (project, title) and
# built only when missing.
#
# The actions refuse what the story needs in the past: a notice with a deadline shorter than the
# legal minimum, a tender after the deadline, an opening before it, a contract signed during the
# standstill. So each competition is played through the actions at today's date, in stages, and
# between the stages `_Story.shift` slides the whole competition back in time with queryset
# updates: every date of it moves by the same amount, so the events keep their order and their
# distance from each other. Like `_backdate`, these are the demo's only direct writes. A moved
# time of receipt gets its receipt hash recomputed, so every receipt still verifies. The audit
# log is not touched: it truthfully says when the demo was loaded, and its chain verifies.

DISPENSERS = "Digitale medisindispensere for hjemmeboende pasienter"
NIGHT = "Digitalt tilsyn om natten i hjemmetjenesten"
FURNITURE = "Ombruk av kontormøbler"

OPEN_COMPETITION = "Medisindispensere med varsling til hjemmesykepleien"
CLOSED_COMPETITION = "Nattilsyn: mottak av varsler og responstjeneste"
EVALUATION_COMPETITION = "Nattilsyn: sensorer og varsling i hjemmet"
AWARDED_COMPETITION = "Rammeavtale om ombruk av kontormøbler"

CRITERIA = (
    CriterionData(
        name="Pris",
        weight=Decimal(40),
        kind=CriterionKind.PRICE,
        description="Samlet pris for hele kontraktsperioden, med opsjoner, eks. mva.",
    ),
    CriterionData(
        name="Kvalitet",
        weight=Decimal(30),
        kind=CriterionKind.QUALITY,
        description="Hvor godt løsningen dekker behovene i kravspesifikasjonen.",
    ),
    CriterionData(
        name="Klima og miljø",
        weight=Decimal(30),
        kind=CriterionKind.ENVIRONMENT,
        description="Klimagassutslipp over livsløpet, reparasjon, ombruk og returordning.",
    ),
)
TENDER_DAYS = 31  # the notice to the tender deadline: FOA § 20-1 asks for 30 in part III


def _text_file(name: str, text: str) -> SimpleUploadedFile:
    """A small document made in memory (a text file is one of the accepted types)."""
    return SimpleUploadedFile(name, text.encode(), "text/plain")


def _receipt_hash(tender: Tender) -> str:
    """The receipt hash `submit_tender` gives this tender, at its (moved) time of receipt."""
    return competition_actions.receipt_hash_for(tender)


def _moved(queryset: QuerySet[Any], delta: timedelta, *names: str) -> None:
    queryset.update(**{name: F(name) + delta for name in names})  # a NULL date stays NULL


@dataclass
class _Story:
    """One competition played through the actions, slid back in time between the stages."""

    competition: Competition

    def tender(self, user: User, price: Decimal, *files: tuple[str, str]) -> Tender:
        uploads = [_text_file(name, text) for name, text in files]
        receipt = competition_actions.submit_tender(
            user, self.competition, uploads=uploads, price=price
        )
        return receipt.tender

    def shift(self, delta: timedelta) -> None:
        """Move every date of the competition by `delta` (negative: back in time)."""
        pk = self.competition.pk
        _moved(
            Competition.objects.filter(pk=pk),
            delta,
            "created_at",
            "announced_at",
            "request_deadline",
            "question_deadline",
            "last_answer_at",
            "tender_deadline",
            "opening_at",
            "opened_at",
            "awarded_at",
            "standstill_ends_at",
            "signed_at",
        )
        _moved(CompetitionTransition.objects.filter(competition_id=pk), delta, "at")
        _moved(CompetitionDocument.objects.filter(competition_id=pk), delta, "published_at")
        _moved(InterestedSupplier.objects.filter(competition_id=pk), delta, "registered_at")
        _moved(SealingKey.objects.filter(competition_id=pk), delta, "created_at")
        _moved(CompetitionAnswer.objects.filter(competition_id=pk), delta, "published_at")
        _moved(CompetitionQuestion.objects.filter(competition_id=pk), delta, "asked_at")
        _moved(Tender.objects.filter(competition_id=pk), delta, "received_at", "withdrawn_at")
        _moved(OpeningApproval.objects.filter(competition_id=pk), delta, "at")
        _moved(
            TeamMember.objects.filter(competition_id=pk),
            delta,
            "added_at",
            "declared_at",
            "scores_submitted_at",
        )
        _moved(ConsensusScore.objects.filter(tender__competition_id=pk), delta, "recorded_at")
        _moved(NegotiationRound.objects.filter(competition_id=pk), delta, "held_at")
        _moved(
            AwardDecision.objects.filter(competition_id=pk),
            delta,
            "decided_at",
            "standstill_ends_at",
            "signed_at",
        )
        for tender in Tender.objects.filter(competition_id=pk).select_related("competition"):
            _set(tender, receipt_hash=_receipt_hash(tender))
        self.competition.refresh_from_db()

    def slide(self, date: str, to: datetime) -> None:
        """Shift the competition so that its `date` (a field name) falls at `to`."""
        self.competition.refresh_from_db()
        moment = getattr(self.competition, date)
        if moment is None:
            raise ValueError(f"The competition has no {date} yet.")
        self.shift(to - moment)


def _announce(
    buyer: User,
    project: Project,
    *,
    title: str,
    description: str,
    value: str,
    reference: str,
    documents: tuple[tuple[str, str, str], ...],
) -> _Story:
    """A competition with the three award criteria and its documents, announced today with the
    tender deadline TENDER_DAYS ahead (at noon in Oslo, as the advisor's rules count days)."""
    deadline = _at(timezone.now(), TENDER_DAYS, 12)
    competition = competition_actions.create_competition(
        buyer,
        project,
        CompetitionData(
            title=title,
            description=description,
            procedure=Procedure.OPEN,
            estimated_value=Decimal(value),
            buyer_kind="other",
            purchase_kind="goods_services",
            question_deadline=deadline - timedelta(days=10),
            last_answer_at=deadline - timedelta(days=7),
            tender_deadline=deadline,
            opening_at=deadline + timedelta(hours=1),
            reference=reference,
        ),
    )
    for criterion in CRITERIA:
        setup_actions.add_criterion(buyer, competition, criterion)
    for document_title, name, text in documents:
        setup_actions.publish_document(
            buyer, competition, title=document_title, upload=_text_file(name, text)
        )
    return _Story(competition_actions.announce(buyer, competition))


def _grunnlag(summary: str) -> tuple[tuple[str, str, str], ...]:
    return (
        (
            "Konkurransegrunnlag",
            "konkurransegrunnlag.txt",
            f"{summary}\n\nProsedyre: åpen anbudskonkurranse (FOA del III).\n"
            "Tildelingskriterier: pris 40 %, kvalitet 30 %, klima og miljø 30 %.\n"
            "Tilbud leveres elektronisk i Lupin innen fristen.\n",
        ),
        (
            "Kravspesifikasjon",
            "kravspesifikasjon.txt",
            "1. Løsningen skal fungere uten kamera.\n"
            "2. Data lagres og behandles i EØS.\n"
            "3. Leverandøren tar tilbake utstyret ved kontraktens slutt.\n",
        ),
    )


def _score(member: User, competition: Competition, by_tender: dict[int, tuple[int, int]]) -> None:
    """The member's scores: (quality, environment) for each tender."""
    criteria = evaluation_actions.scored_criteria(competition)
    evaluation_actions.submit_scores(
        member,
        competition,
        {
            (tender, criterion.pk): (Decimal(score), "Se vurderingsnotatet.")
            for tender, scores in by_tender.items()
            for criterion, score in zip(criteria, scores, strict=True)
        },
    )


def _open_competition(project: Project, users: dict[str, User], now: datetime) -> Competition:
    """Announced ten days ago, deadline in three weeks; `rival` asked a question, answered to
    all; `supplier` has submitted a tender, and both follow the competition."""
    buyer, supplier, rival = users["marte.haugland"], users["supplier"], users["rival"]
    story = _announce(
        buyer,
        project,
        title=OPEN_COMPETITION,
        description=(
            "Helse Vestkyst HF skal kjøpe digitale medisindispensere til pasienter som bor "
            "hjemme, med varsling til hjemmesykepleien når en dose ikke er tatt. Kontrakten "
            "gjelder levering, drift og opplæring i fire år med opsjon på to år."
        ),
        value="9600000",
        reference="HVK 2026/114",
        documents=_grunnlag("Digitale medisindispensere med varsling til hjemmesykepleien."),
    )
    for user in (supplier, rival):
        competition_actions.register_interest(user, story.competition)
    story.shift(-timedelta(days=3))
    question = setup_actions.ask_question(
        rival,
        story.competition,
        "Må dispenseren kunne varsle over mobilnettet, eller holder det med wifi hjemme hos "
        "pasienten?",
    )
    setup_actions.answer_question(
        buyer,
        question,
        question_text="Må dispenseren kunne varsle uten wifi hos pasienten?",
        answer_text=(
            "Ja. Mange pasienter har ikke wifi. Dispenseren skal varsle over mobilnettet, med "
            "wifi som et mulig tillegg."
        ),
    )
    story.shift(-timedelta(days=4))
    story.tender(
        supplier,
        Decimal("8750000"),
        ("tilbudsbrev.txt", "Nordlys Omsorgsteknologi AS gir med dette tilbud."),
        ("losningsbeskrivelse.txt", "Dispenser med mobilvarsling og returordning."),
    )
    story.slide("tender_deadline", _at(now, 21, 12))
    return story.competition


def _closed_competition(project: Project, users: dict[str, User], now: datetime) -> Competition:
    """The deadline passed yesterday with two tenders in: waiting for two buyers to open."""
    buyer, supplier, rival = users["buyer"], users["supplier"], users["rival"]
    story = _announce(
        buyer,
        project,
        title=CLOSED_COMPETITION,
        description=(
            "Fjordvik kommune kjøper mottak av varsler fra sensorer hjemme hos brukerne om "
            "natten, og en responstjeneste som rykker ut når nattpatruljen ikke rekker frem."
        ),
        value="3200000",
        reference="FJV 2026/0212",
        documents=_grunnlag("Mottak av varsler og responstjeneste om natten."),
    )
    for user in (supplier, rival):
        competition_actions.register_interest(user, story.competition)
    story.shift(-timedelta(days=15))
    story.tender(rival, Decimal("2890000"), ("tilbud.txt", "Fjellvind Sensor AS: tilbud."))
    story.shift(-timedelta(days=10))
    story.tender(supplier, Decimal("3050000"), ("tilbud.txt", "Nordlys Omsorgsteknologi AS."))
    story.slide("tender_deadline", _at(now, -1, 12))
    competition_actions.close_due_competitions()
    # The scheduler closes a competition within a minute of its deadline; here it ran now.
    closed = story.competition.transitions.get(to_status=CompetitionStatus.CLOSED)
    _set(closed, at=story.competition.tender_deadline + timedelta(minutes=1))
    story.competition.refresh_from_db()
    return story.competition


def _evaluation_competition(project: Project, users: dict[str, User], now: datetime) -> Competition:
    """Opened eleven days ago by `buyer` and `buyer2`; `evaluator` declared no conflict and has
    submitted the scores; the consensus is still to be recorded."""
    buyer, colleague, evaluator = users["buyer"], users["buyer2"], users["evaluator"]
    supplier, rival = users["supplier"], users["rival"]
    story = _announce(
        buyer,
        project,
        title=EVALUATION_COMPETITION,
        description=(
            "Fjordvik kommune kjøper kameraløse sensorer som varsler nattpatruljen ved uro, fall "
            "eller at brukeren forlater boligen, med installasjon, drift og opplæring."
        ),
        value="5400000",
        reference="FJV 2026/0187",
        documents=_grunnlag("Sensorer og varsling i hjemmet om natten."),
    )
    for user in (supplier, rival):
        competition_actions.register_interest(user, story.competition)
    story.shift(-timedelta(days=12))
    rival_tender = story.tender(
        rival, Decimal("4400000"), ("tilbud.txt", "Fjellvind Sensor AS: tilbud på sensorer.")
    )
    story.shift(-timedelta(days=9))
    supplier_tender = story.tender(
        supplier,
        Decimal("4950000"),
        ("tilbudsbrev.txt", "Nordlys Omsorgsteknologi AS gir med dette tilbud."),
        ("prisskjema.txt", "Se pris i prisskjemaet i Lupin."),
    )
    # The team is set before the tenders are opened (Annex IV d: nobody joins afterwards).
    competition_actions.add_team_member(buyer, story.competition, evaluator)
    story.slide("opening_at", _at(timezone.now(), -1, 12))
    for approver in (buyer, colleague):
        competition_actions.approve_opening(approver, story.competition)
    competition_actions.declare_no_conflict(
        evaluator,
        story.competition,
        "Jeg har ingen bindinger til tilbyderne, verken økonomiske eller personlige.",
    )
    story.shift(-timedelta(days=5))
    _score(evaluator, story.competition, {supplier_tender.pk: (8, 6), rival_tender.pk: (6, 8)})
    story.slide("tender_deadline", _at(now, -12, 12))
    return story.competition


def _awarded_competition(project: Project, users: dict[str, User], contract_at: datetime) -> None:
    """The competition that gave the furniture contract: one tender, opened by two buyers,
    scored, awarded, and signed after the standstill, two days before the project moved on."""
    buyer, colleague, bidder = users["cobuyer"], users["kari.nilsen"], users["tone.berg"]
    story = _announce(
        buyer,
        project,
        title=AWARDED_COMPETITION,
        description=(
            "Solberg kommune inngår rammeavtale om ombruk, reparasjon og levering av brukte "
            "kontormøbler til kontorer og skoler, med henting av møbler som ikke lenger trengs."
        ),
        value="2600000",
        reference="SOL 2025/031",
        documents=_grunnlag("Rammeavtale om ombruk av kontormøbler."),
    )
    competition_actions.register_interest(bidder, story.competition)
    story.shift(-timedelta(days=20))
    tender = story.tender(
        bidder, Decimal("2380000"), ("tilbud.txt", "Gjenbruk Interiør AS: tilbud på rammeavtale.")
    )
    competition_actions.add_team_member(buyer, story.competition, colleague)
    story.slide("opening_at", _at(timezone.now(), -1, 12))
    for approver in (buyer, colleague):
        competition_actions.approve_opening(approver, story.competition)
    competition_actions.declare_no_conflict(
        colleague, story.competition, "Ingen bindinger til tilbyderen."
    )
    story.shift(-timedelta(days=6))
    _score(colleague, story.competition, {tender.pk: (8, 9)})
    for criterion, score in zip(
        evaluation_actions.scored_criteria(story.competition), (8, 9), strict=True
    ):
        evaluation_actions.record_consensus(
            buyer,
            story.competition,
            tender,
            criterion,
            Decimal(score),
            "Godt dokumentert ombruk og returordning; enige i evaluatorens vurdering.",
        )
    story.shift(-timedelta(days=2))
    evaluation_actions.decide_award(
        buyer,
        story.competition,
        tender,
        "Gjenbruk Interiør AS har det økonomisk mest fordelaktige tilbudet: en pris innenfor "
        "budsjettet, god kvalitet og dokumentert høy andel ombruk.",
    )
    # The standstill period must be over before the contract is signed.
    story.shift(-timedelta(days=13))
    evaluation_actions.sign_contract(buyer, story.competition)
    story.slide("signed_at", contract_at - timedelta(days=2))
    decision = AwardDecision.objects.select_related("competition", "signed_by").get(
        competition=story.competition
    )
    _award_contract(decision, users, timezone.localdate())


COMPETITIONS = {
    OPEN_COMPETITION: (DISPENSERS, _open_competition),
    CLOSED_COMPETITION: (NIGHT, _closed_competition),
    EVALUATION_COMPETITION: (NIGHT, _evaluation_competition),
}
# Built with their project, before it moves to the contract phase (see `_project`): a project
# an older demo made is left without one.
SIGNED_COMPETITIONS = {FURNITURE: (AWARDED_COMPETITION, _awarded_competition)}
DEMO_COMPETITIONS = [(project, title) for title, (project, _build) in COMPETITIONS.items()] + [
    (project, title) for project, (title, _build) in SIGNED_COMPETITIONS.items()
]


def _competition_keys() -> set[tuple[str, str]]:
    """(project title, competition title) of the demo competitions in the database."""
    titles = [title for _project, title in DEMO_COMPETITIONS]
    found = Competition.objects.filter(title__in=titles).values_list("project__title", "title")
    return set(found) & set(DEMO_COMPETITIONS)


def _competitions(projects: dict[str, Project], users: dict[str, User], now: datetime) -> None:
    for title, (project_title, build_it) in COMPETITIONS.items():
        project = projects[project_title]
        exists = Competition.objects.filter(project=project, title=title).exists()
        # A project moved on by hand in a development database gets no new competition.
        if not exists and project.phase == Phase.COMPETITION:
            build_it(project, users, now)


# Contracts and benefits. Signing the furniture award created its contract (as in Lupin); the
# other contracts are registered by hand, as for cases run outside Lupin:
# - a pilot of sensor-driven waste collection (Fjordvik): ended, bought at scale by Fjordvik and
#   then by Solberg (transfer value), benefits measured every year;
# - a pilot of digital home follow-up of COPD patients (Helse Vestkyst): ended and still waiting
#   for its purchase, benefits measured every year, one KPI without a baseline;
# - the innovation partnership for the zero-emission fast ferry (Nordkyst): both phases passed
#   their gates, but one performance level is not met, so the purchase option stays closed;
# - a PCP for early warning of deterioration (Helse Vestkyst): three suppliers designed, two
#   went on at the gate, their prototypes are running now.
# Then the programme's costs: yearly budgets and the support its advisor gave.
#
# Measurements fall in this year and the two before, on fixed days (never after today); every
# other date counts from the day the case entered the contract phase. Like the rest of the demo,
# the actions run today and `_set` moves the moments they stamp (entered, decided) back.

WASTE = "Sensorstyrt tømming av avfallsbeholdere"
COPD = "Digital hjemmeoppfølging av KOLS-pasienter"
DETERIORATION = "Tidlig varsling av forverring hos inneliggende pasienter"
FERRY = "Utslippsfri hurtigbåt i regionen"

WASTE_CONTRACT = "Pilot: sensorstyrt tømming av nedgravde containere"
COPD_CONTRACT = "Pilot: digital hjemmeoppfølging av KOLS-pasienter"
FERRY_CONTRACT = "Innovasjonspartnerskap: utslippsfri hurtigbåt"
PCP_CONTRACT = "Førkommersiell anskaffelse: tidlig varsling av forverring"


def _day(moment: datetime) -> date:
    return timezone.localtime(moment, OSLO).date()


def _noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=OSLO)


def _in_year(today: date, years_back: int, month: int, day: int) -> date:
    """That day of the year `years_back` before this one; today, if that day is still ahead."""
    return min(date(today.year - years_back, month, day), today)


def _contract_day(project: Project) -> date:
    """The day the case entered the contract phase: its contracts were signed two days before."""
    move = PhaseTransition.objects.filter(project=project, to_phase=Phase.CONTRACT).latest("at")
    signed = _day(move.at) - timedelta(days=2)
    while signed.weekday() >= 5:  # signed on a weekday
        signed -= timedelta(days=1)
    return signed


def _end_of(contract: Contract) -> date:
    if contract.ends_on is None:
        raise ValueError(f"The demo contract {contract} has no end date.")
    return contract.ends_on


@dataclass(frozen=True)
class Reading:
    """One measurement of a KPI, on a day of the year `years_back` before this one."""

    kpi: str  # the KPI's description
    years_back: int
    month: int
    day: int
    value: str
    source: str
    confidence: str = ConfidenceLevel.EXPECTED
    note: str = ""


def _measure(actor: User, contract: Contract, readings: tuple[Reading, ...], today: date) -> None:
    for reading in readings:
        kpi = contract.kpis.get(description=reading.kpi)
        measured_on = max(
            _in_year(today, reading.years_back, reading.month, reading.day), contract.signed_on
        )
        measurement = benefit_actions.record_measurement(
            actor,
            kpi,
            MeasurementData(
                value=Decimal(reading.value),
                unit=kpi.unit,
                measured_on=measured_on,
                source=reading.source,
                confidence=reading.confidence,
                note=reading.note,
            ),
        )
        _set(measurement, entered_at=_noon(measured_on) + timedelta(days=3))


def _register(
    actor: User,
    project: Project,
    suppliers: list[Organisation],
    *,
    title: str,
    kind: str,
    signed_on: date,
    term_days: int | None,
    value: str,
    reference: str,
    description: str,
    max_cost: str | None = None,
    is_pilot: bool = False,
) -> Contract:
    starts_on = signed_on + timedelta(days=14)
    contract = contract_actions.register_contract(
        actor,
        project,
        ContractData(
            title=title,
            kind=kind,
            signed_on=signed_on,
            starts_on=starts_on,
            ends_on=starts_on + timedelta(days=term_days) if term_days else None,
            value=Decimal(value),
            max_cost=Decimal(max_cost) if max_cost else None,
            reference=reference,
            description=description,
            is_pilot=is_pilot,
        ),
        suppliers,
    )
    _set(contract, created_at=_noon(signed_on))
    contract.refresh_from_db()
    return contract


def _waste_pilot(
    project: Project, users: dict[str, User], orgs: dict[str, Organisation], today: date
) -> None:
    """A year's pilot with Fjellvind, bought for every container in Fjordvik when it ended and
    by Solberg the year after: the benefits are measured every year since."""
    buyer, advisor = users["buyer"], users["advisor"]
    signed = _contract_day(project)
    contract = _register(
        buyer,
        project,
        [orgs["fjellvind"]],
        title=WASTE_CONTRACT,
        kind=ContractKind.ORDINARY,
        signed_on=signed,
        term_days=365,
        value="1450000",
        reference="FJV 2023/044",
        description=(
            "Fyllingsgradssensorer i 120 nedgravde containere, ruteplanlegging etter "
            "fyllingsgrad og opplæring av renovasjonsarbeiderne, i ett år."
        ),
        is_pilot=True,
    )
    contract_actions.end_pilot(buyer, contract, on=_end_of(contract))
    contract_actions.change_status(buyer, contract, ContractStatus.COMPLETED)
    own = contract_actions.record_scale_up(
        buyer,
        contract,
        organisation=orgs["fjordvik"],
        decided_on=_end_of(contract) + timedelta(days=45),
        scope="Sensorer og ruteplanlegging for alle 640 nedgravde containere i kommunen.",
        value=Decimal("5800000"),
    )
    transfer = contract_actions.record_scale_up(
        advisor,
        contract,
        organisation=orgs["solberg"],
        decided_on=_end_of(contract) + timedelta(days=290),
        scope="Solberg kommune kjøpte samme løsning til sine 310 containere.",
        value=Decimal("2900000"),
    )
    for scale_up in (own, transfer):
        _set(scale_up, recorded_at=_noon(scale_up.decided_on) + timedelta(days=7))
    source = "Kjørelogg fra renovasjonsbilene (fagsystemet)"
    messages = "Kundesenterets saksstatistikk"
    trips, complaints = "Færre tømminger med renovasjonsbil", "Meldinger om overfylte containere"
    towns = "Andre kommuner som tar løsningen i bruk"
    _measure(
        buyer,
        contract,
        (
            Reading(trips, 2, 11, 30, "3900", source, note="Første hele år etter piloten."),
            Reading(complaints, 2, 11, 30, "220", messages),
            Reading(trips, 1, 11, 30, "3000", source, ConfidenceLevel.HIGH),
            Reading(complaints, 1, 11, 30, "95", messages, ConfidenceLevel.HIGH),
            Reading(towns, 1, 12, 15, "1", "Solberg kommunes kontrakt", ConfidenceLevel.HIGH),
            Reading(trips, 0, 10, 31, "2700", source, ConfidenceLevel.HIGH),
            Reading(complaints, 0, 10, 31, "70", messages, ConfidenceLevel.HIGH),
            Reading(towns, 0, 10, 31, "1", "Solberg kommunes kontrakt", ConfidenceLevel.HIGH),
        ),
        today,
    )


def _copd_pilot(
    project: Project, users: dict[str, User], orgs: dict[str, Organisation], today: date
) -> None:
    """A pilot extended by a year, ended this spring, and waiting for the hospital to buy the
    service at scale; nurses' time was never counted before the pilot (no baseline)."""
    buyer = users["marte.haugland"]
    signed = _contract_day(project)
    contract = _register(
        buyer,
        project,
        [orgs["nordlys"]],
        title=COPD_CONTRACT,
        kind=ContractKind.ORDINARY,
        signed_on=signed,
        term_days=730,
        value="4600000",
        reference="HVK 2023/052",
        description=(
            "Nettbrett og målere for oksygenmetning og puls hjemme hos 150 pasienter, "
            "oppfølging fra lungeavdelingen og varsling til hjemmesykepleien."
        ),
        is_pilot=True,
    )
    extension = contract_actions.add_option(
        buyer,
        contract,
        kind=OptionKind.EXTENSION,
        description="Forlengelse av piloten med ett år mens gevinstene dokumenteres.",
        value=Decimal("1900000"),
        extends_to=_end_of(contract) + timedelta(days=365),
    )
    contract_actions.exercise_option(
        buyer,
        extension,
        on=_end_of(contract) - timedelta(days=60),
    )
    benefit_actions.add_kpi(
        buyer,
        contract,
        KpiData(
            category=BenefitCategory.OPERATING_COSTS,
            description="Frigjort sykepleiertid i hjemmesykepleien",
            unit="timer per uke",
            target=Decimal("120"),
            owner="Avdelingsleder hjemmesykehuset",
            yearly_value=Decimal("1500000"),
            confidence=ConfidenceLevel.LOW,
        ),
    )
    days, admissions = (
        "Liggedøgn for KOLS-pasientene i oppfølgingen",
        "Akutte innleggelser per pasient",
    )
    register = "Pasientadministrativt system (DIPS), uttrekk for pilotpasientene"
    hours = "Frigjort sykepleiertid i hjemmesykepleien"
    _measure(
        buyer,
        contract,
        (
            Reading(days, 2, 12, 15, "1850", register),
            Reading(admissions, 2, 12, 15, "1.5", register),
            Reading(days, 1, 12, 15, "1650", register, ConfidenceLevel.HIGH),
            Reading(admissions, 1, 12, 15, "1.3", register, ConfidenceLevel.HIGH),
            Reading(
                hours,
                1,
                12,
                15,
                "85",
                "Turnusplanen i hjemmesykepleien",
                ConfidenceLevel.LOW,
                "Tiden ble ikke registrert før piloten, så det finnes ingen baseline.",
            ),
            Reading(
                days,
                0,
                3,
                31,
                "1620",
                register,
                note="Første kvartal, omregnet til helår.",
            ),
            Reading(admissions, 0, 3, 31, "1.25", register),
            Reading(hours, 0, 3, 31, "95", "Turnusplanen i hjemmesykepleien", ConfidenceLevel.LOW),
        ),
        today,
    )
    contract_actions.end_pilot(buyer, contract, on=max(_in_year(today, 0, 3, 31), signed))


def _milestones(
    actor: User, phase: DevelopmentPhase, milestones: tuple[tuple[str, int, int | None], ...]
) -> None:
    """(title, due, reached) in days after the contract was signed; None: not reached yet."""
    signed = phase.contract.signed_on
    for title, due, reached in milestones:
        milestone = contract_actions.add_milestone(
            actor, phase, title=title, due_on=signed + timedelta(days=due)
        )
        if reached is not None:
            contract_actions.reach_milestone(actor, milestone, on=signed + timedelta(days=reached))


def _gate(
    actor: User, phase: DevelopmentPhase, after_days: int, reasons: dict[str, tuple[str, str]]
) -> None:
    """The go/no-go for each supplier (by organisation name: outcome, reason), decided
    `after_days` after signing; a supplier told no-go left the contract that day."""
    contract = phase.contract
    decided = contract.signed_on + timedelta(days=after_days)
    choices = [
        GateChoice(party, *reasons[party.organisation.name])
        for party in contract_actions.active_suppliers(contract)
    ]
    for decision in contract_actions.decide_gate(actor, phase, choices):
        _set(decision, decided_at=_noon(decided))
        if decision.outcome == GateOutcome.NO_GO:
            _set(decision.supplier, left_on=decided)


def _ferry_partnership(
    project: Project, users: dict[str, User], orgs: dict[str, Organisation], today: date
) -> None:
    """Concept and prototype have passed their gates within the maximum cost, but the winter's
    regularity fell short of the agreed level: the purchase option stays closed, and says why."""
    buyer = users["olav.strand"]
    signed = _contract_day(project)
    contract = _register(
        buyer,
        project,
        [orgs["havkraft"]],
        title=FERRY_CONTRACT,
        kind=ContractKind.INNOVATION_PARTNERSHIP,
        signed_on=signed,
        term_days=None,
        value="40000000",
        max_cost="40000000",
        reference="NKF 2024/07",
        description=(
            "Utvikling av en utslippsfri hurtigbåt med ladeløsning i anløpshavnene, i to "
            "faser, med opsjon på kjøp av to fartøy når ytelsesnivåene er nådd."
        ),
    )
    levels = {
        name: contract_actions.add_performance_level(
            buyer, contract, name=name, unit=unit, direction=direction, required=Decimal(required)
        )
        for name, unit, direction, required in (
            ("Rekkevidde på én lading", "nautiske mil", Direction.AT_LEAST, "45"),
            ("Ladetid ved kai", "minutter", Direction.AT_MOST, "12"),
            ("Regularitet i vinterhalvåret", "prosent av avgangene", Direction.AT_LEAST, "99"),
        )
    }
    concept = contract_actions.add_phase(
        buyer,
        contract,
        kind=PhaseKind.DEVELOPMENT,
        name="Konsept, skrog og ladeløsning",
        starts_on=signed + timedelta(days=14),
        ends_on=signed + timedelta(days=170),
        max_cost=Decimal("9000000"),
    )
    contract_actions.start_phase(buyer, concept)
    _milestones(
        buyer,
        concept,
        (
            ("Konseptdesign godkjent av Sjøfartsdirektoratet", 120, 116),
            ("Ladeløsning for anløpshavnene valgt", 160, 165),
        ),
    )
    contract_actions.record_phase_cost(buyer, concept, Decimal("8400000"))
    _gate(
        buyer,
        concept,
        178,
        {
            "Havkraft Maritime AS": (
                GateOutcome.GO,
                "Konseptet når rekkevidde og ladetid i simuleringene, og kostnadsanslaget for "
                "prototypen er innenfor rammen.",
            )
        },
    )
    prototype = contract_actions.add_phase(
        buyer,
        contract,
        kind=PhaseKind.DEVELOPMENT,
        name="Prototyp og testseilas",
        starts_on=signed + timedelta(days=185),
        ends_on=signed + timedelta(days=480),
        max_cost=Decimal("31000000"),
    )
    contract_actions.start_phase(buyer, prototype)
    _milestones(
        buyer,
        prototype,
        (
            ("Prototypen sjøsatt", 300, 296),
            ("Testseilas gjennom vinterhalvåret", 440, 446),
            ("Sluttrapport fra testperioden", 478, 476),
        ),
    )
    contract_actions.record_phase_cost(buyer, prototype, Decimal("29600000"))
    for name, achieved in (
        ("Rekkevidde på én lading", "52"),
        ("Ladetid ved kai", "10.5"),
        ("Regularitet i vinterhalvåret", "97.6"),
    ):
        contract_actions.record_performance(
            buyer, levels[name], Decimal(achieved), on=signed + timedelta(days=476)
        )
    _gate(
        buyer,
        prototype,
        490,
        {
            "Havkraft Maritime AS": (
                GateOutcome.GO,
                "Rekkevidde og ladetid er dokumentert i testseilasen. Regulariteten må "
                "forbedres før kjøpsopsjonen kan utløses; leverandøren retter styringen av "
                "batteriene i kulde.",
            )
        },
    )
    emissions = "Utslipp fra hurtigbåtrutene"
    kpi = contract.kpis.get(description=emissions)
    measurement = benefit_actions.record_measurement(
        buyer,
        kpi,
        MeasurementData(
            value=Decimal("4700"),
            unit=kpi.unit,
            measured_on=signed + timedelta(days=476),
            source="Drivstoffregnskapet for rutene, med prototypen i testseilas",
            confidence=ConfidenceLevel.LOW,
            note="Prototypen gikk én av fire ruter i testperioden.",
        ),
    )
    _set(measurement, entered_at=_noon(signed + timedelta(days=480)))


def _deterioration_pcp(
    project: Project, users: dict[str, User], orgs: dict[str, Organisation], today: date
) -> None:
    """Three suppliers designed a solution; at the gate two went on to build prototypes, which
    run on two wards now; the test phase is planned."""
    buyer = users["marte.haugland"]
    signed = _contract_day(project)
    contract = _register(
        buyer,
        project,
        [orgs["nordlys"], orgs["fjellvind"], orgs["medidos"]],
        title=PCP_CONTRACT,
        kind=ContractKind.PCP,
        signed_on=signed,
        term_days=600,
        value="10500000",
        max_cost="10500000",
        reference="HVK 2025/019",
        description=(
            "FoU-tjenester i tre faser: løsningsdesign, prototyp og test på sengepost. "
            "Kjøp av en ferdig løsning blir en egen anskaffelse."
        ),
    )
    design = contract_actions.add_phase(
        buyer,
        contract,
        kind=PhaseKind.SOLUTION_DESIGN,
        name="Løsningsdesign",
        starts_on=signed + timedelta(days=14),
        ends_on=signed + timedelta(days=104),
        max_cost=Decimal("2700000"),
    )
    contract_actions.start_phase(buyer, design)
    _milestones(buyer, design, (("Løsningsdesign levert fra alle tre", 100, 98),))
    contract_actions.record_phase_cost(buyer, design, Decimal("2550000"))
    _gate(
        buyer,
        design,
        110,
        {
            "Nordlys Omsorgsteknologi AS": (
                GateOutcome.GO,
                "Trådløse sensorer uten ledninger til pasienten; tydelig plan for integrasjon "
                "med kurve og journal.",
            ),
            "Medidos Sverige AB": (
                GateOutcome.GO,
                "Godt dokumentert varslingsmodell, utprøvd i Sverige; realistisk plan for "
                "prototypen.",
            ),
            "Fjellvind Sensor AS": (
                GateOutcome.NO_GO,
                "Designet forutsetter sensorer som ennå ikke er CE-merket som medisinsk utstyr, "
                "og veien til godkjenning er lengre enn prosjektets tidsplan.",
            ),
        },
    )
    prototype = contract_actions.add_phase(
        buyer,
        contract,
        kind=PhaseKind.PROTOTYPE,
        name="Prototyp på to sengeposter",
        starts_on=signed + timedelta(days=120),
        ends_on=signed + timedelta(days=400),
        max_cost=Decimal("4800000"),
    )
    contract_actions.start_phase(buyer, prototype)
    _milestones(
        buyer,
        prototype,
        (
            ("Prototypene installert på medisinsk og kirurgisk sengepost", 240, 236),
            ("Klinisk evaluering av prototypene", 380, None),
        ),
    )
    contract_actions.record_phase_cost(buyer, prototype, Decimal("3100000"))
    contract_actions.add_phase(
        buyer,
        contract,
        kind=PhaseKind.TEST,
        name="Test i ordinær drift",
        starts_on=signed + timedelta(days=410),
        ends_on=signed + timedelta(days=590),
        max_cost=Decimal("3000000"),
    )
    kpi = contract.kpis.get(description="Tid fra forverring til tiltak")
    measurement = benefit_actions.record_measurement(
        buyer,
        kpi,
        MeasurementData(
            value=Decimal("70"),
            unit=kpi.unit,
            measured_on=signed + timedelta(days=300),
            source="Journalgjennomgang på de to sengepostene med prototyp",
            confidence=ConfidenceLevel.LOW,
        ),
    )
    _set(measurement, entered_at=_noon(signed + timedelta(days=303)))


def _furniture_contract(contract: Contract, users: dict[str, User], today: date) -> None:
    """The framework agreement runs two years with an extension option; an additional delivery
    was ordered; the first year's benefits are measured."""
    buyer = users["cobuyer"]
    contract_actions.update_contract(
        buyer,
        contract,
        ContractData(
            title=contract.title,
            kind=contract.kind,
            signed_on=contract.signed_on,
            starts_on=contract.starts_on,
            ends_on=contract.starts_on + timedelta(days=730),
            value=contract.value,
            reference=contract.reference,
            description=contract.description,
        ),
    )
    contract_actions.add_option(
        buyer,
        contract,
        kind=OptionKind.EXTENSION,
        description="Forlengelse med ett år.",
        value=Decimal("1200000"),
        extends_to=contract.starts_on + timedelta(days=1095),
    )
    schools = contract_actions.add_option(
        buyer,
        contract,
        kind=OptionKind.ADDITIONAL,
        description="Ombrukte møbler til to skoler som pusses opp.",
        value=Decimal("450000"),
    )
    contract_actions.exercise_option(
        buyer, schools, on=min(contract.signed_on + timedelta(days=200), today)
    )
    a_year_on = min(contract.signed_on + timedelta(days=365), today)
    for description, value in (
        ("Lavere innkjøpskostnad for møbler", "2100000"),
        ("Andel møbler som ombrukes ved flytting", "58"),
    ):
        kpi = contract.kpis.get(description=description)
        measurement = benefit_actions.record_measurement(
            buyer,
            kpi,
            MeasurementData(
                value=Decimal(value),
                unit=kpi.unit,
                measured_on=a_year_on,
                source="Rammeavtalens årsrapport fra Gjenbruk Interiør AS",
                confidence=ConfidenceLevel.HIGH,
                note="Første års måling.",
            ),
        )
        _set(measurement, entered_at=_noon(a_year_on))


CONTRACTS = {
    WASTE: (WASTE_CONTRACT, _waste_pilot),
    COPD: (COPD_CONTRACT, _copd_pilot),
    FERRY: (FERRY_CONTRACT, _ferry_partnership),
    DETERIORATION: (PCP_CONTRACT, _deterioration_pcp),
}
# What follows the signing of a demo award: its contract's follow-up.
AWARD_CONTRACTS = {AWARDED_COMPETITION: _furniture_contract}


def _award_contract(decision: AwardDecision, users: dict[str, User], today: date) -> None:
    """The contract of a signed demo award (signing creates it; an older demo's award gets it
    now), dated the day of signing, and its follow-up."""
    if decision.signed_at is None or decision.signed_by is None:
        raise ValueError(f"The award of {decision.competition} is not signed.")
    contract = contract_actions.create_from_award(decision.signed_by, decision)
    # Signing stamped today; the demo moved the signing back (see `_Story.shift`).
    signed = _day(decision.signed_at)
    _set(contract, signed_on=signed, starts_on=signed, created_at=decision.signed_at)
    contract.refresh_from_db()
    AWARD_CONTRACTS[decision.competition.title](contract, users, today)


def _demo_contracts() -> QuerySet[Contract]:
    titles = [*CONTRACTS, *SIGNED_COMPETITIONS]
    return Contract.objects.filter(project__title__in=titles)


def _contracts(
    projects: dict[str, Project],
    users: dict[str, User],
    organisations: dict[str, Organisation],
    today: date,
) -> None:
    for project_title, (title, build_it) in CONTRACTS.items():
        project = projects[project_title]
        # A project moved on by hand in a development database gets no new contract.
        if project.phase == Phase.CONTRACT and not project.contracts.filter(title=title).exists():
            build_it(project, users, organisations, today)
    unsigned = AwardDecision.objects.filter(
        competition__title__in=list(AWARD_CONTRACTS),
        signed_at__isnull=False,
        contract__isnull=True,
    ).select_related("competition", "signed_by")
    for decision in unsigned:
        _award_contract(decision, users, today)


# Programme costs: (years back, month, day, partner, case or None, hours, other costs, what).
SUPPORT: tuple[tuple[int, int, int, str, str | None, int, int, str], ...] = (
    (3, 2, 20, "helse_vestkyst", COPD, 45, 15000, "Evalueringsmodell og gevinstplan for piloten"),
    (3, 3, 14, "fjordvik", WASTE, 60, 0, "Veiledning om konkurranse med forhandling"),
    (3, 9, 5, "fjordvik", None, 16, 8000, "Innkjøpsnettverk for kommunene i regionen"),
    (2, 9, 24, "nordkyst", FERRY, 80, 40000, "Innovasjonspartnerskap: faser og ytelsesnivåer"),
    (2, 10, 8, "fjordvik", WASTE, 20, 0, "Gevinstmåling etter piloten og plan for oppskalering"),
    (2, 11, 12, "helse_vestkyst", COPD, 25, 0, "Midtveisevaluering av piloten"),
    (1, 2, 11, "solberg", None, 12, 0, "Overføring av Fjordviks avfallsløsning til Solberg"),
    (1, 3, 18, "helse_vestkyst", DETERIORATION, 50, 25000, "PCP: faser og FoU-unntaket"),
    (1, 6, 3, "solberg", FURNITURE, 35, 0, "Konkurransegrunnlag med krav til ombruk"),
    (1, 11, 20, "nordkyst", FERRY, 40, 0, "Forberedelse av go/no-go etter konseptfasen"),
    (0, 2, 24, "helse_vestkyst", DETERIORATION, 30, 0, "Go/no-go etter løsningsdesign"),
    (0, 3, 4, "fjordvik", NIGHT, 60, 20000, "Markedsdialog om digitalt nattilsyn"),
    (0, 4, 15, "solberg", SCHOOL_MEALS, 20, 0, "Delkontrakter for lokale leverandører"),
    (0, 8, 19, "helse_vestkyst", DISPENSERS, 24, 0, "Funksjonskrav til medisindispensere"),
    (0, 11, 10, "nordkyst", FERRY, 30, 0, "Kjøpsopsjonen: dokumentasjon av regularitet"),
)
# The programme's own spending, this year and the three before (years back: NOK).
BUDGETS = {
    3: ("900000", "Lønn, nettverkssamlinger og reiser."),
    2: ("1000000", "Lønn, nettverkssamlinger og reiser."),
    1: ("1100000", "Lønn, nettverkssamlinger, reiser og to regionale rådgivere."),
    0: ("1200000", "Vedtatt budsjett; regnskapet kommer i januar."),
}


def _programme_costs(
    projects: dict[str, Project],
    users: dict[str, User],
    organisations: dict[str, Organisation],
    today: date,
) -> None:
    """Each entry is keyed by partner and what was done, each budget by its year."""
    advisor = users["advisor"]
    for years_back, (amount, note) in BUDGETS.items():
        year = today.year - years_back
        if not ProgrammeBudget.objects.filter(year=year).exists():
            budget = benefit_actions.set_budget(
                advisor, year=year, amount=Decimal(amount), note=note
            )
            _set(budget, entered_at=_noon(min(date(year, 12, 20), today)))
    for years_back, month, day, org_key, project_title, hours, other, text in SUPPORT:
        organisation = organisations[org_key]
        if SupportEntry.objects.filter(organisation=organisation, description=text).exists():
            continue
        given_on = _in_year(today, years_back, month, day)
        entry = benefit_actions.log_support(
            advisor,
            SupportData(
                organisation=organisation,
                project=projects[project_title] if project_title else None,
                given_on=given_on,
                description=text,
                hours=Decimal(hours),
                other_cost=Decimal(other),
            ),
        )
        _set(entry, entered_at=_noon(given_on) + timedelta(days=1))


def check_data() -> list[str]:
    """Problems in the demo data itself (a test asserts there are none)."""
    problems = []
    codes = cpv.all_codes()
    regions = nuts.regions()
    for org in ORGANISATIONS:
        if org.nuts_region and org.nuts_region not in regions:
            problems.append(f"{org.name}: unknown NUTS region {org.nuts_region}")
    for spec in PROJECTS:
        problems += [
            f"{spec.data.title}: unknown CPV code {code}"
            for code in spec.data.cpv_codes
            if code not in codes
        ]
        if spec.data.nuts_region not in regions:
            problems.append(f"{spec.data.title}: unknown NUTS region {spec.data.nuts_region}")
    return problems


@transaction.atomic
def build(now: datetime | None = None) -> DemoResult:
    """Create whatever part of the demo is missing; leave what exists untouched."""
    now = now or timezone.now()
    result = DemoResult()
    competitions_before = _competition_keys()
    contracts_before = _demo_contracts().count()
    organisations = {spec.key: _organisation(spec, result) for spec in ORGANISATIONS}
    users = {spec.username: _user(spec, organisations, result) for spec in USERS}
    projects = {
        spec.data.title: _project(spec, users, organisations, now, result) for spec in PROJECTS
    }
    for title in DIALOGUES:
        _dialogue(projects[title], users, now, result)
    _competitions(projects, users, now)
    competitions = _competition_keys()
    result.existing["competitions"] = len(competitions_before)
    result.created["competitions"] = len(competitions - competitions_before)
    today = timezone.localdate(now)
    _contracts(projects, users, organisations, today)
    result.existing["contracts"] = contracts_before
    result.created["contracts"] = _demo_contracts().count() - contracts_before
    _programme_costs(projects, users, organisations, today)
    # Open data at once, without waiting for the scheduler: the releases of every event so far,
    # and the bulk file the /opendata/ page links to.
    if publish.produce_releases():
        publish.write_bulk_file()
    return result
