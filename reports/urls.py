from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("<slug:table>.csv", views.table_csv, name="csv"),
]
