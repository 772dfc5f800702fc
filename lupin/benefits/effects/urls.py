"""The effect report: pages, downloads and charts built from `lupin.benefits.report`."""

from django.urls import path, register_converter

from lupin.benefits.effects import views


class FormatConverter:
    """The download formats, so that /effects/effects.pdf is a 404 before any view runs."""

    regex = "|".join(views.FORMATS)

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(FormatConverter, "effects_format")

app_name = "effects"

urlpatterns = [
    path("effects/", views.report, name="report"),
    path("effects/drill/", views.drill, name="drill"),
    path("effects/effects.<effects_format:fmt>", views.download, name="download"),
    path("effects/partners/<int:org_pk>/", views.partner_report, name="partner"),
    path("effects/partners/<int:org_pk>/drill/", views.partner_drill, name="partner_drill"),
    path(
        "effects/partners/<int:org_pk>/effects.<effects_format:fmt>",
        views.partner_download,
        name="partner_download",
    ),
]
