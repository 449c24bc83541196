"""Reviewer accounts, from the environment (never a default password).

  ORGANWATCH_ACCOUNTS="alice:reviewer bob:admin"       names and roles (not secret)
  ORGANWATCH_PASSWORD_HASH_ALICE='pbkdf2_sha256$...'    one hash per account (secret)

`organwatch account NAME --role ROLE` makes the hash. The Datasette metadata gets
datasette-auth-passwords' configuration with `$env` references, so /-/metadata never holds a
hash. Roles: anonymous (no account: the public, redacted side), reviewer (everything, may write
reviews), admin (a reviewer who may also use Datasette's debug pages).
"""

from __future__ import annotations

import os
import re

ROLES = ("reviewer", "admin")
ACCOUNTS_VAR = "ORGANWATCH_ACCOUNTS"
_NAME = re.compile(r"[a-z][a-z0-9_]{0,31}")


class AccountError(ValueError):
    """A bad account entry in the environment."""


def hash_var(name: str) -> str:
    return f"ORGANWATCH_PASSWORD_HASH_{name.upper()}"


def accounts(environ=None) -> dict[str, str]:
    """name -> role, from ORGANWATCH_ACCOUNTS; every account must have its hash variable."""
    environ = os.environ if environ is None else environ
    found: dict[str, str] = {}
    for entry in environ.get(ACCOUNTS_VAR, "").replace(",", " ").split():
        name, _, role = entry.partition(":")
        role = role or "reviewer"
        if not _NAME.fullmatch(name):
            raise AccountError(f"{ACCOUNTS_VAR}: {entry!r}: a name is lowercase letters, digits and _")
        if role not in ROLES:
            raise AccountError(f"{ACCOUNTS_VAR}: {entry!r}: role must be one of {', '.join(ROLES)}")
        if not environ.get(hash_var(name), "").startswith("pbkdf2_sha256$"):
            raise AccountError(f"{hash_var(name)}: missing or not a password hash (make one: organwatch account {name})")
        found[name] = role
    return found


def auth_plugin_config(environ=None) -> dict:
    """datasette-auth-passwords' configuration for the accounts (hashes as $env references).
    Roles are not put in the sign-in cookie: the plugin looks them up, so they follow the environment."""
    return {f"{name}_password_hash": {"$env": hash_var(name)} for name in accounts(environ)}


def make_account(name: str, role: str, password: str) -> str:
    """The environment lines that add an account (to put in the service's environment file)."""
    from datasette_auth_passwords.utils import hash_password

    if not _NAME.fullmatch(name):
        raise AccountError(f"name {name!r}: lowercase letters, digits and _, starting with a letter")
    if role not in ROLES:
        raise AccountError(f"role {role!r}: one of {', '.join(ROLES)}")
    if len(password) < 12:
        raise AccountError("password: at least 12 characters")
    return f"{hash_var(name)}='{hash_password(password)}'\n# and add {name}:{role} to {ACCOUNTS_VAR}\n"
