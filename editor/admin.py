from django.contrib import admin

from editor.models import CatalogueModel


@admin.register(CatalogueModel)
class CatalogueModelAdmin(admin.ModelAdmin):
    list_display = ["provider", "model_id", "enabled", "updated"]
    list_filter = ["provider", "enabled"]
    search_fields = ["model_id"]
