"""Instagram (Graph API through the linked Facebook Page), for the sandbox at /instagram.

Brand account "acme" (professional account linked to the Page "Acme"). Served like
graph.facebook.com: token exchange, `/me/accounts` with `instagram_business_account`,
`/{ig-user-id}` and `/media`, `/{ig-media-id}/comments` with nested `replies{...}`,
`/{ig-comment-id}/replies`, `/{page-id}/conversations?platform=instagram`,
`/{conversation-id}/messages` and `POST /{page-id}/messages` with the 24-hour / HUMAN_AGENT
window. Mentions in other people's posts are webhook-only on Instagram, so "mention" is
injected as a comment naming @acme on the account's latest post.
"""

from __future__ import annotations

import base64
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
    form_or_json,
    graph_time,
    json_param,
    paginate,
    parse_fields,
    select,
)
from desktop.sandbox.world import CreatedRecord, CustomerSpec, World

PAGE_FIELDS = frozenset({"id", "name", "username", "access_token", "category"})
IG_USER_FIELDS = frozenset({"id", "username", "name", "followers_count", "follows_count",
                            "media_count", "profile_picture_url", "biography", "website"})
MEDIA_FIELDS = frozenset({"id", "caption", "timestamp", "permalink", "media_type", "media_url",
                          "like_count", "comments_count", "username", "media_product_type",
                          "shortcode", "is_comment_enabled"})
COMMENT_FIELDS = frozenset({"id", "text", "timestamp", "username", "from", "like_count",
                            "parent_id", "hidden"})
SITE = "https://www.instagram.com"


@dataclass
class SimMedia:
    id: str
    caption: str
    created: datetime
    likes: int = 0


@dataclass
class SimIGComment:
    id: str
    media_id: str
    parent_id: str | None
    sender: dict[str, str]  # {"id", "username"}
    text: str
    created: datetime
    likes: int = 0
    broken: bool = False  # served without timestamp, from and username


@dataclass
class IGBrand:
    handle: str
    name: str
    page_id: str
    ig_user_id: str
    app_id: str
    app_secret: str
    user_id: str
    user_token: str
    page_token: str = ""
    media: list[SimMedia] = field(default_factory=list)
    comments: list[SimIGComment] = field(default_factory=list)
    conversations: list[SimConversation] = field(default_factory=list)

    @property
    def as_sender(self) -> dict[str, str]:
        return {"id": self.ig_user_id, "username": self.handle}


class InstagramSim:
    platform = Platform.INSTAGRAM

    def __init__(self, world: World) -> None:
        self.world = world
        self.customers: dict[str, dict[str, str]] = {}
        brand = IGBrand(handle="acme", name="Acme", page_id="100000000000001",
                        ig_user_id="17841400000000001", app_id="900000000000011",
                        app_secret=secrets.token_hex(16), user_id="500000000000011",
                        user_token=f"sbx-instagram-user-acme-{secrets.token_hex(8)}")
        world.tokens.issue("instagram", brand.handle, access_token=brand.user_token,
                           scopes=("user",))
        brand.page_token = world.tokens.issue("instagram", brand.handle,
                                              scopes=("page",)).access_token
        self.brands = {brand.handle: brand}
        self.graph = GraphApp(world, "instagram", app_secrets={"acme": brand.app_secret},
                              business_ids={"acme": brand.ig_user_id}, throttle_code=80002)
        self.reset()

    # --- the PlatformSim protocol -------------------------------------------------------------

    def brand_accounts(self) -> list[dict[str, Any]]:
        return [{"handle": b.handle, "display_name": b.name, "page_id": b.page_id,
                 "ig_user_id": b.ig_user_id, "app_id": b.app_id, "app_secret": b.app_secret,
                 "user_access_token": b.user_token} for b in self.brands.values()]

    def reset(self) -> None:
        with self.world.lock:
            for brand in self.brands.values():
                brand.media, brand.comments, brand.conversations = [], [], []
                self._seed(brand)

    def inject(self, account: str, kind: str, text: str, customer: CustomerSpec,
               in_reply_to: str | None) -> dict[str, Any]:
        brand = self.brands[account]
        person = self.customer(customer)
        with self.world.lock:
            if kind == "dm":
                conversation = self._conversation_with(brand, person)
                message = SimMessage(f"aWdfZAG{secrets.token_urlsafe(16)}", dict(person),
                                     brand.as_sender, text, self.world.now())
                conversation.messages.append(message)
                conversation.unread += 1
                return {"id": message.id, "thread_id": conversation.id, "kind": kind}
            if kind == "reply":
                target = self._comment(brand, in_reply_to) if in_reply_to else None
                if target is None:
                    raise ValueError("a reply needs in_reply_to: an existing comment id")
                comment = self._add_comment(brand, target.media_id, target.id, person, text)
            else:
                media = self._media(brand, in_reply_to) if in_reply_to else brand.media[-1]
                if media is None:
                    raise ValueError(f"no media {in_reply_to}")
                if kind == "mention" and f"@{brand.handle}" not in text:
                    text = f"@{brand.handle} {text}"
                comment = self._add_comment(brand, media.id, None, person, text)
            return {"id": comment.id, "thread_id": comment.media_id, "kind": kind,
                    "in_reply_to": comment.parent_id or comment.media_id}

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
        with self.world.lock:
            brand = self.brands[account]
            for comment in brand.comments:
                if comment.id == item_id:
                    comment.broken = True
            for conversation in brand.conversations:
                for message in conversation.messages:
                    if message.id == item_id:
                        message.broken = True

    # --- state --------------------------------------------------------------------------------

    def customer(self, spec: CustomerSpec) -> dict[str, str]:
        with self.world.lock:
            if spec.handle not in self.customers:
                self.customers[spec.handle] = {"id": f"66{self.world.next_id():014d}",
                                               "username": spec.handle}
            return self.customers[spec.handle]

    def _seed(self, brand: IGBrand) -> None:
        now = self.world.now()
        for days, caption in ((12, "Behind the scenes at the studio ✨"),
                              (3, "New drop this Friday. Which colour? 🟢🔵"),
                              (1, "Thank you for 10k followers! 🙏")):
            brand.media.append(SimMedia(f"179{self.world.next_id():014d}", caption,
                                        now - timedelta(days=days), likes=40 * days))
        ana = self.customer(CustomerSpec("ana.design"))
        first = self._add_comment(brand, brand.media[1].id, None, ana,
                                  "Green please! When does it ship to Portugal?",
                                  now - timedelta(days=2))
        self._add_comment(brand, brand.media[1].id, first.id, brand.as_sender,
                          "Green it is 💚 Shipping to Portugal from next week.",
                          now - timedelta(days=2) + timedelta(hours=2))
        for handle, hours in (("kai.r", 3), ("sofia_v", 40)):
            person = self.customer(CustomerSpec(handle))
            conversation = self._conversation_with(brand, person)
            conversation.messages.append(SimMessage(
                f"aWdfZAG{secrets.token_urlsafe(16)}", dict(person), brand.as_sender,
                "Hi! Is my order on its way?", now - timedelta(hours=hours)))

    def _add_comment(self, brand: IGBrand, media_id: str, parent_id: str | None,
                     sender: dict[str, str], text: str, when: datetime | None = None
                     ) -> SimIGComment:
        parent = self._comment(brand, parent_id) if parent_id else None
        if parent is not None and parent.parent_id:  # one level of replies, as on Instagram
            parent_id = parent.parent_id
        comment = SimIGComment(f"178{self.world.next_id():014d}", media_id, parent_id,
                               dict(sender), text, when or self.world.now())
        brand.comments.append(comment)
        return comment

    def _conversation_with(self, brand: IGBrand, person: dict[str, str]) -> SimConversation:
        for conversation in brand.conversations:
            if conversation.customer["id"] == person["id"]:
                return conversation
        raw = f"ig_conversation:{self.world.next_id()}".encode()
        conversation = SimConversation(base64.urlsafe_b64encode(raw).decode().rstrip("="),
                                        dict(person))
        brand.conversations.append(conversation)
        return conversation

    def _media(self, brand: IGBrand, media_id: str | None) -> SimMedia | None:
        return next((m for m in brand.media if m.id == media_id), None)

    def _comment(self, brand: IGBrand, comment_id: str | None) -> SimIGComment | None:
        return next((c for c in brand.comments if c.id == comment_id), None)

    # --- rendering ----------------------------------------------------------------------------

    def _render_media(self, brand: IGBrand, media: SimMedia, fields: dict[str, FieldSel] | None
                      ) -> dict[str, Any]:
        full = {"id": media.id, "caption": media.caption, "timestamp": graph_time(media.created),
                "permalink": f"{SITE}/p/{media.id[-8:]}/", "media_type": "IMAGE",
                "media_url": f"https://cdn.invalid/{media.id}.jpg", "like_count": media.likes,
                "comments_count": len([c for c in brand.comments if c.media_id == media.id]),
                "username": brand.handle, "media_product_type": "FEED",
                "shortcode": media.id[-8:], "is_comment_enabled": True}
        return select(full, fields, ("id",), MEDIA_FIELDS, "IGMedia")

    def _render_comment(self, brand: IGBrand, comment: SimIGComment,
                        fields: dict[str, FieldSel] | None) -> dict[str, Any]:
        full: dict[str, Any] = {
            "id": comment.id, "text": comment.text,
            "timestamp": None if comment.broken else graph_time(comment.created),
            "username": None if comment.broken else comment.sender["username"],
            "from": None if comment.broken else comment.sender,
            "like_count": comment.likes, "parent_id": comment.parent_id, "hidden": False,
        }

        def replies(sel: FieldSel) -> dict[str, Any]:
            chosen = sorted((c for c in brand.comments if c.parent_id == comment.id),
                            key=lambda c: (c.created, c.id))
            limit = int(sel.mods.get("limit", "25"))
            data = [self._render_comment(brand, c, sel.sub) for c in chosen[:limit]]
            return {"data": data}

        return select(full, fields, ("id", "text", "timestamp"), COMMENT_FIELDS, "IGComment",
                      {"replies": replies} if comment.parent_id is None else None)

    # --- routes -------------------------------------------------------------------------------

    def _brand_of(self, info: TokenInfo) -> IGBrand:
        if "page" not in info.scopes:
            raise GraphFail("(#190) This method must be called with a Page Access Token",
                            code=190)
        return self.brands[info.account]

    async def _exchange(self, request: Request) -> Response:
        try:
            params = await form_or_json(request) if request.method == "POST" else dict(
                request.query_params)
        except GraphFail as fail:
            return fail.response()
        brand = next((b for b in self.brands.values() if b.app_id == params.get("client_id")),
                     None)
        if brand is None or params.get("client_secret") != brand.app_secret:
            return GraphFail("Error validating client secret.", code=1).response()
        if params.get("grant_type") != "fb_exchange_token":
            return bad_param("Unsupported grant_type").response()
        try:
            info = self.world.tokens.check("instagram", params.get("fb_exchange_token"))
        except TokenRejected:
            return GraphFail("Invalid OAuth access token - Cannot parse access token",
                             code=190).response()
        if info.account != brand.handle or "user" not in info.scopes:
            return GraphFail("Error validating access token.", code=190).response()
        long_lived = self.world.tokens.issue("instagram", brand.handle, scopes=("user",))
        return JSONResponse({"access_token": long_lived.access_token, "token_type": "bearer",
                             "expires_in": 5183944})

    def _node(self, brand: IGBrand, node_id: str, fields: dict[str, FieldSel] | None
              ) -> dict[str, Any]:
        full: dict[str, Any]
        if node_id == brand.page_id:
            full = {"id": brand.page_id, "name": brand.name, "username": brand.handle,
                    "category": "Retail company"}
            return select(full, fields, ("name", "id"), PAGE_FIELDS, "Page",
                          {"instagram_business_account": lambda sel: {
                              "id": brand.ig_user_id, "username": brand.handle}})
        if node_id == brand.ig_user_id:
            full = {"id": brand.ig_user_id, "username": brand.handle, "name": brand.name,
                    "followers_count": 10240, "follows_count": 180,
                    "media_count": len(brand.media), "biography": "Acme on Instagram",
                    "website": "https://acme.invalid"}
            return select(full, fields, ("id",), IG_USER_FIELDS, "IGUser")
        media = self._media(brand, node_id)
        if media is not None:
            return self._render_media(brand, media, fields)
        comment = self._comment(brand, node_id)
        if comment is not None:
            return self._render_comment(brand, comment, fields)
        for person in self.customers.values():
            if person["id"] == node_id:
                return select({**person, "name": person["username"]}, fields, ("id",),
                              frozenset({"id", "username", "name"}), "IGUser")
        raise GraphFail(f"Unsupported get request. Object with ID '{node_id}' does not exist, "
                        "cannot be loaded due to missing permissions, or does not support this "
                        "operation.", code=100, subcode=33, type="GraphMethodException")

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

    async def _get_node(self, request: Request) -> Response:
        async def handler(request: Request, info: TokenInfo) -> Any:
            node = request.path_params["node"]
            brand = self.brands[info.account]
            if node == "me":
                if "page" not in info.scopes:
                    return {"id": brand.user_id, "name": f"{brand.name} Admin"}
                node = brand.page_id
            brand = self._brand_of(info)
            with self.world.lock:
                return self._node(brand, node, parse_fields(request.query_params.get("fields")))

        return await self.graph.handle(request, handler)

    async def _get_edge(self, request: Request) -> Response:
        async def handler(request: Request, info: TokenInfo) -> Any:
            node, edge = request.path_params["node"], request.path_params["edge"]
            fields = parse_fields(request.query_params.get("fields"))
            brand = self.brands[info.account]
            if node == "me" and edge == "accounts":
                if "user" not in info.scopes:
                    raise bad_param("Tried accessing nonexisting field (accounts)")
                full = {"id": brand.page_id, "name": brand.name, "username": brand.handle,
                        "access_token": brand.page_token, "category": "Retail company"}
                ig = {"instagram_business_account": lambda sel: {
                    "id": brand.ig_user_id, "username": brand.handle}}
                return paginate(request, [full], lambda p: p["id"],
                                lambda p: select(p, fields, ("id", "name", "access_token"),
                                                 PAGE_FIELDS, "Page", ig))
            brand = self._brand_of(info)
            with self.world.lock:
                return self._edge(request, brand, node, edge, fields)

        return await self.graph.handle(request, handler)

    def _edge(self, request: Request, brand: IGBrand, node: str, edge: str,
              fields: dict[str, FieldSel] | None) -> dict[str, Any]:
        if node == brand.ig_user_id and edge == "media":
            media = sorted(brand.media, key=lambda m: m.created, reverse=True)
            return paginate(request, media, lambda m: m.id,
                            lambda m: self._render_media(brand, m, fields))
        if self._media(brand, node) is not None and edge == "comments":
            top = sorted((c for c in brand.comments if c.media_id == node and not c.parent_id),
                         key=lambda c: (c.created, c.id), reverse=True)
            return paginate(request, top, lambda c: c.id,
                            lambda c: self._render_comment(brand, c, fields), max_limit=50)
        if self._comment(brand, node) is not None and edge == "replies":
            replies = sorted((c for c in brand.comments if c.parent_id == node),
                             key=lambda c: (c.created, c.id))
            return paginate(request, replies, lambda c: c.id,
                            lambda c: self._render_comment(brand, c, fields))
        if node == brand.page_id and edge == "conversations":
            if request.query_params.get("platform", "").lower() != "instagram":
                raise bad_param("platform must be instagram for this account's conversations")
            conversations = sorted(brand.conversations, key=lambda c: c.updated, reverse=True)
            return paginate(request, conversations, lambda c: c.id,
                            lambda c: select(c.full(brand.as_sender, f"{SITE}/direct/t"),
                                             fields, ("id", "updated_time"),
                                             CONVERSATION_FIELDS, "UnifiedThread"))
        conversation = next((c for c in brand.conversations if c.id == node), None)
        if conversation is not None and edge == "messages":
            messages = sorted(conversation.messages, key=lambda m: m.created, reverse=True)
            return paginate(request, messages, lambda m: m.id,
                            lambda m: select(m.full(), fields, ("id", "created_time"),
                                             MESSAGE_FIELDS, "Message"))
        raise GraphFail(f"Unsupported get request. Object with ID '{node}' does not exist or "
                        f"has no edge {edge}.", code=100, subcode=33, type="GraphMethodException")

    async def _post_edge(self, request: Request) -> Response:
        async def handler(request: Request, info: TokenInfo) -> Any:
            brand = self._brand_of(info)
            node, edge = request.path_params["node"], request.path_params["edge"]
            data = await form_or_json(request)
            with self.world.lock:
                if edge in ("replies", "comments"):
                    return self._create_comment(brand, node, edge, data)
                if node == brand.page_id and edge == "messages":
                    return self._send_message(brand, data)
            raise GraphFail(f"Unsupported post request to {node}/{edge}.", code=100,
                            subcode=33, type="GraphMethodException")

        return await self.graph.handle(request, handler)

    def _create_comment(self, brand: IGBrand, node: str, edge: str, data: dict[str, Any]
                        ) -> dict[str, Any]:
        text = data.get("message")
        if not isinstance(text, str) or not text.strip():
            raise bad_param("The parameter message is required")
        target = self._comment(brand, node) if edge == "replies" else None
        media = self._media(brand, target.media_id if target else node)
        if media is None or (edge == "replies" and target is None):
            raise GraphFail(f"Unsupported post request. Object with ID '{node}' does not exist.",
                            code=100, subcode=33, type="GraphMethodException")
        comment = self._add_comment(brand, media.id, target.id if target else None,
                                    brand.as_sender, text)
        self.world.record_created(CreatedRecord(
            platform="instagram", account=brand.handle, id=comment.id, text=text,
            in_reply_to=node, thread_id=media.id, created_at=comment.created.isoformat(),
            kind="reply"))
        return {"id": comment.id}

    def _send_message(self, brand: IGBrand, data: dict[str, Any]) -> dict[str, Any]:
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
        sent = SimMessage(f"aWdfZAG{secrets.token_urlsafe(16)}", brand.as_sender,
                          dict(conversation.customer), text, now)
        conversation.messages.append(sent)
        self.world.record_created(CreatedRecord(
            platform="instagram", account=brand.handle, id=sent.id, text=text, in_reply_to=None,
            thread_id=conversation.id, created_at=now.isoformat(), kind="dm"))
        return {"recipient_id": conversation.customer["id"], "message_id": sent.id}


def create_sim(world: World) -> InstagramSim:
    return InstagramSim(world)
