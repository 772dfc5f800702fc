"""`lupin demo`: load the Norwegian demo dataset (see lupin/demo.py). Safe to run twice."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from lupin import demo
from lupin.accounts.models import Organisation, Role
from lupin.projects.models import Project


class Command(BaseCommand):
    help = "Load a realistic Norwegian demo dataset (users share the password 'demo')."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when the database already has any organisation.",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load even when LUPIN_DEBUG=0 (the demo users' password is the weak 'demo').",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and Organisation.objects.exists():
            self.stdout.write("The database already has data; the demo was not loaded.")
            return
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "Refusing to load the demo with LUPIN_DEBUG=0: every demo user has the shared, "
                f"weak password '{demo.DEMO_PASSWORD}', and 'admin' is a superuser. Use --force "
                "only on a server nobody else can reach."
            )
        problems = demo.check_data()
        if problems:
            raise CommandError("The demo data is inconsistent:\n" + "\n".join(problems))

        result = demo.build()

        things = ("organisations", "users", "projects", "dialogues", "competitions", "contracts")
        for thing in things:
            self.stdout.write(
                f"{thing.capitalize()}: {result.created[thing]} created, "
                f"{result.existing[thing]} already there."
            )
        phases = Counter(Project.objects.values_list("phase", flat=True))
        self.stdout.write(
            "Projects by phase: " + ", ".join(f"{p} {phases[p]}" for p in demo.PHASE_ORDER)
        )
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password: {demo.DEMO_PASSWORD}):")
        for spec in demo.LOGINS:
            where = next((o.name for o in demo.ORGANISATIONS if o.key == spec.org), "")
            role = str(Role(spec.role).label) if spec.role else "Superuser"
            self.stdout.write(f"  {spec.username:<10} {role:<16} {where}")
        self.stdout.write(self.style.SUCCESS("The demo is ready."))
