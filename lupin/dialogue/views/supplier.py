from django.http import Http404, HttpRequest, HttpResponse


def register(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise Http404


def signup(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise Http404


def signup_cancel(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise Http404


def book(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise Http404


def cancel_booking(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise Http404


def request_slots(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise Http404


def meeting_ics(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise Http404


def ask(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise Http404


def written_input(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise Http404


def material_download(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise Http404


def my_minutes(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise Http404
