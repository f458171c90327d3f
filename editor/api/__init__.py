"""The 1min.ai-compatible JSON API (design.md "JSON API"): request parsing and thin views.

Auth: header `API-KEY: <token>`. No cookies are read, so the views are CSRF-exempt. Anything
not the caller's is a 404. Business rules live in the services; records are serialised by
gallery.serializers and filtered and paged by gallery.forms/gallery.queries, as the gallery
pages are.
"""
