"""Canned responses: scoped listing, usage counting and template rendering.

Templates use `{customer.first_name|fallback}`: the placeholder is replaced by the value, or
by the fallback when the value is missing or empty.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from desktop.domain.enums import Platform
from desktop.domain.models import CannedResponse
from desktop.store import changes
from desktop.store.schema import CannedResponseRow

_PLACEHOLDER = re.compile(r"\{([a-z_.]+)(?:\|([^}]*))?\}")


def _canned(row: CannedResponseRow) -> CannedResponse:
    return CannedResponse(
        id=row.id,
        title=row.title,
        shortcut=row.shortcut,
        body=row.body,
        brand_ids=tuple(int(b) for b in row.brand_ids or ()),
        platforms=tuple(Platform(p) for p in row.platforms or ()),
        usage_count=row.usage_count,
        position=row.position,
    )


def add(
    session: Session,
    title: str,
    shortcut: str,
    body: str,
    *,
    brand_ids: Sequence[int] = (),
    platforms: Sequence[Platform] = (),
) -> CannedResponse:
    row = CannedResponseRow(
        title=title,
        shortcut=shortcut,
        body=body,
        brand_ids=list(brand_ids),
        platforms=[p.value for p in platforms],
    )
    session.add(row)
    session.flush()
    changes.record(session, "canned_response", [row.id], "user")
    return _canned(row)


def list_for(
    session: Session, brand_id: int | None = None, platform: Platform | None = None
) -> list[CannedResponse]:
    """Responses usable for this brand/platform (unscoped ones included), most used first."""
    rows = session.scalars(
        select(CannedResponseRow).order_by(
            CannedResponseRow.usage_count.desc(), CannedResponseRow.position
        )
    )
    out = []
    for r in rows:
        c = _canned(r)
        if brand_id is not None and c.brand_ids and brand_id not in c.brand_ids:
            continue
        if platform is not None and c.platforms and platform not in c.platforms:
            continue
        out.append(c)
    return out


def record_use(session: Session, canned_id: int) -> None:
    session.execute(
        update(CannedResponseRow)
        .where(CannedResponseRow.id == canned_id)
        .values(usage_count=CannedResponseRow.usage_count + 1)
    )
    changes.record(session, "canned_response", [canned_id], "user")


def render(template: str, values: Mapping[str, str | None]) -> str:
    """Fill `{key|fallback}` placeholders from values (e.g. {"customer.first_name": "Ana"})."""

    def sub(m: re.Match[str]) -> str:
        value = values.get(m.group(1))
        return value if value else (m.group(2) or "")

    return _PLACEHOLDER.sub(sub, template)
