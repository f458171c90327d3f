"""Every user has a team of their own from the moment they exist.

A signal rather than a code path per entry point: Django's `createsuperuser`, the admin site's
add-user form and any future path all end in `User.save()`."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from accounts import services
from accounts.models import User


@receiver(post_save, sender=User, dispatch_uid="accounts.personal_team")
def give_new_users_a_team(sender, instance: User, created: bool, raw: bool, **kwargs) -> None:
    if created and not raw:  # fixtures (raw) bring their own teams
        services.give_personal_team(instance)
