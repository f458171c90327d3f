from django.urls import path

from editor.api import assets, features, masks, providers, records

app_name = "api"
urlpatterns = [
    path("assets", assets.assets, name="assets"),
    path("features", features.features, name="features"),
    path("features/<uuid:code>", records.feature, name="feature"),
    path("providers", providers.providers, name="providers"),
    path("masks/select", masks.select, name="masks_select"),
]
