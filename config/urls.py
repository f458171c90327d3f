from django.contrib import admin
from django.urls import include, path, re_path

from gallery.health import healthz
from gallery.views import result_key_file

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/", include("editor.api.urls")),
    path("accounts/", include("accounts.urls")),
    path("gallery/", include("gallery.urls")),
    # A result's key (aiRecord resultObject) as a URL, the way 1min.ai's asset host serves it.
    re_path(r"^assets/(?P<name>[^/]*)$", result_key_file, name="result_key"),
    path("", include("editor.urls")),
]

# JSON on /api/, the site's pages elsewhere (editor/api/errors.py).
handler400 = "editor.api.errors.bad_request"
handler403 = "editor.api.errors.permission_denied"
handler404 = "editor.api.errors.page_not_found"
handler500 = "editor.api.errors.server_error"
