from django.apps import AppConfig


class LupinConfig(AppConfig):
    """The project package itself: site-wide templates and management commands (serve, demo)."""

    name = "lupin"
    verbose_name = "Lupin"
