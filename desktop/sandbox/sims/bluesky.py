"""A Bluesky PDS (with the chat service behind it) in memory: the XRPC slice an inbox uses.

Real NSIDs and shapes (checked against the AT lexicons in tests): createSession /
refreshSession (app password; access JWT 2 h), getProfile(s), listNotifications (newest
first, backwards cursor, `reasons`), getPostThread, createRecord (client-chosen rkey; a
duplicate rkey is refused as the PDS does; 300 graphemes), getRecord, and chat.bsky.convo
listConvos / getMessages / sendMessage, which demand `atproto-proxy`. Errors are
`{"error", "message"}`; answers carry `RateLimit-Limit/-Remaining/-Reset/-Policy`.
"""

from __future__ import annotations

import bisect
import hashlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import regex
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from desktop.domain.enums import Platform
from desktop.domain.text_limits import BLUESKY_GRAPHEMES
from desktop.platforms.bluesky.tid import TID_RE, new_tid
from desktop.sandbox.auth import TokenInfo, TokenProblem, TokenRejected
from desktop.sandbox.world import CreatedRecord, CustomerSpec, World

PLATFORM = "bluesky"
POST = "app.bsky.feed.post"
CHAT_PROXY = "did:web:api.bsky.chat#bsky_chat"
ACCESS_TTL_S = 7200.0
CHAT_GRAPHEMES = 1000
BRANDS = (("acme.bsky.social", "ACME Corp", 8450), ("globex.bsky.social", "Globex Support", 990))
_B32 = "abcdefghijklmnopqrstuvwxyz234567"


class _Refusal(Exception):
    def __init__(self, status: int, error: str, message: str,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.error, self.message = status, error, message
        self.headers = headers or {}


@dataclass
class Actor:
    did: str
    handle: str
    display_name: str
    followers: int
    created_at: str
    app_password: str | None = None  # brands only

    def basic(self) -> dict[str, Any]:
        return {"did": self.did, "handle": self.handle, "displayName": self.display_name,
                "avatar": f"https://cdn.bsky.app/img/avatar/plain/{self.did}/a@jpeg",
                "labels": [], "createdAt": self.created_at}

    def view(self) -> dict[str, Any]:
        return {**self.basic(), "indexedAt": self.created_at, "description": ""}

    def detailed(self) -> dict[str, Any]:
        return {**self.view(), "followersCount": self.followers, "followsCount": 42,
                "postsCount": 7}


@dataclass
class Post:
    uri: str
    cid: str
    author: str  # did
    record: dict[str, Any]
    indexed_at: str
    seq: int
    replies: list[str] = field(default_factory=list)


@dataclass
class Notification:
    seq: int
    owner: str  # did of the one notified
    reason: str
    post_uri: str
    reason_subject: str | None


@dataclass
class Convo:
    id: str
    members: tuple[str, str]
    messages: list[dict[str, Any]] = field(default_factory=list)  # oldest first

    @property
    def rev(self) -> str:
        return str(self.messages[-1]["rev"]) if self.messages else "2222222222222"


class BlueskySim:
    platform = Platform.BLUESKY

    def __init__(self, world: World) -> None:
        self.world = world
        self.reset()

    # -- state ---------------------------------------------------------------------------
    def reset(self) -> None:
        with self.world.lock:
            self.actors: dict[str, Actor] = {}
            self.posts: dict[str, Post] = {}
            # Indexes so a 100k-item history stays fast: by owner (ascending seq), by
            # handle, by member pair, quote counts.
            self.notifications: dict[str, list[Notification]] = {}
            self.convos: dict[str, Convo] = {}
            self._by_handle: dict[str, str] = {}
            self._convo_by_members: dict[tuple[str, str], str] = {}
            self._quotes: dict[str, int] = {}
            self._roots_by: dict[str, list[str]] = {}  # author did -> top-level post uris
            self._convos_of: dict[str, list[str]] = {}  # member did -> convo ids
            self._last_tid_us = 0
            for handle, name, followers in BRANDS:
                actor = self._actor(handle, name, followers)
                digest = hashlib.sha256(f"{handle}:{self.world.seed}".encode()).hexdigest()
                actor.app_password = "-".join(digest[i:i + 4] for i in range(0, 16, 4))
            self._seed_history()

    def _seed_history(self) -> None:
        acme = self.actors[_did_for("acme.bsky.social")]
        launch = self._create_post(acme, "Our spring collection is live! What do you think?")
        fan = self._customer(CustomerSpec("marta.bsky.social", "Marta Nowak", 210))
        self._reply(fan, "love the colours, when does it ship to Poland?", launch)
        asker = self._customer(CustomerSpec("tom.bsky.social", "Tom", 35))
        self._message(self._convo(acme, asker), asker, "hi, can you check my order #4411?")
        globex = self.actors[_did_for("globex.bsky.social")]
        self._create_post(globex, "Support hours this week: Mon-Fri 9-17 CET.")

    def _actor(self, handle: str, name: str, followers: int) -> Actor:
        actor = Actor(_did_for(handle), handle, name or handle, followers, _iso(self.world.now()))
        self.actors[actor.did] = actor
        self._by_handle[handle.lower()] = actor.did
        return actor

    def _resolve(self, identifier: str) -> Actor:
        identifier = identifier.lstrip("@")
        if identifier in self.actors:
            return self.actors[identifier]
        did = self._by_handle.get(identifier.lower())
        if did is not None:
            return self.actors[did]
        raise KeyError(f"no actor {identifier}")

    def _customer(self, spec: CustomerSpec) -> Actor:
        handle = spec.handle.lstrip("@")
        if "." not in handle:
            handle = f"{handle}.bsky.social"
        try:
            actor = self._resolve(handle)
        except KeyError:
            return self._actor(handle, spec.display_name, spec.followers)
        if actor.app_password:
            raise ValueError(f"{handle} is a brand account")
        return actor

    def _tid(self) -> str:
        """TIDs strictly increasing in this world (message ids, revs, post rkeys)."""
        micros = max(self._last_tid_us + 1, int(self.world.now().timestamp() * 1_000_000))
        self._last_tid_us = micros
        return new_tid(micros, clock_id=0)

    def _create_post(self, author: Actor, text: str, *, rkey: str | None = None,
                     reply_to: Post | None = None, quote: Post | None = None,
                     created_at: str | None = None) -> Post:
        """Store a post and notify whom the AppView would (mention, reply, quote)."""
        now = _iso(self.world.now())
        record: dict[str, Any] = {"$type": POST, "text": text, "createdAt": created_at or now,
                                  "langs": ["en"]}
        if reply_to is not None:
            root_uri = (reply_to.record.get("reply") or {}).get("root", {}).get("uri") \
                or reply_to.uri
            root = self.posts.get(root_uri, reply_to)
            record["reply"] = {"root": {"uri": root.uri, "cid": root.cid},
                               "parent": {"uri": reply_to.uri, "cid": reply_to.cid}}
        if quote is not None:
            record["embed"] = {"$type": "app.bsky.embed.record",
                               "record": {"uri": quote.uri, "cid": quote.cid}}
        facets, mentioned = self._mention_facets(text)
        if facets:
            record["facets"] = facets
        uri = f"at://{author.did}/{POST}/{rkey or self._tid()}"
        post = Post(uri, _cid(uri, text), author.did, record, now, self.world.next_id())
        self.posts[uri] = post
        if reply_to is None:
            self._roots_by.setdefault(author.did, []).append(uri)
        notified: set[str] = {author.did}
        if reply_to is not None:
            reply_to.replies.append(uri)
            root_post = self.posts.get(record["reply"]["root"]["uri"])
            for target in (reply_to.author, root_post.author if root_post else None):
                if target and target not in notified:
                    self._notify(target, "reply", post, reply_to.uri)
                    notified.add(target)
        if quote is not None:
            self._quotes[quote.uri] = self._quotes.get(quote.uri, 0) + 1
        if quote is not None and quote.author not in notified:
            self._notify(quote.author, "quote", post, quote.uri)
            notified.add(quote.author)
        for did in mentioned:
            if did not in notified:
                self._notify(did, "mention", post, None)
                notified.add(did)
        return post

    def _reply(self, author: Actor, text: str, parent: Post) -> Post:
        return self._create_post(author, text, reply_to=parent)

    def _notify(self, owner: str, reason: str, post: Post, subject: str | None) -> None:
        self.notifications.setdefault(owner, []).append(
            Notification(self.world.next_id(), owner, reason, post.uri, subject))

    def _mention_facets(self, text: str) -> tuple[list[dict[str, Any]], list[str]]:
        facets, dids = [], []
        for match in regex.finditer(r"(?<![\w.])@([a-zA-Z0-9.-]+\.[a-zA-Z]+)", text):
            try:
                actor = self._resolve(match.group(1))
            except KeyError:
                continue
            start = len(text[:match.start()].encode())
            end = start + len(match.group(0).encode())
            facets.append({"index": {"byteStart": start, "byteEnd": end},
                           "features": [{"$type": "app.bsky.richtext.facet#mention",
                                         "did": actor.did}]})
            dids.append(actor.did)
        return facets, dids

    def _convo(self, brand: Actor, other: Actor) -> Convo:
        first, second = sorted((brand.did, other.did))
        known = self._convo_by_members.get((first, second))
        if known is not None:
            return self.convos[known]
        convo_id = hashlib.sha256(f"{first}|{second}".encode()).hexdigest()[:16]
        convo = Convo(convo_id, (first, second))
        self.convos[convo_id] = convo
        self._convo_by_members[(first, second)] = convo_id
        for member in (first, second):
            self._convos_of.setdefault(member, []).append(convo_id)
        return convo

    def _message(self, convo: Convo, sender: Actor, text: str) -> dict[str, Any]:
        message_id = self._tid()
        message = {"$type": "chat.bsky.convo.defs#messageView", "id": message_id,
                   "rev": message_id, "text": text, "facets": [],
                   "sender": {"did": sender.did}, "sentAt": _iso(self.world.now())}
        convo.messages.append(message)
        return message

    # -- PlatformSim ---------------------------------------------------------------------
    def brand_accounts(self) -> list[dict[str, Any]]:
        with self.world.lock:
            return [{"handle": a.handle, "display_name": a.display_name, "id": a.did,
                     "did": a.did, "app_password": a.app_password,
                     "auth": "app password (com.atproto.server.createSession)"}
                    for a in self.actors.values() if a.app_password]

    def inject(self, account: str, kind: str, text: str, customer: CustomerSpec,
               in_reply_to: str | None) -> dict[str, Any]:
        """mention (a quote when in_reply_to names a post), reply, dm."""
        if kind not in ("mention", "reply", "dm"):
            raise ValueError(f"Bluesky has no {kind!r}; use mention, reply or dm")
        with self.world.lock:
            brand = self._resolve(account)
            author = self._customer(customer)
            if kind == "dm":
                convo = self._convo(brand, author)
                message = self._message(convo, author, text)
                return {"id": message["id"], "thread_id": convo.id, "convo_id": convo.id}
            parent = None
            if in_reply_to is not None:
                parent = self.posts.get(str(in_reply_to))
                if parent is None:
                    raise KeyError(f"no post {in_reply_to}")
            if kind == "mention":
                if f"@{brand.handle}".lower() not in text.lower():
                    text = f"@{brand.handle} {text}"
                post = self._create_post(author, text, quote=parent)
            else:
                if parent is None:
                    own = self._roots_by.get(brand.did)
                    if not own:
                        raise ValueError(f"{brand.handle} has no post to reply to")
                    parent = self.posts[own[-1]]
                post = self._reply(author, text, parent)
            root = (post.record.get("reply") or {}).get("root", {}).get("uri") or post.uri
            return {"id": post.uri, "uri": post.uri, "cid": post.cid, "thread_id": root}

    # -- views ---------------------------------------------------------------------------
    def post_view(self, post: Post) -> dict[str, Any]:
        quotes = self._quotes.get(post.uri, 0)
        return {"uri": post.uri, "cid": post.cid, "author": self.actors[post.author].basic(),
                "record": post.record, "indexedAt": post.indexed_at,
                "replyCount": len(post.replies), "repostCount": 0, "likeCount": 0,
                "quoteCount": quotes, "labels": []}

    def thread_view(self, post: Post, depth: int, parent_height: int) -> dict[str, Any]:
        node: dict[str, Any] = {"$type": "app.bsky.feed.defs#threadViewPost",
                                "post": self.post_view(post)}
        parent_uri = (post.record.get("reply") or {}).get("parent", {}).get("uri")
        if parent_height > 0 and parent_uri in self.posts:
            node["parent"] = self.thread_view(self.posts[parent_uri], 0, parent_height - 1)
        if depth > 0:
            node["replies"] = [self.thread_view(self.posts[u], depth - 1, 0)
                               for u in post.replies]
        return node

    def convo_view(self, convo: Convo, me: str) -> dict[str, Any]:
        view: dict[str, Any] = {
            "id": convo.id, "rev": convo.rev,
            "members": [self.actors[d].basic() for d in convo.members],
            "muted": False, "status": "accepted",
            "unreadCount": sum(1 for m in convo.messages if m["sender"]["did"] != me),
        }
        if convo.messages:
            view["lastMessage"] = convo.messages[-1]
        return view

    # -- routes --------------------------------------------------------------------------
    def routes(self) -> list[BaseRoute]:
        table: list[tuple[str, str, Any, bool]] = [
            ("GET", "app.bsky.actor.getProfile", self.get_profile, False),
            ("GET", "app.bsky.actor.getProfiles", self.get_profiles, False),
            ("GET", "app.bsky.notification.listNotifications", self.list_notifications, False),
            ("GET", "app.bsky.feed.getPostThread", self.get_post_thread, False),
            ("GET", "app.bsky.feed.getPosts", self.get_posts, False),
            ("POST", "com.atproto.repo.createRecord", self.create_record, False),
            ("GET", "com.atproto.repo.getRecord", self.get_record, False),
            ("GET", "chat.bsky.convo.listConvos", self.list_convos, True),
            ("GET", "chat.bsky.convo.getMessages", self.get_messages, True),
            ("POST", "chat.bsky.convo.sendMessage", self.send_message, True),
        ]
        routes: list[BaseRoute] = [
            Route("/xrpc/com.atproto.server.createSession", self.create_session,
                  methods=["POST"]),
            Route("/xrpc/com.atproto.server.refreshSession", self.refresh_session,
                  methods=["POST"]),
        ]
        for method, nsid, handler, chat in table:
            routes.append(Route(f"/xrpc/{nsid}", self._guard(handler, chat), methods=[method]))
        return routes

    def _guard(self, handler: Callable[[Request, Actor, dict[str, Any]], Response],
               chat: bool) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            body: dict[str, Any] = {}
            if request.method == "POST":
                try:
                    parsed = json.loads(await request.body() or b"{}")
                except ValueError:
                    return _error(400, "InvalidRequest", "body is not JSON")
                body = parsed if isinstance(parsed, dict) else {}
            headers: dict[str, str] = {}
            try:
                me, headers = self._auth(request)
                if chat and request.headers.get("atproto-proxy") != CHAT_PROXY:
                    raise _Refusal(501, "MethodNotImplemented", "Method Not Implemented")
                with self.world.lock:
                    response = handler(request, me, body)
            except _Refusal as refusal:
                return _error(refusal.status, refusal.error, refusal.message,
                              {**headers, **refusal.headers})
            response.headers.update(headers)
            return response
        return endpoint

    def _auth(self, request: Request) -> tuple[Actor, dict[str, str]]:
        try:
            info: TokenInfo = self.world.tokens.check_bearer(
                PLATFORM, request.headers.get("authorization"))
        except TokenRejected as exc:
            if exc.problem is TokenProblem.EXPIRED:
                raise _Refusal(400, "ExpiredToken", "Token has expired") from exc
            if exc.problem is TokenProblem.MISSING:
                raise _Refusal(401, "AuthenticationRequired", "Authentication Required"
                               ) from exc
            raise _Refusal(401, "InvalidToken", "Token could not be verified") from exc
        state = self.world.limits.hit(PLATFORM, info.account)
        window = max(1, int(state.reset_at - datetime.now(UTC).timestamp()))
        headers = {"RateLimit-Limit": str(state.limit),
                   "RateLimit-Remaining": str(state.remaining),
                   "RateLimit-Reset": str(int(state.reset_at)),
                   "RateLimit-Policy": f"{state.limit};w={window}"}
        if state.exceeded:
            raise _Refusal(429, "RateLimitExceeded", "Rate Limit Exceeded", headers)
        with self.world.lock:
            return self._resolve(info.account), headers

    async def create_session(self, request: Request) -> Response:
        try:
            body = json.loads(await request.body() or b"{}")
        except ValueError:
            body = {}
        identifier = str(body.get("identifier") or "") if isinstance(body, dict) else ""
        password = str(body.get("password") or "") if isinstance(body, dict) else ""
        with self.world.lock:
            try:
                actor = self._resolve(identifier)
            except KeyError:
                actor = None
            if actor is None or not actor.app_password or password != actor.app_password:
                return _error(401, "AuthenticationRequired", "Invalid identifier or password")
        info = self.world.tokens.issue(PLATFORM, actor.handle, ttl_s=ACCESS_TTL_S,
                                       with_refresh=True, scopes=("com.atproto.appPass",))
        return JSONResponse(self._session(actor, info))

    async def refresh_session(self, request: Request) -> Response:
        _scheme, _, token = (request.headers.get("authorization") or "").partition(" ")
        try:
            info = self.world.tokens.refresh(PLATFORM, token.strip(), ttl_s=ACCESS_TTL_S)
        except TokenRejected:
            return _error(400, "ExpiredToken", "Token has been revoked")
        with self.world.lock:
            actor = self._resolve(info.account)
        return JSONResponse(self._session(actor, info))

    @staticmethod
    def _session(actor: Actor, info: TokenInfo) -> dict[str, Any]:
        return {"accessJwt": info.access_token, "refreshJwt": info.refresh_token,
                "handle": actor.handle, "did": actor.did, "active": True,
                "email": f"social@{actor.handle}", "emailConfirmed": True}

    def get_profile(self, request: Request, me: Actor, body: dict[str, Any]) -> Response:
        try:
            actor = self._resolve(request.query_params.get("actor", ""))
        except KeyError:
            raise _Refusal(400, "InvalidRequest", "Profile not found") from None
        return JSONResponse(actor.detailed())

    def get_profiles(self, request: Request, me: Actor, body: dict[str, Any]) -> Response:
        wanted = request.query_params.getlist("actors")
        if len(wanted) > 25:
            raise _Refusal(400, "InvalidRequest", "actors must not have more than 25 elements")
        profiles = []
        for identifier in wanted:
            try:
                profiles.append(self._resolve(identifier).detailed())
            except KeyError:
                continue
        return JSONResponse({"profiles": profiles})

    def list_notifications(self, request: Request, me: Actor, body: dict[str, Any]
                           ) -> Response:
        params = request.query_params
        reasons = set(params.getlist("reasons"))
        limit = _limit(params.get("limit"), 50)
        before = int(params["cursor"]) if (params.get("cursor") or "").isdigit() else None
        mine = self.notifications.get(me.did, [])
        end = bisect.bisect_left(mine, before, key=lambda n: n.seq) if before else len(mine)
        rows: list[Notification] = []  # newest first, one more than the page to see the end
        for index in range(end - 1, -1, -1):
            if not reasons or mine[index].reason in reasons:
                rows.append(mine[index])
                if len(rows) > limit:
                    break
        page = rows[:limit]
        notifications = []
        for n in page:
            post = self.posts[n.post_uri]
            item: dict[str, Any] = {
                "uri": post.uri, "cid": post.cid, "author": self.actors[post.author].view(),
                "reason": n.reason, "record": post.record, "isRead": False,
                "indexedAt": post.indexed_at, "labels": []}
            if n.reason_subject:
                item["reasonSubject"] = n.reason_subject
            notifications.append(item)
        result: dict[str, Any] = {"notifications": notifications, "priority": False}
        if len(rows) > limit:
            result["cursor"] = str(page[-1].seq)
        return JSONResponse(result)

    def get_post_thread(self, request: Request, me: Actor, body: dict[str, Any]) -> Response:
        uri = request.query_params.get("uri", "")
        post = self.posts.get(uri)
        if post is None:
            raise _Refusal(400, "NotFound", f"Post not found: {uri}")
        depth = min(1000, _limit(request.query_params.get("depth"), 6, maximum=1000))
        height = _limit(request.query_params.get("parentHeight"), 80, maximum=1000)
        if request.query_params.get("depth") == "0":
            depth = 0
        if request.query_params.get("parentHeight") == "0":
            height = 0
        return JSONResponse({"thread": self.thread_view(post, depth, height)})

    def get_posts(self, request: Request, me: Actor, body: dict[str, Any]) -> Response:
        uris = request.query_params.getlist("uris")
        if len(uris) > 25:
            raise _Refusal(400, "InvalidRequest", "uris must not have more than 25 elements")
        return JSONResponse({"posts": [self.post_view(self.posts[u]) for u in uris
                                       if u in self.posts]})

    def create_record(self, request: Request, me: Actor, body: dict[str, Any]) -> Response:
        if body.get("repo") not in (me.did, me.handle):
            raise _Refusal(401, "InvalidRequest", "Input/repo must be the authenticated repo")
        if body.get("collection") != POST:
            raise _Refusal(400, "InvalidRequest", "this sandbox only creates posts")
        record = body.get("record")
        if not isinstance(record, dict) or not isinstance(record.get("text"), str) \
                or not isinstance(record.get("createdAt"), str):
            raise _Refusal(400, "InvalidRequest",
                           "Invalid app.bsky.feed.post record: Record must have the property "
                           '"text" and "createdAt"')
        text = record["text"]
        if len(regex.findall(r"\X", text)) > BLUESKY_GRAPHEMES:
            raise _Refusal(400, "InvalidRequest", "Invalid app.bsky.feed.post record: "
                           f"Record/text must not be longer than {BLUESKY_GRAPHEMES} graphemes")
        rkey = body.get("rkey")
        if rkey is not None and not (isinstance(rkey, str) and TID_RE.match(rkey)):
            raise _Refusal(400, "InvalidRequest", "Invalid record key")
        uri = f"at://{me.did}/{POST}/{rkey}" if rkey else None
        if uri and uri in self.posts:
            raise _Refusal(400, "InvalidRequest", f"Record already exists at {uri}")
        parent = None
        reply = record.get("reply")
        if isinstance(reply, dict):
            parent = self.posts.get(str((reply.get("parent") or {}).get("uri")))
            if parent is None:
                raise _Refusal(400, "InvalidRequest", "Invalid reply: parent not found")
        post = self._create_post(me, text, rkey=rkey, reply_to=parent,
                                 created_at=record["createdAt"])
        root = post.record.get("reply", {}).get("root", {}).get("uri") or post.uri
        self.world.record_created(CreatedRecord(
            platform=PLATFORM, account=me.handle, id=post.uri, text=text,
            in_reply_to=parent.uri if parent else None, thread_id=root,
            created_at=post.indexed_at, idempotency_key=post.uri.rsplit("/", 1)[-1],
            kind="reply"))
        return JSONResponse({"uri": post.uri, "cid": post.cid,
                             "commit": {"cid": _cid(post.uri, "commit"), "rev": self._tid()},
                             "validationStatus": "valid"})

    def get_record(self, request: Request, me: Actor, body: dict[str, Any]) -> Response:
        params = request.query_params
        try:
            repo = self._resolve(params.get("repo", ""))
        except KeyError:
            raise _Refusal(400, "InvalidRequest", "Could not find repo") from None
        uri = f"at://{repo.did}/{params.get('collection')}/{params.get('rkey')}"
        post = self.posts.get(uri)
        if post is None:
            raise _Refusal(400, "RecordNotFound", f"Could not locate record: {uri}")
        return JSONResponse({"uri": post.uri, "cid": post.cid, "value": post.record})

    def list_convos(self, request: Request, me: Actor, body: dict[str, Any]) -> Response:
        limit = _limit(request.query_params.get("limit"), 50)
        before = request.query_params.get("cursor")
        mine = sorted((c for c in (self.convos[i] for i in self._convos_of.get(me.did, []))
                       if c.messages),
                      key=lambda c: c.rev, reverse=True)
        rows = [c for c in mine if before is None or c.rev < before]
        page = rows[:limit]
        result: dict[str, Any] = {"convos": [self.convo_view(c, me.did) for c in page]}
        if len(rows) > limit:
            result["cursor"] = page[-1].rev
        return JSONResponse(result)

    def _my_convo(self, convo_id: str, me: Actor) -> Convo:
        convo = self.convos.get(convo_id)
        if convo is None or me.did not in convo.members:
            raise _Refusal(400, "InvalidConvo", "Convo not found")
        return convo

    def get_messages(self, request: Request, me: Actor, body: dict[str, Any]) -> Response:
        convo = self._my_convo(request.query_params.get("convoId", ""), me)
        limit = _limit(request.query_params.get("limit"), 50)
        before = request.query_params.get("cursor")
        rows = [m for m in reversed(convo.messages) if before is None or m["id"] < before]
        page = rows[:limit]
        result: dict[str, Any] = {"messages": page}
        if len(rows) > limit:
            result["cursor"] = page[-1]["id"]
        return JSONResponse(result)

    def send_message(self, request: Request, me: Actor, body: dict[str, Any]) -> Response:
        convo = self._my_convo(str(body.get("convoId") or ""), me)
        message = body.get("message")
        text = message.get("text") if isinstance(message, dict) else None
        if not isinstance(text, str) or not text:
            raise _Refusal(400, "InvalidRequest", "Input/message/text is required")
        if len(regex.findall(r"\X", text)) > CHAT_GRAPHEMES:
            raise _Refusal(400, "InvalidRequest", "Message is too long")
        created = self._message(convo, me, text)
        self.world.record_created(CreatedRecord(
            platform=PLATFORM, account=me.handle, id=created["id"], text=text,
            in_reply_to=None, thread_id=convo.id, created_at=created["sentAt"], kind="dm"))
        return JSONResponse(created)


def _error(status: int, error: str, message: str,
           headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": error, "message": message}, status, headers=headers)


def _limit(value: str | None, default: int, maximum: int = 100) -> int:
    if value and value.isdigit():
        return max(1, min(maximum, int(value)))
    return default


def _did_for(handle: str) -> str:
    digest = hashlib.sha256(handle.lower().encode()).digest()
    return "did:plc:" + "".join(_B32[b % 32] for b in digest[:24])


def _cid(uri: str, salt: str) -> str:
    digest = hashlib.sha256(f"{uri}|{salt}".encode()).digest()
    return "bafyrei" + "".join(_B32[b % 32] for b in digest[:26])


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + \
        f"{moment.microsecond // 1000:03d}Z"


def create_sim(world: World) -> BlueskySim:
    return BlueskySim(world)
