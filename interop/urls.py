from django.urls import path

from interop import views

app_name = "interop"

urlpatterns = [
    path("infobutton/", views.infobutton, name="infobutton"),
]
