"""Saving a provider key re-reads that provider's model list (as a task, after the commit), so
the forms offer what the key can call."""

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from accounts.models import ProviderCredential
from editor.providers import PROVIDERS
from editor.tasks import refresh_models_task


@receiver(post_save, sender=ProviderCredential, dispatch_uid="editor.refresh_models_on_key")
def refresh_models_when_a_key_is_saved(sender, instance: ProviderCredential, **kwargs) -> None:
    cls = PROVIDERS.get(instance.provider)
    if cls is None or not cls.lists_models:
        return
    team_id, provider_id = instance.team_id, instance.provider
    transaction.on_commit(
        lambda: refresh_models_task.enqueue(team_id=team_id, provider_id=provider_id)
    )
