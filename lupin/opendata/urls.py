from django.urls import path

from lupin.opendata.views import notices, publication

app_name = "opendata"

urlpatterns = [
    # --- OCDS out: the open-data page and the bulk file of every release (views/publication.py)
    path("opendata/", publication.overview, name="overview"),
    path("opendata/releases.json", publication.bulk_file, name="bulk_file"),
    # --- end of OCDS out
    # --- notices: Lupin's projects and imported notices in one list (views/notices.py)
    path("notices/", notices.notice_list, name="notice_list"),
    path("notices/<int:pk>/", notices.notice_detail, name="notice_detail"),
    path("notices/<int:pk>/compiled.json", notices.notice_compiled, name="notice_compiled"),
    # --- end of notices
]
