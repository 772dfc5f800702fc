from django.contrib import admin
from django.urls import include, path, re_path
from django.views.i18n import JavaScriptCatalog

from lupin.api import api, unknown_path
from lupin.health import healthz
from lupin.projects.views.public import home

urlpatterns = [
    path("", home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("admin/", admin.site.urls),
    path("accounts/", include("lupin.accounts.urls")),
    path("api/v1/", api.urls),
    re_path(r"^api/(?P<rest>.*)$", unknown_path),
    path("", include("lupin.notifications.urls")),
    path("", include("lupin.dialogue.urls")),
    path("", include("lupin.competitions.urls")),
    path("", include("lupin.contracts.urls")),
    path("", include("lupin.benefits.urls")),
    path("", include("lupin.benefits.effects.urls")),
    path("", include("lupin.opendata.urls")),
    path("", include("lupin.projects.urls")),
]
