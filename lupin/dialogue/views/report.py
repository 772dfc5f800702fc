from django.http import Http404, HttpRequest, HttpResponse


def report(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise Http404


def report_csv(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise Http404
