"""The edit engine's business steps, by concern:

- params: each parameter checked against the model; the cost; EditRejected
- plan: plan_edit(), every check a submission must pass, writing nothing
- submit: store uploads, start edits (files, then credits and record in one transaction), rerun
- preflight: what each provider would receive, before any credit is spent
- job: what the worker runs, and every Record transition (claim, finish, fail, requeue, reap)
- prepare / results: the job's request going upstream and its results coming back
"""

from editor.services.job import run_edit
from editor.services.params import EditRejected, estimate_cost
from editor.services.plan import plan_edit
from editor.services.preflight import preflight
from editor.services.submit import (
    provider_catalogue,
    rerun,
    start_edit,
    start_edits_on_providers,
    upload_image,
)

__all__ = [
    "EditRejected",
    "estimate_cost",
    "plan_edit",
    "preflight",
    "provider_catalogue",
    "rerun",
    "run_edit",
    "start_edit",
    "start_edits_on_providers",
    "upload_image",
]
