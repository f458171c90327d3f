from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from accounts.models import ApiToken, CreditEntry, Membership, Team, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0


admin.site.register(User, UserAdmin)


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "created"]
    inlines = [MembershipInline]


@admin.register(CreditEntry)
class CreditEntryAdmin(admin.ModelAdmin):
    list_display = ["membership", "kind", "amount", "reference", "created"]
    list_filter = ["kind"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "prefix", "membership", "created", "last_used", "revoked"]
    readonly_fields = ["prefix", "digest"]
