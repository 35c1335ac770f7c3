import csv

from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from portal.http import AuthenticatedHttpRequest
from reports.dashboard import build_dashboard
from reports.forms import PeriodForm, with_default_period
from reports.tables import Table

VIEW_REPORTS = "reports.view_reports"


@never_cache
@login_required
@permission_required(VIEW_REPORTS, raise_exception=True)
def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    """What reached patients in a period: figures, charts and their tables; no patient is
    ever named. Dates that do not make a period get the form back with what is wrong."""
    form = PeriodForm(with_default_period(request.GET, timezone.localdate()))
    context: dict = {"form": form, "dashboard": None}
    if form.is_valid():
        context["dashboard"] = build_dashboard(form.period())
    return render(
        request, "reports/dashboard.html", context, status=200 if form.is_valid() else 400
    )


@never_cache
@login_required
@permission_required(VIEW_REPORTS, raise_exception=True)
def table_csv(request: AuthenticatedHttpRequest, table: str) -> HttpResponse:
    """One of the dashboard's tables as CSV: the same cells, small ones hidden alike."""
    form = PeriodForm(with_default_period(request.GET, timezone.localdate()))
    if not form.is_valid():
        return render(request, "reports/dashboard.html", {"form": form}, status=400)
    tables = build_dashboard(form.period()).tables
    if table not in tables:
        raise Http404
    period = form.period()
    filename = f"{table}-{period.first_day.isoformat()}-{period.last_day.isoformat()}.csv"
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    write_csv(tables[table], response)
    return response


# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def write_csv(table: Table, out: HttpResponse) -> None:
    writer = csv.writer(out)
    writer.writerow([_safe(str(table.first_column)), *(_safe(str(c)) for c in table.columns)])
    rows = [*table.rows, *([table.total] if table.total else [])]
    writer.writerows([[_safe(cell) for cell in row] for row in rows])


def _safe(cell: str) -> str:
    return f"'{cell}" if cell.startswith(FORMULA_STARTS) else cell
