from django.http import Http404, HttpRequest, HttpResponse


def home(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise Http404


def project_list(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise Http404


def project_detail(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise Http404


def portfolio(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise Http404

