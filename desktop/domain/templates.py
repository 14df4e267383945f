"""Canned-response templates: `{customer.first_name|there}` filled from the conversation.

Rules (issue 6):
- a variable is one of VARIABLES; `|fallback` is used when the conversation has no value;
- an unknown variable (`{customer.nickname}`) is flagged and left in the text as written, and
  so is a known one with no value and no fallback: a text that still holds a placeholder is
  refused by `send_problems`, so a raw `{...}` never reaches a customer.

Pure functions over strings: the composer fills, previews and checks; the store keeps bodies.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

# name -> what it is (the manager dialog lists these as help)
VARIABLES: dict[str, str] = {
    "customer.first_name": "the customer's first name (from their display name)",
    "customer.name": "the customer's display name",
    "customer.handle": "the customer's handle, e.g. @ana@mastodon.social",
    "brand.name": "the brand of the account answering",
    "agent.name": "your name",
    "account.handle": "the brand account's handle",
}

# Anything that looks like a placeholder, known or not: `{word}` / `{word.word|fallback}`.
# A brace pair around other text (`{ }`, `{1,2}`, JSON) is not a placeholder.
PLACEHOLDER = re.compile(r"\{\s*([A-Za-z_][\w]*(?:\.[A-Za-z_]\w*)*)\s*(?:\|([^{}\n]*))?\}")
_NAME_WORD = re.compile(r"[^\W\d_][\w'’-]*")


@dataclass(frozen=True, slots=True)
class Placeholder:
    name: str
    fallback: str | None
    start: int
    end: int

    @property
    def known(self) -> bool:
        return self.name in VARIABLES


@dataclass(frozen=True, slots=True)
class Rendered:
    text: str
    unknown: tuple[str, ...] = ()  # not a variable at all: left as written, flagged
    missing: tuple[str, ...] = ()  # a variable with no value here and no fallback: left

    @property
    def ok(self) -> bool:
        return not self.unknown and not self.missing

    def problems(self) -> list[str]:
        return [f"unknown variable {{{n}}}" for n in self.unknown] + [
            f"no value for {{{n}}} in this conversation (add a fallback: {{{n}|…}})"
            for n in self.missing
        ]


def placeholders(text: str) -> list[Placeholder]:
    return [
        Placeholder(m.group(1), m.group(2), m.start(), m.end()) for m in PLACEHOLDER.finditer(text)
    ]


def render(template: str, values: Mapping[str, str | None]) -> Rendered:
    """Fill known variables from `values` (or their fallback); flag the rest, leaving them."""
    unknown: list[str] = []
    missing: list[str] = []

    def sub(m: re.Match[str]) -> str:
        name, fallback = m.group(1), m.group(2)
        if name not in VARIABLES:
            if name not in unknown:
                unknown.append(name)
            return m.group(0)
        value = (values.get(name) or "").strip()
        if value:
            return value
        if fallback is not None and fallback.strip():
            return fallback.strip()
        if name not in missing:
            missing.append(name)
        return m.group(0)

    return Rendered(PLACEHOLDER.sub(sub, template), tuple(unknown), tuple(missing))


def send_problems(text: str) -> list[str]:
    """Why this text must not be sent as it is: placeholders still in it (never sent raw)."""
    found = placeholders(text)
    return [
        f"unknown variable {{{p.name}}}"
        if not p.known
        else f"{{{p.name}}} was not filled in: write the value or remove it"
        for p in found
    ]


def first_name(display_name: str | None) -> str | None:
    """The first word of a display name that is a name ("🌸 Ana María" -> "Ana"), else None."""
    if not display_name:
        return None
    match = _NAME_WORD.search(display_name.lstrip("@"))
    if match is None:
        return None
    word = match.group(0).strip("'’-")
    return word or None


def conversation_values(
    *,
    customer_name: str | None = None,
    customer_handle: str | None = None,
    brand_name: str | None = None,
    agent_name: str | None = None,
    account_handle: str | None = None,
) -> dict[str, str | None]:
    """The variables' values for one conversation (missing ones are None)."""
    handle = customer_handle or None
    if handle and not handle.startswith("@"):
        handle = "@" + handle
    account = account_handle or None
    if account and not account.startswith("@"):
        account = "@" + account
    # a display name that is just the handle says nothing about a first name
    name = (
        customer_name
        if customer_name and customer_name.lstrip("@") != (customer_handle or "").lstrip("@")
        else None
    )
    return {
        "customer.first_name": first_name(name),
        "customer.name": customer_name or None,
        "customer.handle": handle,
        "brand.name": brand_name or None,
        "agent.name": agent_name or None,
        "account.handle": account,
    }


SHORTCUT = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")


def shortcut_problem(shortcut: str) -> str | None:
    """Why a shortcut cannot be used after `/`, or None."""
    if not SHORTCUT.match(shortcut):
        return (
            "a shortcut is 1–32 lower-case letters, digits, '-' or '_' "
            "(typed after / in the composer)"
        )
    return None
