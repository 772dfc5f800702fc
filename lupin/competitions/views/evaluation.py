from django.http import Http404, HttpRequest, HttpResponse


def opening(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise Http404


def team(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise Http404


def declaration(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise Http404


def scoring(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise Http404


def consensus(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise Http404


def ranking(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise Http404


def award(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise Http404


def award_letter(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise Http404


def sign(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise Http404


def rounds(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise Http404


def tender_file(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise Http404
