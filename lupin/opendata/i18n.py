"""Translations for the import modules, with or without Django.

Inside the web application, the worker and the tests, Django is set up: `gettext` is Django's, so
`translation.override()` and the request's language work as everywhere else. `lupin import-ocds`
runs without Django (see `lupin.opendata.import_cli`); there the same compiled catalogue
(`lupin/locale/<language>/LC_MESSAGES/django.mo`) is read with the standard library, in the
site's language, `LANGUAGE_CODE`, as Django's management commands would print it.
"""

from __future__ import annotations

import gettext as _stdlib
import sys
from functools import cache

from lupin import config


def _django_ready() -> bool:
    apps = sys.modules.get("django.apps")
    return apps is not None and apps.apps.ready


@cache
def _catalogue() -> _stdlib.NullTranslations:
    return _stdlib.translation(
        "django", str(config.LOCALE_DIR), languages=[config.LANGUAGE_CODE], fallback=True
    )


def gettext(message: str) -> str:
    if _django_ready():
        from django.utils.translation import gettext as django_gettext

        return django_gettext(message)
    return _catalogue().gettext(message)


def ngettext(singular: str, plural: str, number: int) -> str:
    if _django_ready():
        from django.utils.translation import ngettext as django_ngettext

        return django_ngettext(singular, plural, number)
    return _catalogue().ngettext(singular, plural, number)
