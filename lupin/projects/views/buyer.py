from django.http import Http404, HttpRequest, HttpResponse


def project_create(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise Http404


def project_edit(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise Http404


def project_publish(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise Http404


def project_unpublish(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise Http404


def move_phase(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise Http404


def benefit_add(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise Http404


def benefit_edit(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise Http404


def benefit_delete(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise Http404


def roadmap(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise Http404


def step_update(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise Http404


def document_add(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise Http404


def document_download(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise Http404


def document_delete(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise Http404


def cobuyers(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise Http404


def invitation_answer(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise Http404


def cpv_search(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise Http404

