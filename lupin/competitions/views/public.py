from django.http import Http404, HttpRequest, HttpResponse


def competition_list(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise Http404


def competition_detail(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise Http404


def document_download(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise Http404


def competition_feed(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise Http404
