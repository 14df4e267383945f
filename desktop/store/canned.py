"""Canned responses: scoped listing, usage counting, editing, order, JSON import/export.

Templates use `{customer.first_name|fallback}` (rules in desktop/domain/templates.py).
The export names brands by name, not id (ids are local to one profile), and leaves usage
counts out (they are this user's habits, not the team's library).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from desktop.domain import templates
from desktop.domain.enums import Platform
from desktop.domain.errors import UserError
from desktop.domain.models import CannedResponse
from desktop.store import changes
from desktop.store.schema import BrandRow, CannedResponseRow

EXPORT_FORMAT = "switchboard.canned_responses"
EXPORT_VERSION = 1


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


def _check(session: Session, title: str, shortcut: str, body: str, own_id: int | None) -> None:
    if not title.strip():
        raise UserError("a canned response needs a title")
    if not body.strip():
        raise UserError("a canned response needs a text")
    problem = templates.shortcut_problem(shortcut)
    if problem:
        raise UserError(problem)
    taken = session.scalar(
        select(CannedResponseRow.id).where(CannedResponseRow.shortcut == shortcut)
    )
    if taken is not None and taken != own_id:
        raise UserError(f"the shortcut /{shortcut} is already used")


def add(
    session: Session,
    title: str,
    shortcut: str,
    body: str,
    *,
    brand_ids: Sequence[int] = (),
    platforms: Sequence[Platform] = (),
) -> CannedResponse:
    """A new response, placed last in the user's order."""
    _check(session, title, shortcut, body, None)
    last = session.scalar(select(func.max(CannedResponseRow.position)))
    row = CannedResponseRow(
        title=title.strip(),
        shortcut=shortcut,
        body=body,
        brand_ids=list(brand_ids),
        platforms=[p.value for p in platforms],
        position=(last + 1) if last is not None else 0,
    )
    session.add(row)
    session.flush()
    changes.record(session, "canned_response", [row.id], "user")
    return _canned(row)


def get(session: Session, canned_id: int) -> CannedResponse:
    row = session.get(CannedResponseRow, canned_id)
    if row is None:
        raise UserError(f"no canned response {canned_id}")
    return _canned(row)


def update_response(
    session: Session,
    canned_id: int,
    *,
    title: str,
    shortcut: str,
    body: str,
    brand_ids: Sequence[int] = (),
    platforms: Sequence[Platform] = (),
) -> CannedResponse:
    row = session.get(CannedResponseRow, canned_id)
    if row is None:
        raise UserError(f"no canned response {canned_id}")
    _check(session, title, shortcut, body, canned_id)
    row.title = title.strip()
    row.shortcut = shortcut
    row.body = body
    row.brand_ids = list(brand_ids)
    row.platforms = [p.value for p in platforms]
    session.flush()
    changes.record(session, "canned_response", [canned_id], "user")
    return _canned(row)


def remove(session: Session, canned_id: int) -> None:
    session.execute(delete(CannedResponseRow).where(CannedResponseRow.id == canned_id))
    changes.record(session, "canned_response", [canned_id], "user")


def list_all(session: Session) -> list[CannedResponse]:
    """Every response in the user's order (the manager dialog)."""
    rows = session.scalars(
        select(CannedResponseRow).order_by(CannedResponseRow.position, CannedResponseRow.id)
    )
    return [_canned(r) for r in rows]


def reorder(session: Session, ordered_ids: Sequence[int]) -> None:
    """Positions follow `ordered_ids`; responses not named keep their order after them."""
    rest = [c.id for c in list_all(session) if c.id not in set(ordered_ids)]
    ids = [*ordered_ids, *rest]
    for position, canned_id in enumerate(ids):
        session.execute(
            update(CannedResponseRow)
            .where(CannedResponseRow.id == canned_id)
            .values(position=position)
        )
    changes.record(session, "canned_response", ids, "user")


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
    """Fill `{key|fallback}` placeholders from values (e.g. {"customer.first_name": "Ana"}).
    Unknown or unfilled placeholders stay as written (see templates.render for the flags)."""
    return templates.render(template, values).text


# -- JSON import / export -------------------------------------------------------------------


def export_json(session: Session) -> str:
    brands = {b.id: b.name for b in session.scalars(select(BrandRow))}
    items = [
        {
            "title": c.title,
            "shortcut": c.shortcut,
            "body": c.body,
            "brands": [brands[b] for b in c.brand_ids if b in brands],
            "platforms": [p.value for p in c.platforms],
        }
        for c in list_all(session)
    ]
    return json.dumps(
        {"format": EXPORT_FORMAT, "version": EXPORT_VERSION, "responses": items},
        ensure_ascii=False,
        indent=2,
    )


@dataclass
class ImportResult:
    added: int = 0
    updated: int = 0
    warnings: list[str] = field(default_factory=list)


def _parse(text: str) -> list[dict[str, Any]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UserError(f"not a JSON file ({exc.msg} at line {exc.lineno})") from exc
    if not isinstance(data, dict) or data.get("format") != EXPORT_FORMAT:
        raise UserError("not a Switchboard canned responses export")
    if data.get("version") != EXPORT_VERSION:
        raise UserError(f"unsupported export version {data.get('version')!r}")
    items = data.get("responses")
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise UserError("the export has no list of responses")
    return items


def import_json(session: Session, text: str) -> ImportResult:
    """Add the file's responses; one whose shortcut exists replaces that one's text and scope.
    All or nothing: a bad entry rolls the whole import back (the caller's transaction)."""
    items = _parse(text)
    brands = {b.name: b.id for b in session.scalars(select(BrandRow))}
    platform_values = {p.value for p in Platform}
    result = ImportResult()
    for n, item in enumerate(items, 1):
        title, shortcut, body = (str(item.get(k) or "") for k in ("title", "shortcut", "body"))
        brand_ids = []
        for name in item.get("brands") or []:
            if name in brands:
                brand_ids.append(brands[name])
            else:
                result.warnings.append(f"/{shortcut}: no brand named {name!r} here; left out")
        platforms = []
        for value in item.get("platforms") or []:
            if value in platform_values:
                platforms.append(Platform(value))
            else:
                result.warnings.append(f"/{shortcut}: unknown platform {value!r}; left out")
        existing = session.scalar(
            select(CannedResponseRow.id).where(CannedResponseRow.shortcut == shortcut)
        )
        try:
            if existing is None:
                add(session, title, shortcut, body, brand_ids=brand_ids, platforms=platforms)
                result.added += 1
            else:
                update_response(
                    session,
                    existing,
                    title=title,
                    shortcut=shortcut,
                    body=body,
                    brand_ids=brand_ids,
                    platforms=platforms,
                )
                result.updated += 1
        except UserError as exc:
            raise UserError(f"response {n} ({title or shortcut!r}): {exc}") from exc
        rendered = templates.render(body, {})
        for name in rendered.unknown:
            result.warnings.append(f"/{shortcut}: unknown variable {{{name}}}")
    return result
