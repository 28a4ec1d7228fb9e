from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from tenders.selectors import firm_for_user


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send each kind of user where their work is."""
    if firm_for_user(user=request.user) is not None:
        return redirect("tenders:account_list")
    if request.user.is_staff:
        return redirect("admin:index")
    return render(request, "no_role.html", status=403)
