from django.urls import path

from lupin.benefits.views import kpis, programme

app_name = "benefits"

K = "kpis/<int:pk>/"

urlpatterns = [
    # A KPI followed over time: public with its contract; changes by the contract's buyers.
    path(K, kpis.kpi_detail, name="kpi"),
    path(K + "edit/", kpis.kpi_edit, name="kpi_edit"),
    path(K + "measurements/new/", kpis.measurement_add, name="measurement_add"),
    path("contracts/<int:contract_pk>/kpis/new/", kpis.kpi_add, name="kpi_add"),
    path("measurements/<int:pk>/evidence/", kpis.evidence, name="evidence"),
    path("measurements/<int:pk>/withdraw/", kpis.measurement_withdraw, name="measurement_withdraw"),
    # The programme's costs, for its advisors.
    path("programme/costs/", programme.programme, name="programme"),
    path("programme/costs/budget/", programme.budget_set, name="budget_set"),
    path("programme/costs/support/", programme.support_add, name="support_add"),
]
