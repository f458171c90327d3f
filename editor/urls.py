from django.urls import path

from editor import job_views, select_views, views
from editor.live import stream

app_name = "editor"
urlpatterns = [
    path("", views.home, name="home"),
    path("upload/", views.upload, name="upload"),
    path("edit/<uuid:code>/", views.edit, name="edit"),
    path("edit/<uuid:code>/select/", select_views.select_area, name="select"),
    path("generate/", views.generate, name="generate"),
    path("jobs/", views.submit, name="submit"),
    path("jobs/preflight/", views.preflight, name="preflight"),
    path("jobs/events/", stream.events, name="events"),
    path("jobs/<uuid:code>/", job_views.job_card, name="job_card"),
    path("jobs/<uuid:code>/rerun/", job_views.rerun, name="rerun"),
]
