from django.urls import path

from lupin.projects.views import buyer, public

app_name = "projects"

urlpatterns = [
    path("projects/", public.project_list, name="list"),
    path("projects/<int:pk>/", public.project_detail, name="detail"),
    path("portfolio/", public.portfolio, name="portfolio"),
    path("projects/new/", buyer.project_create, name="create"),
    path("projects/<int:pk>/edit/", buyer.project_edit, name="edit"),
    path("projects/<int:pk>/publish/", buyer.project_publish, name="publish"),
    path("projects/<int:pk>/unpublish/", buyer.project_unpublish, name="unpublish"),
    path("projects/<int:pk>/phase/", buyer.move_phase, name="move_phase"),
    path("projects/<int:pk>/benefits/new/", buyer.benefit_add, name="benefit_add"),
    path(
        "projects/<int:pk>/benefits/<int:benefit_pk>/edit/",
        buyer.benefit_edit,
        name="benefit_edit",
    ),
    path(
        "projects/<int:pk>/benefits/<int:benefit_pk>/delete/",
        buyer.benefit_delete,
        name="benefit_delete",
    ),
    path("projects/<int:pk>/roadmap/", buyer.roadmap, name="roadmap"),
    path("projects/<int:pk>/roadmap/<slug:key>/", buyer.step_update, name="step_update"),
    path("projects/<int:pk>/documents/", buyer.document_add, name="document_add"),
    path(
        "projects/<int:pk>/documents/<int:document_pk>/",
        buyer.document_download,
        name="document_download",
    ),
    path(
        "projects/<int:pk>/documents/<int:document_pk>/delete/",
        buyer.document_delete,
        name="document_delete",
    ),
    path("projects/<int:pk>/cobuyers/", buyer.cobuyers, name="cobuyers"),
    path("invitations/<int:pk>/answer/", buyer.invitation_answer, name="invitation_answer"),
    path("cpv/search/", buyer.cpv_search, name="cpv_search"),
]
