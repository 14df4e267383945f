"""Mastodon status HTML becomes plain text with links kept and nothing executable."""

from __future__ import annotations

import pytest

from desktop.platforms.mastodon.html_text import html_to_text

MENTION = ('<span class="h-card" translate="no"><a href="https://m.example/@acme" '
           'class="u-url mention">@<span>acme</span></a></span>')
LINK = ('<a href="https://shop.example/orders/12345" rel="nofollow noopener" target="_blank">'
        '<span class="invisible">https://</span><span class="ellipsis">shop.example/ord</span>'
        '<span class="invisible">ers/12345</span></a>')


@pytest.mark.parametrize(("html", "text"), [
    (f"<p>{MENTION} where is my order?</p>", "@acme where is my order?"),
    (f"<p>see {LINK}</p>", "see https://shop.example/orders/12345"),
    ('<p>read <a href="https://t.example/faq">our FAQ</a></p>', "read our FAQ (https://t.example/faq)"),
    ('<p><a href="https://m.example/tags/help" class="mention hashtag">#<span>help</span></a></p>',
     "#help"),
    ("<p>one</p><p>two<br>three</p>", "one\n\ntwo\nthree"),
    ("<p>5 &lt; 6 &amp;&amp; &quot;ok&quot; &#128512;</p>", '5 < 6 && "ok" 😀'),
    ("<p>hi<script>alert(1)</script><style>p{}</style></p>", "hi"),
    ('<p><a href="javascript:alert(1)">click</a></p>', "click"),
    ("<p>unclosed <a href='https://x.example/'>link", "unclosed link (https://x.example/)"),
    ("<p>a <b>bold</b> <img src=x onerror=alert(1)> move</p>", "a bold move"),
    ("", ""),
    (None, ""),
])
def test_html_to_text(html: str | None, text: str) -> None:
    assert html_to_text(html) == text


def test_markup_in_text_stays_text() -> None:
    """Escaped markup from the server is shown as the characters the person typed."""
    assert html_to_text("<p>&lt;b&gt;hi&lt;/b&gt;</p>") == "<b>hi</b>"
