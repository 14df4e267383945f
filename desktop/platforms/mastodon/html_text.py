"""Mastodon's status HTML -> safe plain text, links kept.

Why the standard library's html.parser and not a dependency: Mastodon (and compatible servers)
sanitise status HTML server-side to a tiny whitelist (p, br, a, span, and a few inline tags),
so what we need is a tolerant tokenizer plus five rules, not a DOM. html.parser never raises
on malformed markup, decodes entities, and ships with Python. The rules:
- <p> separates paragraphs with a blank line; <br> is a newline;
- a link keeps its target: mention and hashtag links read as "@user"/"#tag"; a link whose text
  is its URL (Mastodon hides "https://" in an invisible span) reads as the full URL; any other
  link reads as "text (url)";
- script/style contents are dropped; every other tag is dropped and its text kept;
- runs of spaces collapse to one, as a browser would show them.
The result is plain text: it is never rendered as markup.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

_BLOCKS = {"p", "div", "blockquote", "li", "ul", "ol", "pre", "h1", "h2", "h3", "h4", "h5", "h6"}
_DROP = {"script", "style", "template"}


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._link: tuple[str, list[str]] | None = None  # href, text parts
        self._drop_depth = 0

    def _emit(self, text: str) -> None:
        if self._link is not None:
            self._link[1].append(text)
        else:
            self.parts.append(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _DROP:
            self._drop_depth += 1
        elif tag == "br":
            self._emit("\n")
        elif tag in _BLOCKS:
            self.parts.append("\n\n")
        elif tag == "a" and self._link is None:
            self._link = (dict(attrs).get("href") or "", [])

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self._emit("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _DROP:
            self._drop_depth = max(0, self._drop_depth - 1)
        elif tag in _BLOCKS:
            self.parts.append("\n\n")
        elif tag == "a" and self._link is not None:
            href, text_parts = self._link
            self._link = None
            self.parts.append(_link_text(href, "".join(text_parts)))

    def handle_data(self, data: str) -> None:
        if not self._drop_depth:
            self._emit(data)

    def close(self) -> None:
        super().close()
        if self._link is not None:  # an unclosed <a>: keep what it said
            href, text_parts = self._link
            self._link = None
            self.parts.append(_link_text(href, "".join(text_parts)))


def _link_text(href: str, text: str) -> str:
    text = text.strip()
    if not href or not href.lower().startswith(("http://", "https://")):
        return text  # no usable target (or javascript:, data:): keep only the words
    if text.startswith(("@", "#")) or text == href:
        return text
    bare = re.sub(r"^https?://", "", href)
    if text and (text == bare or bare.startswith(text.rstrip("…"))):
        return href
    return f"{text} ({href})" if text else href


def html_to_text(html: str | None) -> str:
    """Plain text of a status' HTML content; '' for None."""
    if not html:
        return ""
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    text = "".join(parser.parts)
    text = re.sub(r"[ \t\r\f\v]+", " ", text)  # HTML collapses runs of white space
    text = re.sub(r" ?\n ?", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()
