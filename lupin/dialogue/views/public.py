from django.http import Http404, HttpRequest, HttpResponse


def dialogue_list(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise Http404


def dialogue_feed(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise Http404


def dialogue_detail(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise Http404


def deadlines_ics(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise Http404


def conference_ics(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise Http404


def lottery_record(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise Http404
