"""Saving a provider key re-reads that provider's model list (as a task, after the commit), so
the forms offer what the key can call. Anything the catalogue is made of changing clears the
models this process has read (editor.catalogue.models_for)."""

from django.core.signals import setting_changed
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from accounts.models import ProviderCredential
from editor.catalogue import forget_models
from editor.models import CatalogueModel, ModelListing
from editor.providers import PROVIDERS
from editor.tasks import refresh_models_task


@receiver(post_save, sender=CatalogueModel, dispatch_uid="editor.catalogue_saved")
@receiver(post_delete, sender=CatalogueModel, dispatch_uid="editor.catalogue_deleted")
@receiver(post_save, sender=ModelListing, dispatch_uid="editor.listing_saved")
@receiver(post_delete, sender=ModelListing, dispatch_uid="editor.listing_deleted")
@receiver(post_save, sender=ProviderCredential, dispatch_uid="editor.key_saved")
@receiver(post_delete, sender=ProviderCredential, dispatch_uid="editor.key_deleted")
@receiver(setting_changed, dispatch_uid="editor.setting_changed")
def catalogue_changed(**kwargs) -> None:
    forget_models()


@receiver(post_save, sender=ProviderCredential, dispatch_uid="editor.refresh_models_on_key")
def refresh_models_when_a_key_is_saved(sender, instance: ProviderCredential, **kwargs) -> None:
    cls = PROVIDERS.get(instance.provider)
    if cls is None or not cls.lists_models:
        return
    team_id, provider_id = instance.team_id, instance.provider
    transaction.on_commit(
        lambda: refresh_models_task.enqueue(team_id=team_id, provider_id=provider_id)
    )
