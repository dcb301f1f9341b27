"""Who may create, change and cite an ``organization`` row.

A replicated ``organization`` row is the record devices show for the customer
owning a building; an account organisation (``srv_organizations``) is who its
people are. The two are linked by ``srv_organization_owners``: the account
organisation of the user who created the row owns it (the user alone, when
they belong to none). That link is what keeps one customer from touching
another's record:

- a row is created only by someone who could create a building (their
  organisation lets members add buildings) or already manages one;
- a building names (``org_id``) only an organisation row its pusher's
  organisation owns, or one of a building they already manage, so nobody can
  make their building "of" another customer and so gain a say over its record;
- an existing row is changed (renamed, deleted) only by an admin or manager,
  with a grant on every system and floor, of a building of that organisation.

Every refusal gives the same reason whether or not the row exists, so an
organisation id cannot be probed by pushing it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from sqlalchemy import bindparam, insert
from sqlalchemy import select as select_columns
from sqlmodel import Session

from sync.server import crud
from sync.server.id_lists import IdListSelect
from sync.server.models import User
from sync.server.replication import OWNERS_TABLE
from sync.server.scope import Access, RowLookup, is_narrowed

#: The reason for every refused organisation change: it never says whether the row exists.
NOT_YOURS: Final = "Only an admin or manager of one of its buildings can change an organisation"
#: The reason for a building naming an organisation row it may not name.
NOT_YOUR_ORG: Final = "A building can only name an organisation of your own"
NO_NEW_ORG: Final = "Your organisation does not let you add organisations"


_OWNERS_OF = IdListSelect(
    select_columns(
        OWNERS_TABLE.c.row_id, OWNERS_TABLE.c.account_org_id, OWNERS_TABLE.c.user_id
    ).where(OWNERS_TABLE.c.row_id.in_(bindparam("ids", expanding=True))),
    "ids",
)


def _manages(access: Access) -> bool:
    return access.role in ("admin", "manager") and access.can_write and not is_narrowed(access)


class OrganizationRules:
    """The rules above for one push; reads what they need once, and only if asked."""

    def __init__(
        self,
        session: Session,
        *,
        user_id: str,
        accesses: Mapping[str, Access],
        lookup: RowLookup,
    ) -> None:
        self._session = session
        self._user_id = user_id
        self._accesses = accesses
        self._lookup = lookup
        self._account: tuple[str | None, bool] | None = None
        self._owners: dict[str, tuple[str | None, str] | None] = {}
        self._new_owners: list[dict[str, str | None]] = []

    def _account_of_user(self) -> tuple[str | None, bool]:
        """(account organisation id, may create buildings), read once per push."""
        if self._account is None:
            user = self._session.get(User, self._user_id)
            org_id = user.org_id if user is not None else None
            may_create = crud.can_create_buildings(self._session, self._user_id, server_allows=True)
            self._account = (org_id, may_create)
        return self._account

    def _owner(self, row_id: str) -> tuple[str | None, str] | None:
        if row_id not in self._owners:
            self._owners[row_id] = None
            for found_id, account_org_id, user_id in _OWNERS_OF.rows(
                self._session.connection(), [row_id]
            ):
                self._owners[found_id] = (account_org_id, user_id)
        return self._owners[row_id]

    def _managed_organizations(self) -> set[str]:
        """Organisation rows named by a building this user manages (as stored now)."""
        managed = sorted(b for b, access in self._accesses.items() if _manages(access))
        self._lookup.prefetch(("building", building_id) for building_id in managed)
        found = set()
        for building_id in managed:
            row = self._lookup.get("building", building_id)
            if row is not None and not row.deleted and row.values.get("org_id"):
                found.add(str(row.values["org_id"]))
        return found

    def change_refusal(self, row_id: str, *, exists: bool, inserting: bool) -> str | None:
        """Why this user may not write organisation row *row_id*; ``None`` if they may."""
        if exists:
            return None if row_id in self._managed_organizations() else NOT_YOURS
        if not inserting:  # the same answer as for a row that is not theirs
            return NOT_YOURS
        if any(_manages(access) for access in self._accesses.values()):
            return None
        _, may_create = self._account_of_user()
        return None if may_create else NO_NEW_ORG

    def created(self, row_id: str) -> None:
        """Record that this user created organisation row *row_id* (written by :meth:`write`)."""
        account_org_id, _ = self._account_of_user()
        self._owners[row_id] = (account_org_id, self._user_id)
        self._new_owners.append(
            {"row_id": row_id, "account_org_id": account_org_id, "user_id": self._user_id}
        )

    def may_name(self, org_row_id: str) -> bool:
        """Whether a building of this user may name organisation row *org_row_id*."""
        row = self._lookup.get("organization", org_row_id)
        if row is None or row.deleted:
            return False
        if org_row_id in self._managed_organizations():
            return True
        owner = self._owner(org_row_id)
        if owner is None:
            return False
        account_org_id, creator = owner
        mine, _ = self._account_of_user()
        if account_org_id is not None:
            return account_org_id == mine
        return creator == self._user_id

    def write(self, session: Session) -> None:
        """Store the owners of the organisation rows this push created."""
        if self._new_owners:
            session.connection().execute(insert(OWNERS_TABLE), self._new_owners)
