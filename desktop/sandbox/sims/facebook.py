"""Facebook Pages as the Graph API serves it, for the sandbox (mounted at /facebook).

Brand Pages "Acme" and "Northwind Coffee", each with its own Meta app, a short-lived user
token (listed by the admin API) and a Page token obtained the real way (token exchange, then
`/me/accounts`). State behaves like the platform: a reply appears under the comment (a
reply to a reply goes under the top-level comment, as on Facebook), a comment moves its
post's `updated_time`, a Page message appears in the conversation, and the Messenger window
is enforced (RESPONSE 24 h, HUMAN_AGENT 7 days, else code 10 / subcode 2018278).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from desktop.domain.enums import Platform
from desktop.sandbox.auth import TokenInfo, TokenRejected
from desktop.sandbox.sims.graph_common import (
    CONVERSATION_FIELDS,
    MESSAGE_FIELDS,
    FieldSel,
    GraphApp,
    GraphFail,
    SimConversation,
    SimMessage,
    bad_param,
    check_window,
    edge_summary,
    form_or_json,
    graph_time,
    json_param,
    paginate,
    parse_fields,
    parse_since,
    select,
)
from desktop.sandbox.world import CreatedRecord, CustomerSpec, World

PAGE_FIELDS = frozenset({"id", "name", "username", "link", "category", "fan_count",
                         "followers_count", "access_token"})
POST_FIELDS = frozenset({"id", "message", "created_time", "updated_time", "permalink_url",
                         "shares", "from", "is_published", "status_type"})
COMMENT_FIELDS = frozenset({"id", "message", "created_time", "from", "parent", "permalink_url",
                            "like_count", "comment_count", "attachment", "can_reply_privately",
                            "is_hidden"})
USER_FIELDS = frozenset({"id", "name", "first_name", "last_name", "profile_pic"})
SITE = "https://www.facebook.com"


@dataclass
class SimPost:
    id: str
    message: str
    created: datetime
    updated: datetime
    shares: int = 0
    reactions: int = 0


@dataclass
class SimComment:
    id: str
    post_id: str
    parent_id: str | None
    sender: dict[str, str]
    text: str
    created: datetime
    likes: int = 0
    broken: bool = False  # served without `from` and `created_time` (malformed-item tests)


@dataclass
class Brand:
    handle: str
    name: str
    page_id: str
    app_id: str
    app_secret: str
    user_id: str
    user_token: str
    page_token: str = ""
    posts: list[SimPost] = field(default_factory=list)
    comments: list[SimComment] = field(default_factory=list)
    conversations: list[SimConversation] = field(default_factory=list)

    @property
    def as_sender(self) -> dict[str, str]:
        return {"id": self.page_id, "name": self.name}


BRANDS = (("acme", "Acme"), ("northwind", "Northwind Coffee"))


class FacebookSim:
    platform = Platform.FACEBOOK

    def __init__(self, world: World) -> None:
        self.world = world
        self.brands: dict[str, Brand] = {}
        self.customers: dict[str, dict[str, str]] = {}  # handle -> {"id", "name"}
        for index, (handle, name) in enumerate(BRANDS, start=1):
            brand = Brand(handle=handle, name=name, page_id=f"10{index:013d}",
                          app_id=f"9{index:014d}", app_secret=secrets.token_hex(16),
                          user_id=f"5{index:014d}",
                          user_token=f"sbx-facebook-user-{handle}-{secrets.token_hex(8)}")
            world.tokens.issue("facebook", handle, access_token=brand.user_token,
                               scopes=("user",), ttl_s=None)
            brand.page_token = world.tokens.issue("facebook", handle, scopes=("page",)).access_token
            self.brands[handle] = brand
        self.graph = GraphApp(
            world, "facebook",
            app_secrets={b.handle: b.app_secret for b in self.brands.values()},
            business_ids={b.handle: b.page_id for b in self.brands.values()},
            throttle_code=80001,
        )
        self.reset()

    # --- the PlatformSim protocol -------------------------------------------------------------

    def brand_accounts(self) -> list[dict[str, Any]]:
        return [{"handle": b.handle, "display_name": b.name, "page_id": b.page_id,
                 "app_id": b.app_id, "app_secret": b.app_secret,
                 "user_access_token": b.user_token} for b in self.brands.values()]

    def reset(self) -> None:
        with self.world.lock:
            for brand in self.brands.values():
                brand.posts, brand.comments, brand.conversations = [], [], []
                self._seed(brand)

    def inject(self, account: str, kind: str, text: str, customer: CustomerSpec,
               in_reply_to: str | None) -> dict[str, Any]:
        brand = self.brands[account]
        person = self.customer(customer)
        with self.world.lock:
            if kind == "dm":
                conversation = self._conversation_with(brand, person)
                message = self._message(conversation, person, brand.as_sender, text)
                return {"id": message.id, "thread_id": conversation.id, "kind": kind}
            if kind == "reply":
                target = self._comment(brand, in_reply_to) if in_reply_to else None
                if target is None:
                    raise ValueError("a reply needs in_reply_to: an existing comment id")
                comment = self._add_comment(brand, target.post_id, target.id, person, text)
            else:  # comment, or mention (a comment that names the Page)
                post = self._post(brand, in_reply_to) if in_reply_to else brand.posts[-1]
                if post is None:
                    raise ValueError(f"no post {in_reply_to}")
                if kind == "mention" and brand.name not in text:
                    text = f"@{brand.name} {text}"
                comment = self._add_comment(brand, post.id, None, person, text)
            return {"id": comment.id, "thread_id": comment.post_id, "kind": kind,
                    "in_reply_to": comment.parent_id or comment.post_id}

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/{version}/oauth/access_token", self._exchange, methods=["GET", "POST"]),
            Route("/{version}/", self._root, methods=["GET"]),
            Route("/{version}/{node}", self._get_node, methods=["GET"]),
            Route("/{version}/{node}/{edge}", self._get_edge, methods=["GET"]),
            Route("/{version}/{node}/{edge}", self._post_edge, methods=["POST"]),
        ]

    # --- test helpers (in-process only) -------------------------------------------------------

    def break_item(self, account: str, item_id: str) -> None:
        """Serve this comment or message without its author/time, like a damaged answer."""
        brand = self.brands[account]
        with self.world.lock:
            for comment in brand.comments:
                if comment.id == item_id:
                    comment.broken = True
            for conversation in brand.conversations:
                for message in conversation.messages:
                    if message.id == item_id:
                        message.broken = True

    def age_conversation(self, account: str, conversation_id: str, hours: float) -> None:
        """Move a conversation's messages `hours` into the past (window tests)."""
        with self.world.lock:
            for conversation in self.brands[account].conversations:
                if conversation.id == conversation_id:
                    for message in conversation.messages:
                        message.created -= timedelta(hours=hours)

    # --- state --------------------------------------------------------------------------------

    def customer(self, spec: CustomerSpec) -> dict[str, str]:
        with self.world.lock:
            if spec.handle not in self.customers:
                self.customers[spec.handle] = {
                    "id": f"7{self.world.next_id():015d}",
                    "name": spec.display_name or spec.handle,
                }
            return self.customers[spec.handle]

    def _seed(self, brand: Brand) -> None:
        now = self.world.now()
        texts = ("Welcome to our new Page! 🎉", "Our spring collection is here. What do you think?",
                 "We're hiring community managers in Berlin.")
        for days, text in zip((20, 5, 1), texts, strict=True):
            when = now - timedelta(days=days)
            brand.posts.append(SimPost(f"{brand.page_id}_{self.world.next_id()}", text, when,
                                       when, shares=days, reactions=3 * days + 1))
        mia = self.customer(CustomerSpec("mia.k", "Mia K."))
        first = self._add_comment(brand, brand.posts[1].id, None, mia,
                                  "Is the green jacket available in XL?", now - timedelta(days=4))
        self._add_comment(brand, brand.posts[1].id, first.id, brand.as_sender,
                          "Yes! XL is back in stock since Monday.",
                          now - timedelta(days=4) + timedelta(hours=1))
        self._add_comment(brand, brand.posts[2].id, None,
                          self.customer(CustomerSpec("tom_b", "Tom B.")),
                          "Is the job remote-friendly?", now - timedelta(hours=20))
        for handle, name, hours in (("jonas", "Jonas", 2), ("lea.m", "Lea M.", 30),
                                    ("omar", "Omar", 9 * 24)):
            person = self.customer(CustomerSpec(handle, name))
            conversation = self._conversation_with(brand, person)
            self._message(conversation, person, brand.as_sender,
                          f"Hello {brand.name}, I have a question about my order.",
                          now - timedelta(hours=hours))

    def _add_comment(self, brand: Brand, post_id: str, parent_id: str | None,
                     sender: dict[str, str], text: str, when: datetime | None = None
                     ) -> SimComment:
        when = when or self.world.now()
        parent = self._comment(brand, parent_id) if parent_id else None
        if parent is not None and parent.parent_id:  # Facebook nests one level only
            parent_id = parent.parent_id
        post_number = post_id.split("_")[-1]
        comment = SimComment(f"{post_number}_{self.world.next_id()}", post_id, parent_id,
                             dict(sender), text, when)
        brand.comments.append(comment)
        post = self._post(brand, post_id)
        if post is not None and when > post.updated:
            post.updated = when  # Facebook: a comment updates the post's updated_time
        return comment

    def _conversation_with(self, brand: Brand, person: dict[str, str]) -> SimConversation:
        for conversation in brand.conversations:
            if conversation.customer["id"] == person["id"]:
                return conversation
        conversation = SimConversation(f"t_{self.world.next_id()}", dict(person))
        brand.conversations.append(conversation)
        return conversation

    def _message(self, conversation: SimConversation, sender: dict[str, str],
                 recipient: dict[str, str], text: str, when: datetime | None = None
                 ) -> SimMessage:
        message = SimMessage(f"m_{secrets.token_urlsafe(12)}", dict(sender), dict(recipient),
                             text, when or self.world.now())
        conversation.messages.append(message)
        if sender["id"] == conversation.customer["id"]:
            conversation.unread += 1
        return message

    def _post(self, brand: Brand, post_id: str | None) -> SimPost | None:
        return next((p for p in brand.posts if p.id == post_id), None)

    def _comment(self, brand: Brand, comment_id: str | None) -> SimComment | None:
        return next((c for c in brand.comments if c.id == comment_id), None)

    def _find_conversation(self, brand: Brand, conversation_id: str) -> SimConversation | None:
        return next((c for c in brand.conversations if c.id == conversation_id), None)

    # --- rendering ----------------------------------------------------------------------------

    def _render_post(self, brand: Brand, post: SimPost, fields: dict[str, FieldSel] | None
                     ) -> dict[str, Any]:
        full = {"id": post.id, "message": post.message, "created_time": graph_time(post.created),
                "updated_time": graph_time(post.updated), "from": brand.as_sender,
                "permalink_url": f"{SITE}/{post.id}", "shares": {"count": post.shares},
                "is_published": True, "status_type": "mobile_status_update"}
        count = len([c for c in brand.comments if c.post_id == post.id and not c.parent_id])
        edges = {"comments": lambda sel: edge_summary(count, sel),
                 "reactions": lambda sel: edge_summary(post.reactions, sel),
                 "likes": lambda sel: edge_summary(post.reactions, sel)}
        return select(full, fields, ("created_time", "message", "id"), POST_FIELDS, "PagePost",
                      edges)

    def _render_comment(self, brand: Brand, comment: SimComment,
                        fields: dict[str, FieldSel] | None) -> dict[str, Any]:
        replies = [c for c in brand.comments if c.parent_id == comment.id]
        full: dict[str, Any] = {
            "id": comment.id, "message": comment.text,
            "created_time": None if comment.broken else graph_time(comment.created),
            "from": None if comment.broken else comment.sender,
            "parent": {"id": comment.parent_id} if comment.parent_id else None,
            "permalink_url": f"{SITE}/{comment.post_id}?comment_id={comment.id}",
            "like_count": comment.likes, "comment_count": len(replies),
            "can_reply_privately": not comment.parent_id, "is_hidden": False,
        }
        return select(full, fields, ("created_time", "from", "message", "id"), COMMENT_FIELDS,
                      "Comment")

    def _render_conversation(self, brand: Brand, conversation: SimConversation,
                             fields: dict[str, FieldSel] | None) -> dict[str, Any]:
        full = conversation.full(brand.as_sender, f"/{brand.handle}/inbox")
        return select(full, fields, ("id", "link", "updated_time"), CONVERSATION_FIELDS,
                      "UnifiedThread")

    # --- routes -------------------------------------------------------------------------------

    def _brand_of(self, info: TokenInfo, *, page_token: bool = True) -> Brand:
        brand = self.brands[info.account]
        if page_token and "page" not in info.scopes:
            raise GraphFail("(#190) This method must be called with a Page Access Token",
                            code=190)
        return brand

    async def _exchange(self, request: Request) -> Response:
        """`GET /oauth/access_token?grant_type=fb_exchange_token`: a long-lived user token."""
        try:
            params = await form_or_json(request) if request.method == "POST" else dict(
                request.query_params)
        except GraphFail as fail:
            return fail.response()
        brand = next((b for b in self.brands.values() if b.app_id == params.get("client_id")),
                     None)
        if brand is None or params.get("client_secret") != brand.app_secret:
            return GraphFail("Error validating client secret.", code=1,
                             subcode=None).response()
        if params.get("grant_type") != "fb_exchange_token":
            return bad_param("Unsupported grant_type").response()
        try:
            info = self.world.tokens.check("facebook", params.get("fb_exchange_token"))
        except TokenRejected:
            return GraphFail("Invalid OAuth access token - Cannot parse access token",
                             code=190).response()
        if info.account != brand.handle or "user" not in info.scopes:
            return GraphFail("Error validating access token: The token was not issued for "
                             "this application.", code=190).response()
        long_lived = self.world.tokens.issue("facebook", brand.handle, scopes=("user",))
        return JSONResponse({"access_token": long_lived.access_token, "token_type": "bearer",
                             "expires_in": 5183944})

    async def _root(self, request: Request) -> Response:
        async def handler(request: Request, info: TokenInfo) -> Any:
            brand = self._brand_of(info)
            ids = [i for i in request.query_params.get("ids", "").split(",") if i]
            if not ids:
                raise bad_param("Missing ids")
            fields = parse_fields(request.query_params.get("fields"))
            with self.world.lock:
                return {i: self._node(brand, i, fields) for i in ids}

        return await self.graph.handle(request, handler)

    def _node(self, brand: Brand, node_id: str, fields: dict[str, FieldSel] | None
              ) -> dict[str, Any]:
        if node_id == brand.page_id:
            full = {"id": brand.page_id, "name": brand.name, "username": brand.handle,
                    "link": f"{SITE}/{brand.handle}", "category": "Retail company",
                    "fan_count": 1200, "followers_count": 1350}
            return select(full, fields, ("name", "id"), PAGE_FIELDS, "Page")
        post = self._post(brand, node_id)
        if post is not None:
            return self._render_post(brand, post, fields)
        comment = self._comment(brand, node_id)
        if comment is not None:
            return self._render_comment(brand, comment, fields)
        conversation = self._find_conversation(brand, node_id)
        if conversation is not None:
            return self._render_conversation(brand, conversation, fields)
        for person in self.customers.values():
            if person["id"] == node_id:
                first, _, last = person["name"].partition(" ")
                full = {**person, "first_name": first, "last_name": last or None}
                return select(full, fields, ("name", "id"), USER_FIELDS, "User")
        raise GraphFail(f"Unsupported get request. Object with ID '{node_id}' does not exist, "
                        "cannot be loaded due to missing permissions, or does not support this "
                        "operation.", code=100, subcode=33, type="GraphMethodException")

    async def _get_node(self, request: Request) -> Response:
        async def handler(request: Request, info: TokenInfo) -> Any:
            node = request.path_params["node"]
            fields = parse_fields(request.query_params.get("fields"))
            if node == "me":
                brand = self.brands[info.account]
                if "page" in info.scopes:
                    node = brand.page_id
                else:
                    return {"id": brand.user_id, "name": f"{brand.name} Admin"}
            brand = self._brand_of(info)
            with self.world.lock:
                return self._node(brand, node, fields)

        return await self.graph.handle(request, handler)

    async def _get_edge(self, request: Request) -> Response:
        async def handler(request: Request, info: TokenInfo) -> Any:
            node, edge = request.path_params["node"], request.path_params["edge"]
            fields = parse_fields(request.query_params.get("fields"))
            if node == "me" and edge == "accounts":
                return self._accounts(request, info, fields)
            brand = self._brand_of(info)
            with self.world.lock:
                return self._edge(request, brand, node, edge, fields)

        return await self.graph.handle(request, handler)

    def _accounts(self, request: Request, info: TokenInfo, fields: dict[str, FieldSel] | None
                  ) -> dict[str, Any]:
        if "user" not in info.scopes:
            raise GraphFail("(#100) Tried accessing nonexisting field (accounts) on node type "
                            "(Page)", code=100, type="GraphMethodException")
        brand = self.brands[info.account]
        full = {"id": brand.page_id, "name": brand.name, "username": brand.handle,
                "access_token": brand.page_token, "category": "Retail company"}
        return paginate(request, [full], lambda p: p["id"],
                        lambda p: select(p, fields, ("id", "name", "access_token", "category"),
                                         PAGE_FIELDS, "Page"))

    def _edge(self, request: Request, brand: Brand, node: str, edge: str,
              fields: dict[str, FieldSel] | None) -> dict[str, Any]:
        params = request.query_params
        if node == brand.page_id and edge in ("published_posts", "feed", "posts"):
            posts = sorted(brand.posts, key=lambda p: p.created, reverse=True)
            return paginate(request, posts, lambda p: p.id,
                            lambda p: self._render_post(brand, p, fields))
        if node == brand.page_id and edge == "conversations":
            if params.get("platform", "messenger").lower() != "messenger":
                raise bad_param("This Page has no Instagram account connected")
            conversations = sorted(brand.conversations, key=lambda c: c.updated, reverse=True)
            if params.get("user_id"):
                conversations = [c for c in conversations
                                 if c.customer["id"] == params["user_id"]]
            return paginate(request, conversations, lambda c: c.id,
                            lambda c: self._render_conversation(brand, c, fields))
        conversation = self._find_conversation(brand, node)
        if conversation is not None and edge == "messages":
            messages = sorted(conversation.messages, key=lambda m: m.created, reverse=True)
            return paginate(request, messages, lambda m: m.id,
                            lambda m: select(m.full(), fields, ("id", "created_time"),
                                             MESSAGE_FIELDS, "Message"))
        if edge == "comments" and (self._post(brand, node) or self._comment(brand, node)):
            return self._comments(request, brand, node, fields)
        raise GraphFail(f"Unsupported get request. Object with ID '{node}' does not exist or "
                        f"has no edge {edge}.", code=100, subcode=33, type="GraphMethodException")

    def _comments(self, request: Request, brand: Brand, node: str,
                  fields: dict[str, FieldSel] | None) -> dict[str, Any]:
        params = request.query_params
        if self._post(brand, node) is not None:
            chosen = [c for c in brand.comments if c.post_id == node]
            if params.get("filter", "toplevel") == "toplevel":
                chosen = [c for c in chosen if not c.parent_id]
        else:
            chosen = [c for c in brand.comments if c.parent_id == node]
        since = parse_since(params.get("since"))
        if since is not None:
            chosen = [c for c in chosen if c.created.timestamp() >= since]
        order = params.get("order", "chronological")
        if order not in ("chronological", "reverse_chronological"):
            raise bad_param(f"order must be chronological or reverse_chronological: {order}")
        chosen.sort(key=lambda c: (c.created, c.id), reverse=order == "reverse_chronological")
        return paginate(request, chosen, lambda c: c.id,
                        lambda c: self._render_comment(brand, c, fields))

    async def _post_edge(self, request: Request) -> Response:
        async def handler(request: Request, info: TokenInfo) -> Any:
            brand = self._brand_of(info)
            node, edge = request.path_params["node"], request.path_params["edge"]
            data = await form_or_json(request)
            with self.world.lock:
                if edge == "comments":
                    return self._create_comment(brand, node, data)
                if node == brand.page_id and edge == "messages":
                    return self._send_message(brand, data)
            raise GraphFail(f"Unsupported post request to {node}/{edge}.", code=100,
                            subcode=33, type="GraphMethodException")

        return await self.graph.handle(request, handler)

    def _create_comment(self, brand: Brand, node: str, data: dict[str, Any]) -> dict[str, Any]:
        text = data.get("message")
        if not isinstance(text, str) or not text.strip():
            raise bad_param("Missing message or attachment")
        target = self._comment(brand, node)
        post = self._post(brand, target.post_id if target else node)
        if post is None:
            raise GraphFail(f"Unsupported post request. Object with ID '{node}' does not exist.",
                            code=100, subcode=33, type="GraphMethodException")
        comment = self._add_comment(brand, post.id, target.id if target else None,
                                    brand.as_sender, text)
        self.world.record_created(CreatedRecord(
            platform="facebook", account=brand.handle, id=comment.id, text=text,
            in_reply_to=node, thread_id=post.id, created_at=comment.created.isoformat(),
            kind="reply"))
        return {"id": comment.id}

    def _send_message(self, brand: Brand, data: dict[str, Any]) -> dict[str, Any]:
        recipient = json_param(data.get("recipient"))
        if not isinstance(recipient, dict) or not recipient.get("id"):
            raise bad_param("param recipient must be an object with an id")
        message = json_param(data.get("message"))
        text = message.get("text") if isinstance(message, dict) else None
        if not isinstance(text, str) or not text.strip():
            raise bad_param("param message must be an object with text")
        conversation = next((c for c in brand.conversations
                             if c.customer["id"] == str(recipient["id"])), None)
        if conversation is None:
            raise GraphFail("(#100) No matching user found", code=100, subcode=2018001)
        now = self.world.now()
        check_window(conversation, str(data.get("messaging_type", "")),
                     data.get("tag") if isinstance(data.get("tag"), str) else None, now)
        sent = self._message(conversation, brand.as_sender, conversation.customer, text, now)
        self.world.record_created(CreatedRecord(
            platform="facebook", account=brand.handle, id=sent.id, text=text, in_reply_to=None,
            thread_id=conversation.id, created_at=now.isoformat(), kind="dm"))
        return {"recipient_id": conversation.customer["id"], "message_id": sent.id}


def create_sim(world: World) -> FacebookSim:
    return FacebookSim(world)
