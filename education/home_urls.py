"""The staff home at the site root. Mounted by the root URLconf without a namespace, so the
URL keeps its plain name `home`."""

from django.urls import path

from education import views

urlpatterns = [
    path("", views.home, name="home"),
]
