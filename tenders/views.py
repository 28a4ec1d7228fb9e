from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from tenders.selectors import accounts_for_user, firm_for_user


@login_required
def account_list(request: HttpRequest) -> HttpResponse:
    firm = firm_for_user(user=request.user)
    if firm is None and not request.user.is_staff:
        raise Http404("Not a representative of a firm.")
    accounts = accounts_for_user(user=request.user)
    page = Paginator(accounts, 25).get_page(request.GET.get("page"))
    return render(request, "tenders/account_list.html", {"firm": firm, "page": page})
