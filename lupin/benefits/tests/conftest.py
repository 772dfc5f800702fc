"""Benefit fixtures on top of the shared cast (lupin/conftest.py)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from lupin.accounts.models import User
from lupin.benefits.actions import MeasurementData
from lupin.benefits.models import Kpi
from lupin.conftest import make_contract
from lupin.contracts.models import Contract
from lupin.projects import actions as project_actions
from lupin.projects.models import Project

PDF = b"%PDF-1.7\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Evidence files go to a fresh directory per test, never to the site's media."""
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def kpi(contract: Contract) -> Kpi:
    """The contract's KPI, copied from the case's benefit: 120 → 60 besøk per uke, 900 000 kr a
    year at the target, no baseline date."""
    return contract.kpis.get()


@pytest.fixture
def contract_with_cobuyer(
    buyer: User, cobuyer: User, published_project: Project, supplier_org
) -> Contract:
    """A contract made after the co-buyer accepted: the co-buyer is one of its buyers."""
    assert cobuyer.organisation is not None
    invitation = project_actions.invite_cobuyer(buyer, published_project, cobuyer.organisation)
    project_actions.answer_invitation(cobuyer, invitation, accept=True)
    return make_contract(buyer, published_project, [supplier_org])


def evidence_pdf(name: str = "rapport.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, "application/pdf")


def measurement_data(**overrides: object) -> MeasurementData:
    values: dict[str, object] = {
        "value": Decimal("90"),
        "unit": "besøk per uke",
        "measured_on": date(2024, 6, 1),
        "source": "Fagsystemet, ukesrapport",
    }
    values.update(overrides)
    return MeasurementData(**values)  # type: ignore[arg-type]
