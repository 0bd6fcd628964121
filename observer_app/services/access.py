"""Who may read and write what. Blinding is enforced here, below every UI and the CLI.

Rules:
- A manager (or the administrator) may read everything and write any assignment that is not
  complete; only a manager reopens a completed assignment.
- A coder reads and writes their own assignments. Another coder's events and ratings are readable
  only when that assignment is not blind; a blind assignment's work is neither readable nor listed.
- A completed assignment is read-only until a manager reopens it.
"""

from __future__ import annotations

from observer_app.coding.errors import AccessDenied, BlindingViolation
from observer_app.services.records import Actor
from observer_app.store.models import Assignment


def require_manager(actor: Actor, action: str) -> None:
    if not actor.is_manager:
        raise AccessDenied(f"only a manager may {action} ({actor.name} is a coder)")


def owns(actor: Actor, assignment: Assignment) -> bool:
    return actor.id is not None and assignment.coder_id == actor.id


def can_read(actor: Actor, assignment: Assignment) -> bool:
    return actor.is_manager or owns(actor, assignment) or not assignment.blind


def require_read(actor: Actor, assignment: Assignment) -> None:
    # The message names no assignment: asked by event id, the id would tell a coder which blind
    # assignment (and so which recording and colleague) the event belongs to.
    if not can_read(actor, assignment):
        raise BlindingViolation(f"that is another coder's blind work: {actor.name} may not see it")


def require_write(actor: Actor, assignment: Assignment) -> None:
    if not (actor.is_manager or owns(actor, assignment)):
        if not can_read(actor, assignment):
            require_read(actor, assignment)
        raise AccessDenied(f"{actor.name} may not change assignment #{assignment.id}")
    if assignment.status == "complete":
        raise AccessDenied(
            f"assignment #{assignment.id} is complete and read-only; a manager can reopen it"
        )
    if assignment.status == "cancelled" or assignment.deleted:
        raise AccessDenied(
            f"assignment #{assignment.id} is cancelled (its work was moved or stopped); "
            "a manager can reopen it"
        )
