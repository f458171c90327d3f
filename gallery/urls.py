from django.urls import path

from gallery import views

app_name = "gallery"
urlpatterns = [
    path("", views.record_list, name="list"),
    path("stats/", views.provider_stats, name="stats"),
    path("export.json", views.export_json, name="export_json"),
    path("export.zip", views.export_zip, name="export_zip"),
    path("compare/<uuid:code>/", views.source_compare, name="compare"),
    path("<uuid:code>/", views.record_detail, name="detail"),
    path("<uuid:code>/rating", views.record_rate, name="rate"),
    path("<uuid:code>/delete", views.record_delete, name="delete"),
    path("files/<uuid:code>", views.asset_file, name="file"),
    path("s/<str:token>", views.signed_file, name="signed_file"),
]
