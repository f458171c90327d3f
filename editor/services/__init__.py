"""The edit engine's business steps: submit (validate, reserve, record, enqueue) and the job.

`submit` holds everything that happens in the request; `job` is what the worker runs.
"""

from editor.services.job import run_edit
from editor.services.preflight import preflight
from editor.services.submit import (
    EditRejected,
    estimate_cost,
    provider_catalogue,
    rerun,
    start_edit,
    start_edits_on_providers,
    upload_image,
)

__all__ = [
    "EditRejected",
    "estimate_cost",
    "preflight",
    "provider_catalogue",
    "rerun",
    "run_edit",
    "start_edit",
    "start_edits_on_providers",
    "upload_image",
]
