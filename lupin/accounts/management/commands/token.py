"""`lupin token create|list|revoke`: API tokens from the command line, for operators."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from lupin.accounts import actions
from lupin.accounts.models import ApiToken, User


def _when(value: Any) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M %Z") if value else "-"


class Command(BaseCommand):
    help = "Create, list and revoke a user's API tokens. A new token is printed once, never again."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
        create = commands.add_parser("create", help="Create a token and print it (only once).")
        create.add_argument("username")
        create.add_argument("--name", default="", help="What will use the token.")
        listing = commands.add_parser("list", help="List a user's tokens (never the tokens).")
        listing.add_argument("username")
        revoke = commands.add_parser("revoke", help="Revoke a token by its id (see `list`).")
        revoke.add_argument("token_id", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        command = options["command"]
        if command == "create":
            self._create(self._user(options["username"]), options["name"])
        elif command == "list":
            self._list(self._user(options["username"]))
        else:
            self._revoke(options["token_id"])

    def _user(self, username: str) -> User:
        try:
            return User.objects.get(username=username)
        except User.DoesNotExist:
            raise CommandError(_("No user with the username “%s”.") % username) from None

    def _create(self, user: User, name: str) -> None:
        # The operator acts for the user, as if the user made the token on their own page.
        try:
            token, raw = actions.create_api_token(user, user, name or _("Command line"))
        except actions.AccountError as error:
            raise CommandError(error.message) from None
        self.stderr.write(
            _("Created token %(id)s “%(name)s” for %(user)s. It is shown once; store it now:")
            % {"id": token.pk, "name": token.name, "user": user.username}
        )
        # Only the token on stdout, so that `TOKEN=$(lupin token create …)` works.
        self.stdout.write(raw)

    def _list(self, user: User) -> None:
        tokens = ApiToken.objects.filter(user=user)
        if not tokens:
            self.stdout.write(_("%s has no API tokens.") % user.username)
            return
        self.stdout.write(
            f"{'ID':>5}  {'NAME':<30} {'STARTS WITH':<14} {'CREATED':<22} {'LAST USED':<22} REVOKED"
        )
        for token in tokens:
            self.stdout.write(
                f"{token.pk:>5}  {token.name[:30]:<30} {token.hint + '…':<14} "
                f"{_when(token.created_at):<22} {_when(token.last_used_at):<22} "
                f"{_when(token.revoked_at)}"
            )

    def _revoke(self, token_id: int) -> None:
        try:
            token = ApiToken.objects.select_related("user").get(pk=token_id)
        except ApiToken.DoesNotExist:
            raise CommandError(_("No API token with the id %s.") % token_id) from None
        if token.revoked_at is not None:
            self.stdout.write(_("Token %s was already revoked.") % token_id)
            return
        actions.revoke_api_token(token.user, token)
        self.stdout.write(
            _("Revoked token %(id)s “%(name)s” of %(user)s.")
            % {"id": token.pk, "name": token.name, "user": token.user.username}
        )
