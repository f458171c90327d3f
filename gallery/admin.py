from django.contrib import admin

from gallery.models import Asset, Record, RecordImage


class RecordImageInline(admin.TabularInline):
    model = RecordImage
    extra = 0
    raw_id_fields = ["image", "raw", "thumbnail", "drift"]


@admin.register(Record)
class RecordAdmin(admin.ModelAdmin):
    list_display = ["code", "type", "provider", "model", "status", "user", "team", "created"]
    list_filter = ["status", "type", "provider"]
    search_fields = ["code", "prompt", "feedback"]
    raw_id_fields = ["source", "mask", "parent", "user", "membership", "team"]
    inlines = [RecordImageInline]


@admin.register(Asset)
class AssetAdmin(admin.ModelAdmin):
    list_display = ["code", "kind", "team", "owner", "content_type", "width", "height", "created"]
    list_filter = ["kind"]
