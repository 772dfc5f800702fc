from django.http import Http404, HttpRequest, HttpResponse


def follow(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise Http404


def ask(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise Http404


def tender(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise Http404


def tender_withdraw(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise Http404


def receipt(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise Http404


def my_tenders(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise Http404
