from django.urls import path

from handouts import views

app_name = "handouts"

urlpatterns = [
    path("", views.handout_list, name="list"),
    path("new/<slug:slug>/<str:language>/", views.handout_new, name="new"),
    path(
        "new/<slug:slug>/<str:language>/condition/",
        views.packet_condition_block,
        name="packet_condition",
    ),
    path("changed/", views.handout_changed_list, name="changed"),
    path("<uuid:public_id>/", views.handout_detail, name="detail"),
    path("<uuid:public_id>/pdf/", views.handout_pdf, name="pdf"),
    path("<uuid:public_id>/print/", views.handout_print, name="print"),
    path("<uuid:public_id>/share/", views.handout_share, name="share"),
    path("<uuid:public_id>/share/revoke/", views.handout_revoke_link, name="revoke_link"),
    path("<uuid:public_id>/share/slip/", views.handout_access_slip, name="access_slip"),
    path(
        "preview/article/<int:article_id>/", views.article_preview_pdf, name="article_preview_pdf"
    ),
]
