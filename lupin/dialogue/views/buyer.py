from django.http import Http404, HttpRequest, HttpResponse


def dialogue_create(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise Http404


def dialogue_edit(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise Http404


def dialogue_publish(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise Http404


def dialogue_finish(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise Http404


def dialogue_cancel(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise Http404


def manage(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise Http404


def conference_add(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise Http404


def conference_edit(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise Http404


def material_add(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise Http404


def slots(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise Http404


def slot_delete(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise Http404


def draw(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise Http404


def answer(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise Http404


def duplicate(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise Http404


def clarification(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise Http404


def minutes(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise Http404


def input_download(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise Http404
