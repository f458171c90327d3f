from django.contrib import admin, messages
from django.shortcuts import redirect
from django.urls import path

from editor import discovery
from editor.models import CatalogueModel, ModelAlias, ModelListing


@admin.register(CatalogueModel)
class CatalogueModelAdmin(admin.ModelAdmin):
    list_display = ["provider", "model_id", "enabled", "updated"]
    list_filter = ["provider", "enabled"]
    search_fields = ["model_id"]


@admin.register(ModelListing)
class ModelListingAdmin(admin.ModelAdmin):
    """What each provider's own model list said; "Refresh models" reads it again now."""

    list_display = ["provider", "base_url", "model_count", "fetched", "tried", "error"]
    list_filter = ["provider"]
    readonly_fields = ["provider", "base_url", "listed", "fetched", "tried", "error"]
    actions = ["refresh_models"]
    change_list_template = "admin/editor/modellisting/change_list.html"

    def has_add_permission(self, request) -> bool:
        return False  # rows come from reading lists, never from typing

    @admin.display(description="models")
    def model_count(self, obj: ModelListing) -> str:
        return "no list" if obj.listed is None else str(len(obj.listed))

    @admin.action(description="Refresh models")
    def refresh_models(self, request, queryset) -> None:
        rows = [discovery.refresh_listing(row) for row in queryset]
        self._report(request, [r for r in rows if r.error], len(rows))

    def get_urls(self):
        extra = [
            path(
                "refresh-all/",
                self.admin_site.admin_view(self.refresh_all),
                name="editor_modellisting_refresh_all",
            )
        ]
        return extra + super().get_urls()

    def refresh_all(self, request):
        """Read the list at every base URL a key calls, new ones included (POST only)."""
        if request.method == "POST" and self.has_change_permission(request):
            count = discovery.refresh_model_lists()
            failed = ModelListing.objects.exclude(error="")
            self._report(request, list(failed), count)
        return redirect("admin:editor_modellisting_changelist")

    def _report(self, request, failed: list[ModelListing], count: int) -> None:
        self.message_user(request, f"Read {count} model list(s).", messages.SUCCESS)
        for row in failed:
            self.message_user(request, f"{row.base_url}: {row.error}", messages.WARNING)


@admin.register(ModelAlias)
class ModelAliasAdmin(admin.ModelAdmin):
    list_display = ["alias", "provider", "model", "enabled"]
    list_filter = ["provider", "enabled"]
    search_fields = ["alias", "model"]
