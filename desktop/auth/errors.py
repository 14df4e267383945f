"""Why a sign-in did not complete, worded for the person who tried."""

from __future__ import annotations

from desktop.domain.errors import UserError


class SignInError(UserError):
    """The sign-in was refused, abandoned, answered wrongly or signed in someone else."""
