from django.urls import path

from education import views

app_name = "education"

urlpatterns = [
    path("", views.library, name="library"),
    path("<slug:slug>/<str:language>/", views.article_detail, name="article"),
]
