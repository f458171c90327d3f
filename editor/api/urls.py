from django.urls import path, re_path

from editor.api import assets, features, masks, models, providers, records, results
from editor.api.http import unknown_path

app_name = "api"
urlpatterns = [
    path("assets", assets.assets, name="assets"),
    path("features", features.features, name="features"),
    path("features/<uuid:code>", records.feature, name="feature"),
    path("providers", providers.providers, name="providers"),
    path("models", models.models, name="models"),
    path("masks/select", masks.select, name="masks_select"),
    path("results/<uuid:code>", results.result, name="result"),
    re_path(r"^(?P<rest>.*)$", unknown_path),  # last: the rest of /api/ answers JSON 404
]
