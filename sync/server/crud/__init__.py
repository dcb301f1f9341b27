"""Accounts and permissions: users, organisations, sessions, API keys, building grants.

Functions commit their own work (a revoked token family must stay revoked even
though the caller answers 401) and raise :class:`AccountError` subclasses whose
message is a sentence for the person signing in; the routes turn them into HTTP
answers. One module per kind of record; every public name is importable from
here.
"""

from __future__ import annotations

from sync.server.crud.accounts import (
    AccountDisabledError,
    AccountError,
    EmailTakenError,
    InvalidGrantError,
    SignInError,
    UnknownUserError,
    authenticate,
    can_create_buildings,
    create_user,
    get_or_create_org,
    get_user_by_email,
    list_users,
    normalize_email,
    require_user,
    slugify,
)
from sync.server.crud.api_keys import (
    API_KEY_TOUCH_INTERVAL,
    create_api_key,
    list_api_keys,
    revoke_api_key,
    user_for_api_key,
)
from sync.server.crud.grants import (
    BuildingAccess,
    building_access,
    grant,
    list_grants,
    revoke_grant,
)
from sync.server.crud.sessions import (
    SignedIn,
    end_session,
    revoke_refresh_token,
    rotate_refresh_token,
    start_session,
)

__all__ = [
    "API_KEY_TOUCH_INTERVAL",
    "AccountDisabledError",
    "AccountError",
    "BuildingAccess",
    "EmailTakenError",
    "InvalidGrantError",
    "SignInError",
    "SignedIn",
    "UnknownUserError",
    "authenticate",
    "building_access",
    "can_create_buildings",
    "create_api_key",
    "create_user",
    "end_session",
    "get_or_create_org",
    "get_user_by_email",
    "grant",
    "list_api_keys",
    "list_grants",
    "list_users",
    "normalize_email",
    "require_user",
    "revoke_api_key",
    "revoke_grant",
    "revoke_refresh_token",
    "rotate_refresh_token",
    "slugify",
    "start_session",
    "user_for_api_key",
]
