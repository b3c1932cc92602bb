from django.http import HttpRequest, HttpResponse


def request_list(request: HttpRequest) -> HttpResponse:
    raise NotImplementedError


def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    raise NotImplementedError


def review_queue(request: HttpRequest) -> HttpResponse:
    raise NotImplementedError


def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    raise NotImplementedError


def packet_list(request: HttpRequest) -> HttpResponse:
    raise NotImplementedError


def packet_detail(request: HttpRequest, packet_id: str) -> HttpResponse:
    raise NotImplementedError
