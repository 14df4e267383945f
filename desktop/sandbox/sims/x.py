"""X API v2 in memory: the slice an inbox uses, with X's OAuth 2.0 PKCE and its errors.

Real paths and shapes (checked against the X OpenAPI in tests): /2/users/me, /2/users,
/2/users/:id/mentions (since_id/until_id, pagination_token, expansions into `includes`),
/2/users/:id/tweets, /2/tweets/search/recent (`conversation_id:` and `from:` operators),
POST /2/tweets (reply settings, weighted 280, 403 duplicate content), /2/dm_events,
/2/dm_conversations/:id/dm_events, DM creation by conversation or participant, and OAuth
(`/i/oauth2/authorize` auto-approves, `/2/oauth2/token` with PKCE and rotating refresh).
Errors are `application/problem+json`; answers carry `x-rate-limit-*` per endpoint.
"""

from __future__ import annotations

import base64
import bisect
import hashlib
import json
import re
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode, urlsplit

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from desktop.domain.enums import Platform
from desktop.domain.text_limits import measure
from desktop.sandbox.auth import TokenInfo, TokenProblem, TokenRejected
from desktop.sandbox.forms import read_params
from desktop.sandbox.world import CreatedRecord, CustomerSpec, World

PLATFORM = "x"
ID_BASE = 1_790_000_000_000_000_000  # snowflake-sized: numeric and string order agree
ACCESS_TTL_S = 7200.0
DM_MAX_CHARS = 10_000
BRANDS = (("acme", "ACME Corp", 48_200), ("globex", "Globex Support", 2_310))
PROBLEM = "application/problem+json"
MENTION_RE = re.compile(r"(?<![\w@])@(\w{1,15})")
DUPLICATE_DETAIL = "You are not allowed to create a Tweet with duplicate content."


class _Refusal(Exception):
    def __init__(self, status: int, title: str, detail: str, *, type_: str = "about:blank",
                 headers: dict[str, str] | None = None, extra: dict[str, Any] | None = None
                 ) -> None:
        super().__init__(detail)
        self.status, self.title, self.detail, self.type = status, title, detail, type_
        self.headers = headers or {}
        self.extra = extra or {}

    def response(self) -> Response:
        body = {"title": self.title, "detail": self.detail, "type": self.type,
                "status": self.status, **self.extra}
        return Response(json.dumps(body), self.status, headers=self.headers, media_type=PROBLEM)


def _invalid(detail: str, parameter: str | None = None) -> _Refusal:
    extra = {"parameter": parameter} if parameter else {}
    return _Refusal(400, "Invalid Request", detail,
                    type_="https://api.x.com/2/problems/invalid-request", extra=extra)


@dataclass
class XUser:
    id: str
    username: str
    name: str
    followers: int
    created_at: str
    client_id: str | None = None  # brands: the sandbox's registered public client

    def as_json(self, fields: set[str]) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "username": self.username, "name": self.name}
        if "public_metrics" in fields:
            data["public_metrics"] = {"followers_count": self.followers, "following_count": 80,
                                      "tweet_count": 12, "post_count": 12, "listed_count": 1,
                                      "like_count": 30}
        if "verified" in fields:
            data["verified"] = self.followers >= 10_000
        if "profile_image_url" in fields:
            data["profile_image_url"] = f"https://pbs.twimg.com/profile_images/{self.id}.jpg"
        if "created_at" in fields:
            data["created_at"] = self.created_at
        return data


@dataclass
class Tweet:
    id: str
    author_id: str
    text: str
    created_at: str
    conversation_id: str
    in_reply_to_user_id: str | None = None
    replied_to: str | None = None
    quoted: str | None = None
    replies: int = 0

    def as_json(self, fields: set[str]) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "text": self.text,
                                "edit_history_tweet_ids": [self.id]}
        refs = [{"type": t, "id": i} for t, i in (("replied_to", self.replied_to),
                                                  ("quoted", self.quoted)) if i]
        optional: dict[str, Any] = {
            "created_at": self.created_at, "author_id": self.author_id,
            "conversation_id": self.conversation_id,
            "in_reply_to_user_id": self.in_reply_to_user_id,
            "public_metrics": {"retweet_count": 0, "repost_count": 0,
                               "reply_count": self.replies, "like_count": 0, "quote_count": 0,
                               "bookmark_count": 0, "impression_count": 10},
            "referenced_tweets": refs or None,
        }
        for name, value in optional.items():
            if name in fields and value is not None:
                data[name] = value
        return data


@dataclass
class DmEvent:
    id: str
    conversation_id: str
    sender_id: str
    text: str
    created_at: str
    participants: tuple[str, ...] = field(default_factory=tuple)

    def as_json(self, fields: set[str]) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "event_type": "MessageCreate", "text": self.text}
        optional = {"created_at": self.created_at, "dm_conversation_id": self.conversation_id,
                    "sender_id": self.sender_id}
        data.update({k: v for k, v in optional.items() if k in fields})
        return data


class XSim:
    platform = Platform.X

    def __init__(self, world: World) -> None:
        self.world = world
        self.reset()

    # -- state ---------------------------------------------------------------------------
    def reset(self) -> None:
        with self.world.lock:
            self.users: dict[str, XUser] = {}
            self.tweets: dict[str, Tweet] = {}
            self.codes: dict[str, dict[str, Any]] = {}
            # Indexes (lists ascending by id, as ids are handed out in order) so a 100k-item
            # history pages in O(log n) per request.
            self._by_name: dict[str, str] = {}
            self._mentions: dict[str, list[Tweet]] = {}
            self._by_author: dict[str, list[Tweet]] = {}
            self._roots_by: dict[str, list[Tweet]] = {}
            self._by_conversation: dict[str, list[Tweet]] = {}
            self._texts: set[tuple[str, str]] = set()
            self._events_of: dict[str, list[DmEvent]] = {}
            self._events_in: dict[str, list[DmEvent]] = {}
            for index, (username, name, followers) in enumerate(BRANDS):
                # Fixed ids: a connection made before an admin reset keeps working.
                user = self._user(username, name, followers, user_id=str(1_000_000 + index))
                user.client_id = f"sbx-x-client-{username}-{self.world.seed}"
            self._seed_history()

    def _seed_history(self) -> None:
        acme = self._by_username("acme")
        launch = self._tweet(acme, "Our spring collection is live! What do you think?")
        fan = self._customer(CustomerSpec("marta_n", "Marta Nowak", 210))
        self._tweet(fan, "@acme love the colours, when does it ship to Poland?", reply_to=launch)
        asker = self._customer(CustomerSpec("tom_asks", "Tom", 35))
        self._dm(asker, acme, "hi, can you check my order #4411?")
        self._tweet(self._by_username("globex"), "Support hours this week: Mon-Fri 9-17 CET.")

    def _next_id(self) -> str:
        return str(ID_BASE + self.world.next_id())

    def _user(self, username: str, name: str, followers: int,
              user_id: str | None = None) -> XUser:
        user = XUser(user_id or self._next_id(), username, name or username, followers,
                     _iso(self.world.now()))
        self.users[user.id] = user
        self._by_name[username.lower()] = user.id
        return user

    def _by_username(self, username: str) -> XUser:
        username = username.lstrip("@").lower()
        if username in self._by_name:
            return self.users[self._by_name[username]]
        raise KeyError(f"no user @{username}")

    def _customer(self, spec: CustomerSpec) -> XUser:
        try:
            user = self._by_username(spec.handle)
        except KeyError:
            return self._user(spec.handle.lstrip("@"), spec.display_name, spec.followers)
        if user.client_id:
            raise ValueError(f"@{spec.handle} is a brand account")
        return user

    def _tweet(self, author: XUser, text: str, *, reply_to: Tweet | None = None,
               quote: Tweet | None = None) -> Tweet:
        tweet_id = self._next_id()
        tweet = Tweet(tweet_id, author.id, text, _iso(self.world.now()),
                      conversation_id=reply_to.conversation_id if reply_to else tweet_id,
                      in_reply_to_user_id=reply_to.author_id if reply_to else None,
                      replied_to=reply_to.id if reply_to else None,
                      quoted=quote.id if quote else None)
        if reply_to is not None:
            reply_to.replies += 1
        self.tweets[tweet_id] = tweet
        self._by_author.setdefault(author.id, []).append(tweet)
        if reply_to is None:
            self._roots_by.setdefault(author.id, []).append(tweet)
        self._by_conversation.setdefault(tweet.conversation_id, []).append(tweet)
        self._texts.add((author.id, text))
        mentioned = {self._by_name.get(name.lower()) for name in MENTION_RE.findall(text)}
        mentioned.add(tweet.in_reply_to_user_id)
        for user_id in mentioned - {None, author.id}:
            self._mentions.setdefault(str(user_id), []).append(tweet)
        return tweet

    def _dm(self, sender: XUser, recipient: XUser, text: str,
            conversation_id: str | None = None) -> DmEvent:
        a, b = sorted((sender.id, recipient.id), key=int)
        event = DmEvent(self._next_id(), conversation_id or f"{a}-{b}", sender.id, text,
                        _iso(self.world.now()), (a, b))
        for participant in event.participants:
            self._events_of.setdefault(participant, []).append(event)
        self._events_in.setdefault(event.conversation_id, []).append(event)
        return event

    # -- PlatformSim ---------------------------------------------------------------------
    def brand_accounts(self) -> list[dict[str, Any]]:
        with self.world.lock:
            return [{"handle": u.username, "display_name": u.name, "id": u.id,
                     "client_id": u.client_id,
                     "auth": "OAuth 2.0 authorization code with PKCE (public client)"}
                    for u in self.users.values() if u.client_id]

    def inject(self, account: str, kind: str, text: str, customer: CustomerSpec,
               in_reply_to: str | None) -> dict[str, Any]:
        """mention (a quote when in_reply_to names a tweet), reply, dm."""
        if kind not in ("mention", "reply", "dm"):
            raise ValueError(f"X has no {kind!r}; use mention, reply or dm")
        with self.world.lock:
            brand = self._by_username(account)
            author = self._customer(customer)
            if kind == "dm":
                event = self._dm(author, brand, text)
                return {"id": event.id, "thread_id": event.conversation_id,
                        "conversation_id": event.conversation_id, "account_id": author.id}
            parent = None
            if in_reply_to is not None:
                parent = self.tweets.get(str(in_reply_to))
                if parent is None:
                    raise KeyError(f"no tweet {in_reply_to}")
            elif kind == "reply":
                own = self._roots_by.get(brand.id)
                if not own:
                    raise ValueError(f"@{brand.username} has no tweet to reply to")
                parent = own[-1]
            if f"@{brand.username}".lower() not in text.lower():
                text = f"@{brand.username} {text}"
            tweet = self._tweet(author, text, reply_to=parent if kind == "reply" else None,
                                quote=parent if kind == "mention" else None)
            return {"id": tweet.id, "thread_id": tweet.conversation_id,
                    "conversation_id": tweet.conversation_id, "account_id": author.id}

    # -- routes --------------------------------------------------------------------------
    def routes(self) -> list[BaseRoute]:
        guarded: list[tuple[str, str, str, Any]] = [
            ("GET", "/2/users/me", "users_me", self.users_me),
            ("GET", "/2/users", "users", self.users_by_ids),
            ("GET", "/2/users/{id}/mentions", "mentions", self.mentions),
            ("GET", "/2/users/{id}/tweets", "user_tweets", self.user_tweets),
            ("GET", "/2/tweets/search/recent", "search_recent", self.search_recent),
            ("POST", "/2/tweets", "create_tweet", self.create_tweet),
            ("GET", "/2/dm_events", "dm_events", self.dm_events),
            ("GET", "/2/dm_conversations/{id}/dm_events", "conversation_dm_events",
             self.conversation_events),
            ("POST", "/2/dm_conversations/with/{participant_id}/messages", "create_dm",
             self.dm_with),
            ("POST", "/2/dm_conversations/{dm_conversation_id}/messages", "create_dm",
             self.dm_in_conversation),
        ]
        routes: list[BaseRoute] = [
            Route("/i/oauth2/authorize", self.authorize),
            Route("/2/oauth2/token", self.token, methods=["POST"]),
        ]
        for method, path, bucket, handler in guarded:
            routes.append(Route(path, self._guard(handler, bucket), methods=[method]))
        return routes

    def _guard(self, handler: Callable[[Request, XUser, dict[str, Any]], Response],
               bucket: str) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            body: dict[str, Any] = {}
            if request.method == "POST":
                try:
                    parsed = json.loads(await request.body() or b"{}")
                except ValueError:
                    return _invalid("Request body is not valid JSON").response()
                body = parsed if isinstance(parsed, dict) else {}
            headers: dict[str, str] = {}
            try:
                me, headers = self._auth(request, bucket)
                with self.world.lock:
                    response = handler(request, me, body)
            except _Refusal as refusal:
                refusal.headers = {**headers, **refusal.headers}
                return refusal.response()
            response.headers.update(headers)
            return response
        return endpoint

    def _auth(self, request: Request, bucket: str) -> tuple[XUser, dict[str, str]]:
        try:
            info: TokenInfo = self.world.tokens.check_bearer(
                PLATFORM, request.headers.get("authorization"))
        except TokenRejected as exc:
            detail = "Unauthorized" if exc.problem is not TokenProblem.EXPIRED \
                else "Unauthorized: access token expired"
            raise _Refusal(401, "Unauthorized", detail) from exc
        state = self.world.limits.hit(PLATFORM, info.account, bucket)
        headers = {"x-rate-limit-limit": str(state.limit),
                   "x-rate-limit-remaining": str(state.remaining),
                   "x-rate-limit-reset": str(int(state.reset_at))}
        if state.exceeded:
            raise _Refusal(429, "Too Many Requests", "Too Many Requests", headers=headers)
        with self.world.lock:
            return self._by_username(info.account), headers

    # -- OAuth ---------------------------------------------------------------------------
    async def authorize(self, request: Request) -> Response:
        q = request.query_params
        with self.world.lock:
            user = next((u for u in self.users.values()
                         if u.client_id and u.client_id == q.get("client_id")), None)
        redirect = q.get("redirect_uri", "")
        if user is None or urlsplit(redirect).hostname not in ("127.0.0.1", "localhost"):
            return JSONResponse({"error": "invalid_request",
                                 "error_description": "unknown client or redirect_uri"}, 400)
        if q.get("response_type") != "code" or q.get("code_challenge_method") != "S256" \
                or not q.get("code_challenge"):
            return JSONResponse({"error": "invalid_request",
                                 "error_description": "PKCE (S256) is required"}, 400)
        code = secrets.token_urlsafe(24)
        with self.world.lock:
            self.codes[code] = {"user": user.username, "client_id": user.client_id,
                                "redirect_uri": redirect, "challenge": q["code_challenge"],
                                "scopes": tuple((q.get("scope") or "").split())}
        target = f"{redirect}?{urlencode({'state': q.get('state', ''), 'code': code})}"
        return RedirectResponse(target, 302)

    async def token(self, request: Request) -> Response:
        form = await read_params(request)
        grant = form.get("grant_type")
        if grant == "authorization_code":
            with self.world.lock:
                pending = self.codes.pop(str(form.get("code")), None)
            verifier = str(form.get("code_verifier") or "")
            digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()
                                              ).rstrip(b"=").decode()
            if pending is None or pending["client_id"] != form.get("client_id") \
                    or pending["redirect_uri"] != form.get("redirect_uri") \
                    or digest != pending["challenge"]:
                return _oauth_error("Value passed for the authorization code was invalid.")
            scopes: tuple[str, ...] = pending["scopes"]
            info = self.world.tokens.issue(PLATFORM, pending["user"], ttl_s=ACCESS_TTL_S,
                                           with_refresh="offline.access" in scopes,
                                           scopes=scopes)
        elif grant == "refresh_token":
            try:
                info = self.world.tokens.refresh(PLATFORM, str(form.get("refresh_token")),
                                                 ttl_s=ACCESS_TTL_S)
            except TokenRejected:
                return _oauth_error("Value passed for the token was invalid.")
        else:
            return _oauth_error("Missing or invalid grant_type")
        body: dict[str, Any] = {"token_type": "bearer", "expires_in": int(ACCESS_TTL_S),
                                "access_token": info.access_token, "scope": " ".join(info.scopes)}
        if info.refresh_token:
            body["refresh_token"] = info.refresh_token
        return JSONResponse(body)

    # -- reads ---------------------------------------------------------------------------
    def _page(self, request: Request, rows: list[Any], *, minimum: int, maximum: int,
              default: int) -> tuple[list[Any], dict[str, Any]]:
        """`rows` ascending by id; answers newest first with since_id/until_id, and a
        `pagination_token` that continues older (bisection, not a scan)."""
        q = request.query_params
        raw = q.get("max_results")
        limit = int(raw) if raw and raw.isdigit() else default
        if not minimum <= limit <= maximum:
            raise _invalid(f"The `max_results` query parameter value [{raw}] is not between "
                           f"{minimum} and {maximum}", "max_results")
        key = _id_key
        low, high = 0, len(rows)
        if q.get("since_id", "").isdigit():
            low = bisect.bisect_right(rows, int(q["since_id"]), key=key)
        if q.get("until_id", "").isdigit():
            high = bisect.bisect_left(rows, int(q["until_id"]), key=key)
        token = q.get("pagination_token") or q.get("next_token")
        if token:
            if not token.startswith("p") or not token[1:].isdigit():
                raise _invalid("The `pagination_token` query parameter value is not valid",
                               "pagination_token")
            high = min(high, bisect.bisect_left(rows, int(token[1:]), key=key))
        start = max(low, high - limit)
        page = rows[start:high][::-1]
        meta: dict[str, Any] = {"result_count": len(page)}
        if page:
            meta["newest_id"], meta["oldest_id"] = page[0].id, page[-1].id
        if start > low:
            meta["next_token"] = f"p{page[-1].id}"
        return page, meta

    def _tweets_response(self, request: Request, tweets: list[Tweet],
                         meta: dict[str, Any]) -> Response:
        q = request.query_params
        fields = _fields(q, "tweet.fields", "post.fields")
        user_fields = _fields(q, "user.fields")
        expansions = _fields(q, "expansions")
        body: dict[str, Any] = {"data": [t.as_json(fields) for t in tweets], "meta": meta}
        includes: dict[str, Any] = {}
        if expansions & {"referenced_tweets.id", "referenced_posts"}:
            refs = {i for t in tweets for i in (t.replied_to, t.quoted) if i}
            includes["tweets"] = [self.tweets[i].as_json(fields) for i in sorted(refs)
                                  if i in self.tweets]
        if "author_id" in expansions:
            authors = {t.author_id for t in tweets}
            authors |= {self.tweets[t].author_id for t in
                        (x for t in tweets for x in (t.replied_to, t.quoted) if x)
                        if t in self.tweets}
            includes["users"] = [self.users[a].as_json(user_fields) for a in sorted(authors)]
        includes = {k: v for k, v in includes.items() if v}
        if includes:
            body["includes"] = includes
        if not tweets:
            body.pop("data")
        return JSONResponse(body)

    def users_me(self, request: Request, me: XUser, body: dict[str, Any]) -> Response:
        return JSONResponse({"data": me.as_json(_fields(request.query_params, "user.fields"))})

    def users_by_ids(self, request: Request, me: XUser, body: dict[str, Any]) -> Response:
        ids = [i for i in (request.query_params.get("ids") or "").split(",") if i]
        if not 1 <= len(ids) <= 100:
            raise _invalid("The `ids` query parameter must have 1 to 100 items", "ids")
        fields = _fields(request.query_params, "user.fields")
        found = [self.users[i].as_json(fields) for i in ids if i in self.users]
        result: dict[str, Any] = {"data": found}
        missing = [i for i in ids if i not in self.users]
        if missing:
            result["errors"] = [{"value": i, "detail": f"Could not find user with ids: [{i}].",
                                 "title": "Not Found Error", "resource_type": "user",
                                 "parameter": "ids", "resource_id": i,
                                 "type": "https://api.x.com/2/problems/resource-not-found"}
                                for i in missing]
        return JSONResponse(result)

    def _owner(self, request: Request, me: XUser) -> XUser:
        if request.path_params["id"] != me.id:
            raise _Refusal(403, "Forbidden", "You can only read your own mentions and DMs "
                           "in this sandbox")
        return me

    def mentions(self, request: Request, me: XUser, body: dict[str, Any]) -> Response:
        page, meta = self._page(request, self._mentions.get(self._owner(request, me).id, []),
                                minimum=5, maximum=100, default=10)
        return self._tweets_response(request, page, meta)

    def user_tweets(self, request: Request, me: XUser, body: dict[str, Any]) -> Response:
        user = self.users.get(request.path_params["id"])
        if user is None:
            raise _Refusal(404, "Not Found Error", "Could not find the user",
                           type_="https://api.x.com/2/problems/resource-not-found")
        rows = self._by_author.get(user.id, [])
        page, meta = self._page(request, rows, minimum=5, maximum=100, default=10)
        return self._tweets_response(request, page, meta)

    def search_recent(self, request: Request, me: XUser, body: dict[str, Any]) -> Response:
        """Supports the operators we use: `conversation_id:ID`, `from:USERNAME`."""
        query = request.query_params.get("query") or ""
        terms = query.split()
        conversation = next((t.split(":", 1)[1] for t in terms
                             if t.startswith("conversation_id:")), None)
        rows = self._by_conversation.get(conversation, []) if conversation \
            else list(self.tweets.values())
        for term in terms:
            name, _, value = term.partition(":")
            if name == "conversation_id":
                rows = [t for t in rows if t.conversation_id == value]
            elif name == "from":
                rows = [t for t in rows if self.users[t.author_id].username.lower()
                        == value.lower().lstrip("@")]
            else:
                rows = [t for t in rows if term.lower() in t.text.lower()]
        page, meta = self._page(request, rows, minimum=10, maximum=100, default=10)
        return self._tweets_response(request, page, meta)

    def create_tweet(self, request: Request, me: XUser, body: dict[str, Any]) -> Response:
        text = body.get("text")
        if not isinstance(text, str) or not text.strip():
            raise _invalid("text must be a non-empty string", "text")
        if not measure(Platform.X, text).fits:
            raise _Refusal(403, "Forbidden", "Your Tweet text is too long.")
        reply = body.get("reply")
        parent = None
        if isinstance(reply, dict):
            parent = self.tweets.get(str(reply.get("in_reply_to_tweet_id")))
            if parent is None:
                raise _Refusal(403, "Forbidden", "You attempted to reply to a Tweet that is "
                               "deleted or not visible to you.")
        if (me.id, text) in self._texts:
            raise _Refusal(403, "Forbidden", DUPLICATE_DETAIL)
        tweet = self._tweet(me, text, reply_to=parent)
        self.world.record_created(CreatedRecord(
            platform=PLATFORM, account=me.username, id=tweet.id, text=text,
            in_reply_to=parent.id if parent else None, thread_id=tweet.conversation_id,
            created_at=tweet.created_at, kind="reply"))
        return JSONResponse({"data": {"id": tweet.id, "text": text,
                                      "edit_history_tweet_ids": [tweet.id]}}, 201)

    def _events_response(self, request: Request, events: list[DmEvent]) -> Response:
        q = request.query_params
        types = _fields(q, "event_types")
        if types and "MessageCreate" not in types:
            events = []
        page, meta = self._page(request, events, minimum=1, maximum=100, default=100)
        fields = _fields(q, "dm_event.fields")
        body: dict[str, Any] = {"data": [e.as_json(fields) for e in page], "meta": meta}
        if "sender_id" in _fields(q, "expansions") and page:
            user_fields = _fields(q, "user.fields")
            senders = sorted({e.sender_id for e in page})
            body["includes"] = {"users": [self.users[s].as_json(user_fields) for s in senders]}
        if not page:
            body.pop("data")
        return JSONResponse(body)

    def dm_events(self, request: Request, me: XUser, body: dict[str, Any]) -> Response:
        return self._events_response(request, self._events_of.get(me.id, []))

    def conversation_events(self, request: Request, me: XUser, body: dict[str, Any]
                            ) -> Response:
        conversation = request.path_params["id"]
        events = self._events_in.get(conversation, [])
        if events and me.id not in events[0].participants:
            events = []
        return self._events_response(request, events)

    def _send_dm(self, me: XUser, other: XUser, body: dict[str, Any],
                 conversation_id: str | None) -> Response:
        text = body.get("text")
        if not isinstance(text, str) or not text:
            raise _invalid("text must be a non-empty string", "text")
        if len(text) > DM_MAX_CHARS:
            raise _invalid(f"text must be at most {DM_MAX_CHARS} characters", "text")
        event = self._dm(me, other, text, conversation_id)
        self.world.record_created(CreatedRecord(
            platform=PLATFORM, account=me.username, id=event.id, text=text, in_reply_to=None,
            thread_id=event.conversation_id, created_at=event.created_at, kind="dm"))
        return JSONResponse({"data": {"dm_conversation_id": event.conversation_id,
                                      "dm_event_id": event.id}}, 201)

    def dm_with(self, request: Request, me: XUser, body: dict[str, Any]) -> Response:
        other = self.users.get(request.path_params["participant_id"])
        if other is None or other.id == me.id:
            raise _invalid("participant_id is not a user you can message", "participant_id")
        return self._send_dm(me, other, body, None)

    def dm_in_conversation(self, request: Request, me: XUser, body: dict[str, Any]
                           ) -> Response:
        conversation = request.path_params["dm_conversation_id"]
        known = next(iter(self._events_in.get(conversation, [])), None)
        if known is None or me.id not in known.participants:
            raise _Refusal(404, "Not Found Error", "Could not find the conversation",
                           type_="https://api.x.com/2/problems/resource-not-found")
        other_id = next(p for p in known.participants if p != me.id)
        return self._send_dm(me, self.users[other_id], body, conversation)


def _id_key(row: Any) -> int:
    return int(row.id)


def _fields(params: Any, *names: str) -> set[str]:
    for name in names:
        value = params.get(name)
        if value:
            return {v for v in value.split(",") if v}
    return set()


def _oauth_error(description: str) -> JSONResponse:
    return JSONResponse({"error": "invalid_request", "error_description": description}, 400)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + \
        f"{moment.microsecond // 1000:03d}Z"


def create_sim(world: World) -> XSim:
    return XSim(world)
