"""Template rules: variables filled from the conversation, fallbacks, unknowns flagged and
never sent raw; fuzzy ranking of canned responses by fit and usage."""

from __future__ import annotations

from desktop.domain import templates
from desktop.domain.canned_search import rank
from desktop.domain.models import CannedResponse

VALUES = templates.conversation_values(
    customer_name="Ana María López",
    customer_handle="ana@mastodon.example",
    brand_name="Acme",
    agent_name="Sam",
    account_handle="acme",
)


def test_every_variable_is_filled_from_the_conversation() -> None:
    body = (
        "Hi {customer.first_name}, {agent.name} from {brand.name} here "
        "({account.handle}) for {customer.handle} / {customer.name}."
    )
    out = templates.render(body, VALUES)
    assert out.ok
    assert out.text == (
        "Hi Ana, Sam from Acme here (@acme) for @ana@mastodon.example / Ana María López."
    )


def test_fallback_used_only_when_the_value_is_missing() -> None:
    body = "Hi {customer.first_name|there}!"
    assert templates.render(body, VALUES).text == "Hi Ana!"
    nameless = templates.conversation_values(customer_name="", customer_handle="x")
    out = templates.render(body, nameless)
    assert out.text == "Hi there!" and out.ok
    # spaces around the name are tolerated; an empty fallback is no fallback
    assert templates.render("{ customer.first_name | friend }", nameless).text == "friend"


def test_unknown_variable_is_flagged_and_left_as_written() -> None:
    out = templates.render("Hi {customer.nickname|pal} {customer.first_name}", VALUES)
    assert out.unknown == ("customer.nickname",)
    assert out.text == "Hi {customer.nickname|pal} Ana"
    assert not out.ok and "unknown variable {customer.nickname}" in out.problems()


def test_missing_value_without_fallback_is_flagged_not_blanked() -> None:
    out = templates.render("Hi {customer.first_name}!", {})
    assert out.missing == ("customer.first_name",)
    assert out.text == "Hi {customer.first_name}!"


def test_send_problems_catch_any_placeholder_left_in_the_text() -> None:
    assert templates.send_problems("Thanks {customer.first_name}") == [
        "{customer.first_name} was not filled in: write the value or remove it"
    ]
    assert templates.send_problems("{bogus}") == ["unknown variable {bogus}"]
    # braces that are not placeholders are ordinary text
    assert templates.send_problems('set {1,2} or { } or {"a": 1}') == []
    assert templates.send_problems("Thanks Ana") == []


def test_first_name_takes_the_first_word_that_is_a_name() -> None:
    assert templates.first_name("🌸 Jane Doe") == "Jane"
    assert templates.first_name("O'Brien, Pat") == "O'Brien"
    assert templates.first_name("") is None
    assert templates.first_name("1234") is None
    # a display name that is only the handle gives no first name
    same = templates.conversation_values(customer_name="ana", customer_handle="@ana")
    assert same["customer.first_name"] is None and same["customer.handle"] == "@ana"


def test_shortcut_rules() -> None:
    assert templates.shortcut_problem("refund-eu") is None
    assert templates.shortcut_problem("Refund") is not None
    assert templates.shortcut_problem("has space") is not None
    assert templates.shortcut_problem("") is not None


def _c(i: int, title: str, shortcut: str, body: str, usage: int = 0) -> CannedResponse:
    return CannedResponse(i, title, shortcut, body, usage_count=usage, position=i)


LIBRARY = [
    _c(1, "Refund policy", "refund", "Refunds take 5 to 7 working days."),
    _c(2, "Shipping delay", "ship", "Sorry, parcels are delayed by the storm.", usage=3),
    _c(3, "Thanks for the kind words", "thanks", "Thank you so much!", usage=40),
    _c(4, "Order status", "order", "Could you DM us your order number?"),
]


def test_rank_by_fit_over_shortcut_title_and_body() -> None:
    assert rank("ref", LIBRARY)[0].response.shortcut == "refund"  # shortcut prefix
    assert rank("shiping", LIBRARY)[0].response.shortcut == "ship"  # typo in the title
    assert rank("storm", LIBRARY)[0].response.shortcut == "ship"  # only in the body
    assert rank("order number", LIBRARY)[0].response.shortcut == "order"
    assert rank("zzzz", LIBRARY) == []


def test_usage_breaks_ties_but_never_beats_a_better_fit() -> None:
    # no query: most used first
    assert [r.response.id for r in rank("", LIBRARY)] == [3, 2, 1, 4]
    # "than" fits "thanks" best even though it is also the most used
    assert rank("than", LIBRARY)[0].response.id == 3
    tied = [_c(1, "Hello", "hello-a", "Hi"), _c(2, "Hello", "hello-b", "Hi", usage=5)]
    assert [r.response.id for r in rank("hello", tied)] == [2, 1]
    # usage does not lift a poor fit above an exact shortcut
    assert rank("refund", LIBRARY)[0].response.id == 1
