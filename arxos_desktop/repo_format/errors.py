"""Errors raised while reading or writing a building repository."""

from __future__ import annotations

from dataclasses import dataclass

from arxos_desktop.errors import ArxosError, ErrorKind


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a repository, pinned to a file and, if known, a field."""

    file: str
    message: str
    field: str = ""

    def __str__(self) -> str:
        where = f"{self.file}: {self.field}" if self.field else self.file
        return f"{where}: {self.message}"


class RepoFormatError(ArxosError):
    """A repository is invalid; ``problems`` lists every issue found, not just the first."""

    kind = ErrorKind.INVALID_REPOSITORY

    def __init__(self, problems: list[Problem], *, writing: bool = False) -> None:
        self.problems = problems
        count = len(problems)
        shown = "\n".join(f"  - {p}" for p in problems[:50])
        more = f"\n  ... and {count - 50} more" if count > 50 else ""
        noun = "problem" if count == 1 else "problems"
        if writing:
            head = f"Cannot write the building repository ({count} {noun}); nothing was written."
        else:
            head = f"The building repository has {count} {noun}; nothing was imported."
        super().__init__(f"{head}\n{shown}{more}")
