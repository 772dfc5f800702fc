import pytest

from lupin.conftest import add_benefit, make_project
from lupin.projects import actions
from lupin.projects.actions import ProjectError
from lupin.projects.lifecycle import Phase
from lupin.projects.models import PhaseTransition


def test_project_cannot_move_to_dialogue_without_a_benefit(buyer):
    project = make_project(buyer)
    with pytest.raises(ProjectError, match="expected benefit"):
        actions.move_phase(buyer, project, Phase.DIALOGUE)
    project.refresh_from_db()
    assert project.phase == Phase.NEED
    assert not PhaseTransition.objects.exists()


def test_project_cannot_move_to_dialogue_without_a_need_statement(buyer):
    project = make_project(buyer)
    add_benefit(buyer, project)
    project.need_statement = "  "
    project.save()
    with pytest.raises(ProjectError, match="Describe the need"):
        actions.move_phase(buyer, project, Phase.DIALOGUE)


def test_move_to_dialogue_records_who_when_from_and_to(buyer):
    project = make_project(buyer)
    add_benefit(buyer, project)
    move = actions.move_phase(buyer, project, Phase.DIALOGUE, reason="Klar for markedsdialog")
    project.refresh_from_db()
    assert project.phase == Phase.DIALOGUE
    assert (move.from_phase, move.to_phase, move.by, move.reason) == (
        Phase.NEED,
        Phase.DIALOGUE,
        buyer,
        "Klar for markedsdialog",
    )
    assert project.events.filter(verb="project.phase_moved").exists()


def test_moving_back_needs_a_reason(buyer):
    project = make_project(buyer)
    add_benefit(buyer, project)
    actions.move_phase(buyer, project, Phase.DIALOGUE)
    with pytest.raises(ProjectError, match="Say why"):
        actions.move_phase(buyer, project, Phase.NEED)
    actions.move_phase(buyer, project, Phase.NEED, reason="Behovet må avklares på nytt")
    project.refresh_from_db()
    assert project.phase == Phase.NEED


def test_no_jump_from_need_to_contract_without_a_registered_contract(buyer):
    project = make_project(buyer)
    add_benefit(buyer, project)
    with pytest.raises(ProjectError, match="Register the contract first"):
        actions.move_phase(buyer, project, Phase.CONTRACT, reason="hopp")
    project.refresh_from_db()
    assert project.phase == Phase.NEED


def test_competition_needs_a_chosen_procedure(buyer):
    project = make_project(buyer)
    add_benefit(buyer, project)
    actions.move_phase(buyer, project, Phase.DIALOGUE)
    with pytest.raises(ProjectError, match="procedure"):
        actions.move_phase(buyer, project, Phase.COMPETITION)
