from django.urls import path

from lupin.contracts.views import buyer, phases, public

app_name = "contracts"

C = "contracts/<int:pk>/"

urlpatterns = [
    # Anyone: the list and a contract's follow-up page.
    path("contracts/", public.contract_list, name="list"),
    path(C, public.contract_detail, name="detail"),
    # The buyers: the contract, its options, the purchase option, the pilot and its scale-ups.
    path("projects/<int:project_pk>/contracts/new/", buyer.register, name="register"),
    path(C + "edit/", buyer.edit, name="edit"),
    path(C + "status/", buyer.status, name="status"),
    path(C + "options/new/", buyer.option_add, name="option_add"),
    path(C + "options/<int:option_pk>/exercise/", buyer.option_exercise, name="option_exercise"),
    path(C + "purchase/", buyer.purchase, name="purchase"),
    path(C + "pilot/end/", buyer.pilot_end, name="pilot_end"),
    path(C + "scale-ups/new/", buyer.scale_up, name="scale_up"),
    # Development phases, milestones, gates and performance levels.
    path(C + "phases/new/", phases.phase_add, name="phase_add"),
    path(C + "phases/<int:phase_pk>/start/", phases.phase_start, name="phase_start"),
    path(C + "phases/<int:phase_pk>/cost/", phases.phase_cost, name="phase_cost"),
    path(C + "phases/<int:phase_pk>/milestones/new/", phases.milestone_add, name="milestone_add"),
    path(C + "phases/<int:phase_pk>/gate/", phases.gate, name="gate"),
    path(
        C + "milestones/<int:milestone_pk>/reach/", phases.milestone_reach, name="milestone_reach"
    ),
    path(C + "levels/new/", phases.level_add, name="level_add"),
    path(C + "levels/<int:level_pk>/", phases.level_record, name="level_record"),
]
