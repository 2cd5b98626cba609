"""The interest vocabulary and each student's chosen interests."""

from __future__ import annotations

from collections.abc import Sequence

from studentres_desktop.domain.errors import NotFound, ValidationError
from studentres_desktop.domain.models import Interest, Student
from studentres_desktop.persistence.uow import (
    UnitOfWork,
    UnitOfWorkFactory,
    read_with_retry,
    run_write,
)
from studentres_desktop.services.auth import AuthService
from studentres_desktop.services.validation import (
    INTEREST_DESCRIPTION_MAX,
    LABEL_MAX,
    check_tag,
    check_text,
)


class InterestService:
    def __init__(self, uow_factory: UnitOfWorkFactory, auth: AuthService) -> None:
        self._uow = uow_factory
        self._auth = auth

    def vocabulary(self) -> list[Interest]:
        """Every interest a student can pick, in display order."""
        return read_with_retry(self._uow, lambda uow: uow.interests.list())

    def set_for_student(
        self, token: str, tags: Sequence[str], primary: str | None = None
    ) -> Student:
        """Replace the student's interests; the first tag is primary unless one is named."""
        principal = self._auth.authenticate(token)
        chosen = list(dict.fromkeys(check_tag(tag) for tag in tags))
        if not chosen:
            raise ValidationError("interests", "Choose at least one interest.")
        if primary is None:
            primary = chosen[0]
        if primary not in chosen:
            raise ValidationError("primary interest", "must be one of the chosen interests.")
        def write(uow: UnitOfWork) -> Student | None:
            unknown = set(chosen) - uow.interests.existing(chosen)
            if unknown:
                raise ValidationError(
                    "interests", f"Unknown interest: {', '.join(sorted(unknown))}."
                )
            uow.students.set_interests(principal.student_id, chosen, primary)
            return uow.students.get(principal.student_id)

        student = run_write(self._uow, write)
        if student is None:
            raise NotFound("This account no longer exists.")
        return student

    def of_student(self, token: str) -> list[Interest]:
        """The student's interests with labels, primary first."""
        student = self._auth.current_student(token)
        by_tag = {i.tag: i for i in self.vocabulary()}
        return [by_tag.get(tag, Interest(tag, tag)) for tag in student.interests]

    def add(self, interests: Sequence[Interest]) -> int:
        """Add vocabulary entries that are not there yet (admin CLI); returns how many were new."""
        checked = [
            Interest(
                check_tag(i.tag),
                check_text("label", i.label, max_length=LABEL_MAX),
                check_text(
                    "description", i.description, max_length=INTEREST_DESCRIPTION_MAX,
                    required=False,
                ),
            )
            for i in interests
        ]
        return run_write(self._uow, lambda uow: uow.interests.add_missing(checked))
