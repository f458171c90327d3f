def membership(request):
    return {
        "membership": getattr(request, "membership", None),
        "memberships": getattr(request, "memberships", []),
    }
