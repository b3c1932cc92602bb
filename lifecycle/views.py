from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from lifecycle.access import get_use_case_for_user, use_cases_visible_to


def use_case_list(request: HttpRequest) -> HttpResponse:
    return render(request, "lifecycle/use_case_list.html", {"use_cases": use_cases_visible_to(request.user)})


def use_case_detail(request: HttpRequest, slug: str) -> HttpResponse:
    use_case = get_use_case_for_user(request.user, slug)
    return render(request, "lifecycle/use_case_detail.html", {"use_case": use_case})


def artifact_download(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    raise NotImplementedError
