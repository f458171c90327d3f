from django.urls import path

from editor import api

app_name = "api"
urlpatterns = [
    path("assets", api.assets, name="assets"),
    path("features", api.features, name="features"),
    path("features/<uuid:code>", api.feature, name="feature"),
    path("providers", api.providers, name="providers"),
]
