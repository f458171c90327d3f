from django.core.management.base import BaseCommand, CommandError

from accounts import services
from accounts.models import User


class Command(BaseCommand):
    help = "Print a new API token for USERNAME on the last line (--create makes the user first)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--create",
            action="store_true",
            help="Create USERNAME as an ordinary user with a team of their own first.",
        )
        parser.add_argument("--name", default="command line", help="A label for the token.")

    def handle(self, username, create, name, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            if not create:
                raise CommandError(f"No user named {username!r}. Pass --create to make one.")
            membership = services.create_user_with_team(username, None)
            self.stderr.write(f"Created user {username} with a team of their own.")
        else:
            membership = services.active_memberships(user).first()
            if membership is None:
                raise CommandError(f"{username} has no active team membership.")
        _, token = services.create_api_token(membership, name)
        self.stdout.write(token)
