"""Users and organisations, signing in with a password, and the errors of account work.

Functions commit their own work and raise :class:`AccountError` subclasses whose
message is a sentence for the person signing in; the routes turn them into
HTTP answers.
"""

from __future__ import annotations

import re

from sqlalchemy import and_, not_
from sqlmodel import Session, col, select

from sync.errors import SyncError
from sync.server.core import security
from sync.server.models import HOLDER_DOMAIN, Org, User


class AccountError(SyncError):
    """An account operation that cannot be done; the message says why in plain words."""


class EmailTakenError(AccountError):
    """Another account already uses this email address."""


class UnknownUserError(AccountError):
    """No account has this email address."""


class SignInError(AccountError):
    """Credentials or a refresh token that do not sign anyone in (HTTP 401)."""


class AccountDisabledError(AccountError):
    """The credentials are right but the account is switched off (HTTP 403)."""


class InvalidGrantError(AccountError):
    """A grant names a role or system that does not exist."""


def normalize_email(email: str) -> str:
    return email.strip().lower()


def slugify(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.strip().lower()).strip("-")
    return slug or "org"


def get_or_create_org(
    session: Session, name: str, *, members_can_create_buildings: bool = True
) -> Org:
    """The organisation whose slug matches *name*'s, created if there is none."""
    slug = slugify(name)
    org = session.exec(select(Org).where(Org.slug == slug)).first()
    if org is None:
        org = Org(
            name=name.strip(), slug=slug, members_can_create_buildings=members_can_create_buildings
        )
        session.add(org)
        session.commit()
        session.refresh(org)
    return org


def create_user(
    session: Session,
    *,
    email: str,
    password: str,
    full_name: str = "",
    org_id: str | None = None,
    is_superuser: bool = False,
) -> User:
    email = normalize_email(email)
    if get_user_by_email(session, email) is not None:
        raise EmailTakenError(f"A user with email {email} already exists")
    user = User(
        email=email,
        full_name=full_name.strip(),
        password_hash=security.hash_password(password),
        org_id=org_id,
        is_superuser=is_superuser,
    )
    session.add(user)
    session.commit()
    session.refresh(user)
    return user


def get_user_by_email(session: Session, email: str) -> User | None:
    return session.exec(select(User).where(User.email == normalize_email(email))).first()


def require_user(session: Session, email: str) -> User:
    user = get_user_by_email(session, email)
    if user is None:
        raise UnknownUserError(f"No user with email {normalize_email(email)}")
    return user


def list_users(session: Session) -> list[User]:
    """Every account except the holders of ended passes, which are history, not members."""
    ended_holder = and_(col(User.email).endswith(HOLDER_DOMAIN), col(User.is_active).is_(False))
    query = select(User).where(not_(ended_holder)).order_by(col(User.email))
    return list(session.exec(query).all())


def authenticate(session: Session, email: str, password: str) -> User:
    """The user these credentials belong to; upgrades an outdated password hash on the way."""
    user = get_user_by_email(session, email)
    if user is None:
        security.burn_password_check(password)
        raise SignInError("Wrong email or password")
    ok, new_hash = security.verify_password(user.password_hash, password)
    if not ok:
        raise SignInError("Wrong email or password")
    if not user.is_active:
        raise AccountDisabledError("This account is disabled; ask your administrator")
    if new_hash is not None:
        user.password_hash = new_hash
        session.add(user)
        session.commit()
        session.refresh(user)
    return user


def can_create_buildings(session: Session, user_id: str, *, server_allows: bool) -> bool:
    """May this user create a building by pushing it (and so become its admin)?

    Superusers always may; others need the server-wide switch and, if they belong
    to an organisation, its ``members_can_create_buildings``.
    """
    user = session.get(User, user_id)
    if user is None or not user.is_active:
        return False
    if user.is_superuser:
        return True
    org = session.get(Org, user.org_id) if user.org_id else None
    return server_allows and (org is None or org.members_can_create_buildings)
