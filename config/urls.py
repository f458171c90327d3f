from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("editor.api.urls")),
    path("accounts/", include("accounts.urls")),
    path("gallery/", include("gallery.urls")),
    path("", include("editor.urls")),
]
