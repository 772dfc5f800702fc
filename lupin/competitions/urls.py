from django.urls import path

from lupin.competitions.views import buyer, evaluation, public, supplier

app_name = "competitions"

C = "competitions/<int:pk>/"

urlpatterns = [
    # Public: the notice and the tender documents (no login needed).
    path("competitions/", public.competition_list, name="list"),
    path("competitions/feed.atom", public.competition_feed, name="feed"),
    path(C, public.competition_detail, name="detail"),
    path(C + "documents/<int:document_pk>/", public.document_download, name="document_download"),
    # Suppliers.
    path(C + "follow/", supplier.follow, name="follow"),
    path(C + "questions/", supplier.ask, name="ask"),
    path(C + "tender/", supplier.tender, name="tender"),
    path(C + "tender/withdraw/", supplier.tender_withdraw, name="tender_withdraw"),
    path(C + "tenders/<int:tender_pk>/receipt/", supplier.receipt, name="receipt"),
    path(C + "tenders/mine/", supplier.my_tenders, name="my_tenders"),
    # The buyer setting up and running the competition.
    path("competitions/advisor/", buyer.advisor, name="advisor"),
    path("projects/<int:project_pk>/competition/new/", buyer.competition_create, name="create"),
    path(C + "edit/", buyer.competition_edit, name="edit"),
    path(C + "criteria/", buyer.criteria, name="criteria"),
    path(C + "qualification/", buyer.qualification, name="qualification"),
    path(C + "documents/", buyer.documents, name="documents"),
    path(C + "documents/<int:document_pk>/delete/", buyer.document_delete, name="document_delete"),
    path(C + "announce/", buyer.announce, name="announce"),
    path(C + "timeline/", buyer.timeline, name="timeline"),
    path(C + "cancel/", buyer.cancel, name="cancel"),
    path(C + "manage/", buyer.manage, name="manage"),
    path(C + "questions/<int:question_pk>/answer/", buyer.answer, name="answer"),
    path(C + "questions/<int:question_pk>/duplicate/", buyer.duplicate, name="duplicate"),
    path(C + "clarifications/new/", buyer.clarification, name="clarification"),
    # Opening, evaluation, award and contract.
    path(C + "opening/", evaluation.opening, name="opening"),
    path(C + "team/", evaluation.team, name="team"),
    path(C + "declaration/", evaluation.declaration, name="declaration"),
    path(C + "scoring/", evaluation.scoring, name="scoring"),
    path(C + "consensus/", evaluation.consensus, name="consensus"),
    path(C + "ranking/", evaluation.ranking, name="ranking"),
    path(C + "rounds/", evaluation.rounds, name="rounds"),
    path(C + "award/", evaluation.award, name="award"),
    path(C + "award/letter/<int:tender_pk>/", evaluation.award_letter, name="award_letter"),
    path(C + "sign/", evaluation.sign, name="sign"),
    path(
        C + "tenders/<int:tender_pk>/files/<int:file_index>/",
        evaluation.tender_file,
        name="tender_file",
    ),
]
