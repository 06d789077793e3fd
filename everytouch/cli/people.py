"""People and tokens: `createuser`, `users unlock`, `users two-factor-off`, `token create`,
`token list` and `token revoke`."""

from __future__ import annotations

import argparse
import getpass
import sys

from everytouch.cli_base import (
    EXIT_OK,
    Subcommands,
    UsageError,
    ValueFirstParser,
    command,
    find_user,
    no_handler,
    require_database,
)

# The values of accounts.models.Scope, spelt out: the parser is built before Django is set up.
SCOPES = ("read", "write", "admin")


def _read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if args.password is not None:
        return str(args.password)
    if not sys.stdin.isatty():
        raise UsageError("no password given: use --password, --password-stdin or a terminal")
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Password (again): "):
        raise UsageError("the two passwords differ")
    return first


def _validate_new_user(
    username: str, password: str, email: str, first_name: str = "", last_name: str = ""
) -> str:
    """Return the normalised e-mail; raise UsageError with every reason the input is refused."""
    from django.contrib.auth.models import User
    from django.contrib.auth.password_validation import validate_password
    from django.contrib.auth.validators import UnicodeUsernameValidator
    from django.core.exceptions import ValidationError

    from everytouch.customers.contacts import InvalidContact, normalise_email

    try:
        UnicodeUsernameValidator()(username)
        if max(len(username), len(first_name), len(last_name)) > 150:
            raise ValidationError("usernames and names are at most 150 characters")
        if User.objects.filter(username=username).exists():
            raise ValidationError(f"a user named {username!r} already exists")
        validate_password(password, User(username=username, email=email))
        return normalise_email(email) if email else ""
    except ValidationError as exc:
        raise UsageError("; ".join(exc.messages)) from None
    except InvalidContact as exc:
        raise UsageError(str(exc)) from None


def cmd_createuser(args: argparse.Namespace, extra: list[str]) -> int:
    require_database()
    from everytouch.accounts.actions import create_user
    from everytouch.accounts.models import Role

    password = _read_password(args)
    email = _validate_new_user(args.username, password, args.email, args.first_name, args.last_name)
    role = Role(args.role)
    create_user(
        args.username,
        password,
        role,
        email=email,
        first_name=args.first_name,
        last_name=args.last_name,
    )
    print(f"Created {role.label.lower()} {args.username}.")
    return EXIT_OK


def cmd_users_unlock(args: argparse.Namespace, extra: list[str]) -> int:
    require_database()
    from everytouch.accounts.throttle import unlock

    user = find_user(args.username)
    forgotten = unlock(user.username)
    print(f"Unlocked {user.username}: forgot {forgotten} record(s) of failed logins.")
    return EXIT_OK


def cmd_users_two_factor_off(args: argparse.Namespace, extra: list[str]) -> int:
    require_database()
    from everytouch.accounts.second_factor import confirmed_device, remove

    user = find_user(args.username)
    if confirmed_device(user) is None:
        raise UsageError(f"{user.username} has no second factor on")
    remove(user)
    print(f"Turned two-factor login off for {user.username}: they log in with the password.")
    return EXIT_OK


def cmd_token_create(args: argparse.Namespace, extra: list[str]) -> int:
    require_database()
    from everytouch.accounts.actions import issue_token
    from everytouch.accounts.models import DEFAULT_SCOPES, Scope

    user = find_user(args.username)
    if not 0 < len(args.name.strip()) <= 100:
        raise UsageError("give the token a name of 1 to 100 characters, e.g. 'phone system'")
    scopes = [Scope(s) for s in args.scopes] if args.scopes else DEFAULT_SCOPES
    token, raw = issue_token(user, args.name.strip(), scopes)
    print(raw)
    print(
        f"Token {token.name!r} (prefix {token.prefix}, scopes: {token.scopes}) for "
        f"{user.username}: store it now, it is not shown again.",
        file=sys.stderr,
    )
    return EXIT_OK


def cmd_token_list(args: argparse.Namespace, extra: list[str]) -> int:
    require_database()
    from everytouch.accounts.models import ApiToken

    tokens = ApiToken.objects.select_related("user").order_by("user__username", "created_at")
    if args.username is not None:
        tokens = tokens.filter(user=find_user(args.username))
    if not args.all:
        tokens = tokens.filter(revoked_at__isnull=True)
    for token in tokens:
        used = f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "never"
        state = " revoked" if token.revoked_at else ""
        print(
            f"{token.prefix}  {token.user.username}  {token.name!r}  scopes: {token.scopes}  "
            f"last used: {used}{state}"
        )
    return EXIT_OK


def cmd_token_revoke(args: argparse.Namespace, extra: list[str]) -> int:
    require_database()
    from everytouch.accounts.actions import revoke_token
    from everytouch.accounts.models import ApiToken

    if (args.prefix is None) == (args.prefix_option is None):
        raise UsageError("give the token's prefix once: `token revoke PREFIX` or `--prefix PREFIX`")
    given = args.prefix if args.prefix is not None else args.prefix_option
    prefix = given.removeprefix("et_")[:8]
    tokens = list(ApiToken.objects.filter(prefix=prefix, revoked_at__isnull=True))
    if not tokens:
        raise UsageError(f"no active token with prefix {prefix!r}")
    if len(tokens) > 1:
        raise UsageError(f"{len(tokens)} active tokens share prefix {prefix!r}; revoke in admin")
    revoke_token(tokens[0])
    print(f"Revoked token {tokens[0].name!r} (prefix {prefix}) of {tokens[0].user.username}.")
    return EXIT_OK


def add_commands(sub: Subcommands) -> None:
    user = command(sub, "createuser", cmd_createuser, "create a login with a role")
    user.add_argument("username")
    user.add_argument("--role", required=True, choices=["owner", "manager", "rep", "trainer"])
    user.add_argument("--email", default="")
    user.add_argument("--first-name", default="")
    user.add_argument("--last-name", default="")
    secret = user.add_mutually_exclusive_group()
    secret.add_argument("--password", help="the password (visible in shell history)")
    secret.add_argument("--password-stdin", action="store_true", help="read it from stdin")
    users = command(sub, "users", no_handler, "unlock a login, or turn off its second factor")
    actions = users.add_subparsers(
        dest="users_command", required=True, metavar="ACTION", parser_class=ValueFirstParser
    )
    unlock = command(actions, "unlock", cmd_users_unlock, "forget a username's failed logins")
    unlock.add_argument("username")
    off = command(
        actions, "two-factor-off", cmd_users_two_factor_off, "remove a lost authenticator app"
    )
    off.add_argument("username")
    token = command(sub, "token", no_handler, "create, list or revoke API tokens")
    tokens = token.add_subparsers(
        dest="token_command", required=True, metavar="ACTION", parser_class=ValueFirstParser
    )
    create = command(tokens, "create", cmd_token_create, "issue a token, printed once")
    create.add_argument("username")
    create.add_argument("name", help="what the token is for, e.g. 'phone system'")
    create.add_argument(
        "--scope",
        dest="scopes",
        action="append",
        choices=SCOPES,
        help="read, write or admin; repeat for more (default: read and write)",
    )
    listing = command(tokens, "list", cmd_token_list, "list tokens with their scopes")
    listing.add_argument("username", nargs="?", help="only this user's tokens")
    listing.add_argument("--all", action="store_true", help="revoked tokens too")
    revoke = command(tokens, "revoke", cmd_token_revoke, "revoke a token by its prefix")
    revoke.add_argument("prefix", nargs="?", help="the 8 characters after 'et_'")
    # Spelled out for scripts: `--prefix=-Ab3xYz9` reads the same in every shell and tool.
    revoke.add_argument("--prefix", dest="prefix_option", metavar="PREFIX", help="the same")
