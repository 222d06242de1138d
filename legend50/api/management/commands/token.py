from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from legend50.api.models import ApiToken


class Command(BaseCommand):
    help = (
        "Manage API tokens: `token create USERNAME [--name N]`, `token list USERNAME`, `token revoke PREFIX`."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["create", "list", "revoke"])
        parser.add_argument("target", help="username (create, list) or token prefix (revoke)")
        parser.add_argument("--name", default="cli", help="a label for the new token")

    def handle(self, *args, action, target, name, **options):
        if action == "revoke":
            tokens = ApiToken.objects.active().filter(key_prefix=target)
            if not tokens.exists():
                raise CommandError(f"no active token starts with {target!r}")
            for token in tokens:
                token.revoke()
            self.stdout.write(f"revoked {tokens.count() or 'the'} token(s) {target}…")
            return
        try:
            user = get_user_model().objects.get(username=target)
        except get_user_model().DoesNotExist:
            raise CommandError(f"USERNAME: no user named {target!r}")
        if action == "create":
            _, raw = ApiToken.issue(user=user, name=name)
            # The secret alone on stdout, so scripts can capture it.
            self.stdout.write(raw)
        else:
            for token in ApiToken.objects.filter(user=user):
                state = "revoked" if token.revoked_at else "active"
                self.stdout.write(
                    f"{token.key_prefix}…  {token.name}  {state}  created {token.created_at:%Y-%m-%d}"
                )
