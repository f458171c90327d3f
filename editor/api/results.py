"""GET /api/results/<uuid>: 1min.ai's polling call, for clients that sent `"async": true`.

The aiRecord is the one GET /api/features/<uuid> gives, with 1min.ai's statuses: PROCESSING
until the job ends, then SUCCESS or FAILURE. Another user's record is a 404, as everywhere.
"""

from __future__ import annotations

import uuid

from django.http import HttpRequest, JsonResponse

from accounts.models import Membership
from editor.api.http import api_view, not_found, records_for
from gallery.serializers import ai_record, polled, site_url


@api_view(("GET",))
def result(request: HttpRequest, membership: Membership, code: uuid.UUID) -> JsonResponse:
    record = records_for(membership).filter(code=code).first()
    if record is None:
        raise not_found()
    return JsonResponse({"aiRecord": polled(ai_record(record, site_url(request)))})
