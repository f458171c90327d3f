from django.urls import path

from gallery import views

app_name = "gallery"
urlpatterns = [
    path("files/<uuid:code>", views.asset_file, name="file"),
    path("s/<str:token>", views.signed_file, name="signed_file"),
]
