from django.http import Http404, HttpRequest, HttpResponse


def advisor(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise Http404


def competition_create(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise Http404


def competition_edit(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise Http404


def criteria(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise Http404


def qualification(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise Http404


def documents(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise Http404


def document_delete(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise Http404


def announce(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise Http404


def timeline(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise Http404


def manage(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise Http404


def answer(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise Http404


def duplicate(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise Http404


def clarification(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise Http404


def cancel(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise Http404
