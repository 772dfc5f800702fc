"""The accounts pages: my page and API tokens, supplier registration, login, password reset."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lupin.accounts import access, actions
from lupin.accounts.forms import (
    LoginForm,
    NewPasswordForm,
    QueuedPasswordResetForm,
    SupplierRegistrationForm,
    TokenForm,
)
from lupin.accounts.models import ApiToken, User
from lupin.projects import access as project_access
from lupin.projects.models import InvitationStatus


class AuthenticatedRequest(HttpRequest):
    """What `login_required` views receive: a request whose user is a real `User`."""

    user: User


def _home_context(
    user: User, token_form: TokenForm, new_token: tuple[ApiToken, str] | None = None
) -> dict[str, Any]:
    organisation = user.organisation
    buyer_org = organisation is not None and organisation.is_buyer
    return {
        "organisation": organisation,
        "projects": (
            project_access.projects_of_organisation(user)
            .select_related("lead_buyer")
            .order_by("-updated_at", "-id")
            if buyer_org
            else None
        ),
        "can_create_projects": project_access.can_create_projects(user),
        "invitations": project_access.invitations_for_user(user).filter(
            status=InvitationStatus.PENDING
        ),
        "can_see_portfolio": project_access.can_see_portfolio(user),
        "tokens": access.tokens_of_user(user),
        "token_form": token_form,
        "new_token": new_token[0] if new_token else None,
        "new_token_raw": new_token[1] if new_token else None,
    }


@login_required
def home(request: AuthenticatedRequest) -> HttpResponse:
    return render(request, "accounts/home.html", _home_context(request.user, TokenForm()))


@login_required
@require_POST
def token_create(request: AuthenticatedRequest) -> HttpResponse:
    """Creates a token and shows it on this response only: the raw token is never stored,
    not even in the session, so there is no redirect to carry it over."""
    user = request.user
    form = TokenForm(request.POST)
    if form.is_valid():
        try:
            token, raw = actions.create_api_token(user, user, form.cleaned_data["name"])
        except actions.AccountError as error:
            form.add_error(error.field, error.message)
        else:
            response = render(
                request,
                "accounts/home.html",
                _home_context(user, TokenForm(), new_token=(token, raw)),
            )
            add_never_cache_headers(response)
            return response
    return render(request, "accounts/home.html", _home_context(user, form))


@login_required
@require_POST
def token_revoke(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    token = access.get_token_for_user(request.user, pk)
    actions.revoke_api_token(request.user, token)
    messages.success(
        request, _("The token “%(name)s” is revoked and no longer works.") % {"name": token.name}
    )
    return redirect(reverse("accounts:home") + "#tokens")


def register(request: HttpRequest) -> HttpResponse:
    """Self-registration for suppliers; buyers and the programme are set up by staff."""
    if request.user.is_authenticated:
        return redirect("accounts:home")
    # Bound on every POST, even an empty one, so that it answers with its messages.
    form = SupplierRegistrationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            user = actions.register_supplier(form.registration())
        except actions.AccountError as error:
            form.add_error(error.field, error.message)
        else:
            auth_login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(
                request,
                _("Welcome to Lupin. %(organisation)s is registered and you are its admin.")
                % {"organisation": user.organisation},
            )
            return redirect("accounts:home")
    return render(request, "accounts/register.html", {"form": form})


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class PasswordResetView(auth_views.PasswordResetView):
    form_class = QueuedPasswordResetForm
    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = NewPasswordForm
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"
