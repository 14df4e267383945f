"""A Mastodon server in memory: the slice of the REST API a community manager's inbox uses.

Real paths and shapes (checked against the Mastodon OpenAPI in tests): verify_credentials,
accounts, notifications (types[]/exclude_types[], max_id/min_id/since_id, `Link`),
conversations, statuses (create with `Idempotency-Key`, kept 1 h), context, OAuth apps,
authorize (auto-approved, PKCE) and token. Errors are `{"error": "..."}`; every
authenticated answer carries `X-RateLimit-Limit/Remaining/Reset` (Reset in ISO 8601).
"""

from __future__ import annotations

import base64
import bisect
import hashlib
import html
import re
import secrets
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from desktop.domain.enums import Platform
from desktop.sandbox.auth import TokenInfo, TokenProblem, TokenRejected
from desktop.sandbox.forms import read_params
from desktop.sandbox.world import CreatedRecord, CustomerSpec, World

PLATFORM = "mastodon"
DOMAIN = "sandbox.social"
ID_BASE = 110_000_000_000_000_000  # snowflake-sized ids: numeric and string order agree
IDEMPOTENCY_TTL_S = 3600.0
MAX_CHARS = 500
BRANDS = (("acme", "ACME Corp", 12840), ("globex", "Globex Support", 3120))
TOKEN_MESSAGES = {
    TokenProblem.MISSING: "The access token is invalid",
    TokenProblem.INVALID: "The access token is invalid",
    TokenProblem.EXPIRED: "The access token expired",
    TokenProblem.REVOKED: "The access token was revoked",
}
MENTION_RE = re.compile(r"(?<![\w/])@([A-Za-z0-9_]+(?:@[A-Za-z0-9.-]+)?)")


@dataclass
class MAccount:
    id: str
    username: str
    acct: str
    display_name: str
    followers: int
    created_at: datetime
    brand: bool = False

    def as_json(self, base: str) -> dict[str, Any]:
        url = f"https://{DOMAIN}/@{self.acct}"
        avatar = f"https://{DOMAIN}/avatars/original/missing.png"
        return {
            "id": self.id, "username": self.username, "acct": self.acct,
            "display_name": self.display_name, "locked": False, "bot": False,
            "discoverable": True, "indexable": True, "group": False,
            "created_at": _iso(self.created_at), "note": "", "url": url,
            "uri": f"https://{DOMAIN}/users/{self.username}", "avatar": avatar,
            "avatar_static": avatar, "header": "", "header_static": "",
            "followers_count": self.followers, "following_count": 12, "statuses_count": 3,
            "last_status_at": None, "emojis": [], "fields": [],
        }


@dataclass
class MStatus:
    id: str
    account_id: str
    text: str  # plain text as typed; served as HTML
    visibility: str
    created_at: datetime
    in_reply_to_id: str | None = None
    in_reply_to_account_id: str | None = None
    mention_ids: list[str] = field(default_factory=list)
    conversation_id: str | None = None


@dataclass
class MNotification:
    id: str
    owner_id: str
    type: str
    account_id: str
    status_id: str
    created_at: datetime


class MastodonSim:
    platform = Platform.MASTODON

    def __init__(self, world: World) -> None:
        self.world = world
        self.reset()

    # -- state -------------------------------------------------------------------------
    def reset(self) -> None:
        with self.world.lock:
            self.accounts: dict[str, MAccount] = {}
            self.statuses: dict[str, MStatus] = {}
            self.notifications: dict[str, list[MNotification]] = {}  # owner -> ascending
            self.children: dict[str, list[str]] = {}  # status id -> reply ids, ascending
            self.conversations: dict[str, str] = {}  # conversation id -> last status id
            self.idempotency: dict[tuple[str, str], tuple[str, float]] = {}
            self.apps: dict[str, dict[str, Any]] = {}
            self.codes: dict[str, dict[str, Any]] = {}
            self.brand_tokens: dict[str, str] = {}
            for username, name, followers in BRANDS:
                account = self._new_account(username, name, followers, brand=True)
                token = f"sbx-mastodon-{username}-{self.world.seed}"
                self.world.tokens.issue(PLATFORM, account.acct, access_token=token,
                                        scopes=("read", "write"))
                self.brand_tokens[account.acct] = token
            self._seed_history()

    def _seed_history(self) -> None:
        """A little history: a brand announcement with a customer reply, and one DM."""
        acme = self._by_acct("acme")
        post = self._post(acme, "Our spring collection is live! What do you think?", "public")
        fan = self._customer(CustomerSpec("marta", "Marta Nowak", 210))
        self._post(fan, "@acme love the colours, when does it ship to Poland?", "public",
                   in_reply_to=post)
        asker = self._customer(CustomerSpec("tom@mastodon.example", "Tom", 35))
        self._post(asker, "@acme hi, can you check my order #4411? It is late.", "direct")

    def _next_id(self) -> str:
        return str(ID_BASE + self.world.next_id())

    def _new_account(self, username: str, name: str, followers: int, *, brand: bool = False
                     ) -> MAccount:
        account = MAccount(self._next_id(), username.split("@")[0], username, name or username,
                           followers, self.world.now(), brand)
        self.accounts[account.id] = account
        return account

    def _by_acct(self, acct: str) -> MAccount:
        acct = acct.lstrip("@").removesuffix(f"@{DOMAIN}")
        for account in self.accounts.values():
            if account.acct.lower() == acct.lower():
                return account
        raise KeyError(f"no account @{acct}")

    def _customer(self, spec: CustomerSpec) -> MAccount:
        try:
            account = self._by_acct(spec.handle)
        except KeyError:
            return self._new_account(spec.handle.lstrip("@"), spec.display_name, spec.followers)
        if account.brand:
            raise ValueError(f"@{spec.handle} is a brand account")
        return account

    def _post(self, author: MAccount, text: str, visibility: str, *,
              in_reply_to: MStatus | None = None) -> MStatus:
        """Create a status as the server would: mentions resolved, notifications fanned out."""
        mentioned: list[str] = []
        for handle in MENTION_RE.findall(text):
            try:
                target = self._by_acct(handle)
            except KeyError:
                continue
            if target.id != author.id and target.id not in mentioned:
                mentioned.append(target.id)
        status = MStatus(
            id=self._next_id(), account_id=author.id, text=text, visibility=visibility,
            created_at=self.world.now(), mention_ids=mentioned,
            in_reply_to_id=in_reply_to.id if in_reply_to else None,
            in_reply_to_account_id=in_reply_to.account_id if in_reply_to else None,
        )
        if visibility == "direct":
            parent_conv = in_reply_to.conversation_id if in_reply_to else None
            status.conversation_id = parent_conv or f"c{status.id}"
        self.statuses[status.id] = status
        if in_reply_to is not None:
            self.children.setdefault(in_reply_to.id, []).append(status.id)
        if status.conversation_id:
            self.conversations[status.conversation_id] = status.id
        for target_id in mentioned:
            self.notifications.setdefault(target_id, []).append(MNotification(
                self._next_id(), target_id, "mention", author.id, status.id, status.created_at))
        return status

    def root_of(self, status: MStatus) -> MStatus:
        while status.in_reply_to_id and status.in_reply_to_id in self.statuses:
            status = self.statuses[status.in_reply_to_id]
        return status

    def can_see(self, viewer_id: str, status: MStatus) -> bool:
        if status.visibility in ("public", "unlisted"):
            return True
        return viewer_id == status.account_id or viewer_id in status.mention_ids

    # -- PlatformSim -------------------------------------------------------------------
    def brand_accounts(self) -> list[dict[str, Any]]:
        with self.world.lock:
            return [
                {"handle": a.acct, "display_name": a.display_name, "id": a.id,
                 "access_token": self.brand_tokens[a.acct], "auth": "bearer token or OAuth"}
                for a in self.accounts.values() if a.brand
            ]

    def inject(self, account: str, kind: str, text: str, customer: CustomerSpec,
               in_reply_to: str | None) -> dict[str, Any]:
        if kind not in ("mention", "reply", "dm"):
            raise ValueError(f"Mastodon has no {kind!r}; use mention, reply or dm")
        with self.world.lock:
            brand = self._by_acct(account)
            author = self._customer(customer)
            parent = None
            if in_reply_to is not None:
                parent = self.statuses.get(str(in_reply_to))
                if parent is None:
                    raise KeyError(f"no status {in_reply_to}")
            elif kind == "reply":  # a reply to the brand's newest public post
                own = [s for s in self.statuses.values()
                       if s.account_id == brand.id and s.visibility == "public"]
                parent = max(own, key=lambda s: int(s.id)) if own else None
            if f"@{brand.acct}".lower() not in text.lower():
                text = f"@{brand.acct} {text}"
            status = self._post(author, text, "direct" if kind == "dm" else "public",
                                in_reply_to=parent)
            return {"id": status.id, "thread_id": self.root_of(status).id,
                    "conversation_id": status.conversation_id, "account_id": author.id,
                    "url": self.status_url(status)}

    def status_url(self, status: MStatus) -> str:
        return f"https://{DOMAIN}/@{self.accounts[status.account_id].acct}/{status.id}"

    # -- JSON --------------------------------------------------------------------------
    def status_json(self, status: MStatus) -> dict[str, Any]:
        account = self.accounts[status.account_id]
        mentions = [self.accounts[i] for i in status.mention_ids]
        replies = len(self.children.get(status.id, ()))
        return {
            "id": status.id, "uri": f"https://{DOMAIN}/users/{account.username}/statuses/"
            f"{status.id}", "url": self.status_url(status), "created_at": _iso(status.created_at),
            "account": account.as_json(""), "content": _to_html(status.text, mentions),
            "visibility": status.visibility, "sensitive": False, "spoiler_text": "",
            "media_attachments": [], "application": None,
            "mentions": [{"id": m.id, "username": m.username, "acct": m.acct,
                          "url": f"https://{DOMAIN}/@{m.acct}"} for m in mentions],
            "tags": [], "emojis": [], "reblogs_count": 0, "favourites_count": 0,
            "replies_count": replies, "in_reply_to_id": status.in_reply_to_id,
            "in_reply_to_account_id": status.in_reply_to_account_id, "reblog": None,
            "poll": None, "card": None, "language": "en", "text": None, "edited_at": None,
        }

    def notification_json(self, n: MNotification) -> dict[str, Any]:
        return {"id": n.id, "type": n.type, "created_at": _iso(n.created_at),
                "group_key": f"ungrouped-{n.id}",
                "account": self.accounts[n.account_id].as_json(""),
                "status": self.status_json(self.statuses[n.status_id])}

    # -- routes ------------------------------------------------------------------------
    def routes(self) -> list[BaseRoute]:
        return [
            Route("/api/v1/accounts/verify_credentials", self.verify_credentials),
            Route("/api/v1/accounts/{id}", self.get_account),
            Route("/api/v1/accounts", self.get_accounts),
            Route("/api/v1/notifications", self.list_notifications),
            Route("/api/v1/conversations", self.list_conversations),
            Route("/api/v1/statuses", self.create_status, methods=["POST"]),
            Route("/api/v1/statuses/{id}", self.get_status),
            Route("/api/v1/statuses/{id}/context", self.get_context),
            Route("/api/v1/apps", self.create_app, methods=["POST"]),
            Route("/oauth/authorize", self.authorize),
            Route("/oauth/token", self.token, methods=["POST"]),
        ]

    def _auth(self, request: Request) -> tuple[MAccount, dict[str, str]]:
        """The caller's account and rate-limit headers, or raise _Refusal (401/429)."""
        try:
            info: TokenInfo = self.world.tokens.check_bearer(
                PLATFORM, request.headers.get("authorization"))
        except TokenRejected as exc:
            raise _Refusal(401, TOKEN_MESSAGES[exc.problem], {}) from exc
        state = self.world.limits.hit(PLATFORM, info.account)
        headers = {
            "X-RateLimit-Limit": str(state.limit),
            "X-RateLimit-Remaining": str(state.remaining),
            "X-RateLimit-Reset": _iso(datetime.fromtimestamp(state.reset_at, UTC)),
        }
        if state.exceeded:
            raise _Refusal(429, "Too many requests", headers)
        with self.world.lock:
            return self._by_acct(info.account), headers

    async def _guarded(self, request: Request, handler: Any) -> Response:
        try:
            me, headers = self._auth(request)
            with self.world.lock:
                response: Response = await handler(request, me)
        except _Refusal as refusal:
            return JSONResponse({"error": refusal.message}, refusal.status,
                                headers=refusal.headers)
        response.headers.update(headers)
        return response

    async def verify_credentials(self, request: Request) -> Response:
        async def handle(request: Request, me: MAccount) -> Response:
            body = me.as_json("")
            body["source"] = {"privacy": "public", "sensitive": False, "language": "en",
                              "note": "", "fields": [], "follow_requests_count": 0,
                              "indexable": True}
            body["role"] = {"id": "-99", "name": "", "color": "", "permissions": "0",
                            "highlighted": False}
            return JSONResponse(body)
        return await self._guarded(request, handle)

    async def get_account(self, request: Request) -> Response:
        async def handle(request: Request, me: MAccount) -> Response:
            account = self.accounts.get(request.path_params["id"])
            if account is None:
                raise _Refusal(404, "Record not found", {})
            return JSONResponse(account.as_json(""))
        return await self._guarded(request, handle)

    async def get_accounts(self, request: Request) -> Response:
        async def handle(request: Request, me: MAccount) -> Response:
            ids = request.query_params.getlist("id[]")
            return JSONResponse([self.accounts[i].as_json("") for i in ids
                                 if i in self.accounts])
        return await self._guarded(request, handle)

    async def list_notifications(self, request: Request) -> Response:
        async def handle(request: Request, me: MAccount) -> Response:
            params = request.query_params
            types = set(params.getlist("types[]"))
            excluded = set(params.getlist("exclude_types[]"))
            rows = self.notifications.get(me.id, [])
            if types or excluded:
                rows = [n for n in rows if (not types or n.type in types)
                        and n.type not in excluded]
            page = _paginate(rows, lambda n: n.id, params)
            body = [self.notification_json(n) for n in page]
            return _paged_json(request, body, [n.id for n in page])
        return await self._guarded(request, handle)

    async def list_conversations(self, request: Request) -> Response:
        async def handle(request: Request, me: MAccount) -> Response:
            threads = sorted((self.statuses[i] for i in self.conversations.values()),
                             key=lambda s: int(s.id))
            threads = [s for s in threads if self.can_see(me.id, s)]
            page = _paginate(threads, lambda s: s.id, request.query_params,
                             default_limit=20, max_limit=40)
            body = []
            for last in page:
                involved = {last.account_id, *last.mention_ids} - {me.id}
                body.append({
                    "id": last.conversation_id, "unread": last.account_id != me.id,
                    "accounts": [self.accounts[i].as_json("") for i in sorted(involved)],
                    "last_status": self.status_json(last),
                })
            return _paged_json(request, body, [s.id for s in page])
        return await self._guarded(request, handle)

    def _visible_status(self, me: MAccount, status_id: str) -> MStatus:
        status = self.statuses.get(status_id)
        if status is None or not self.can_see(me.id, status):
            raise _Refusal(404, "Record not found", {})
        return status

    async def get_status(self, request: Request) -> Response:
        async def handle(request: Request, me: MAccount) -> Response:
            status = self._visible_status(me, request.path_params["id"])
            return JSONResponse(self.status_json(status))
        return await self._guarded(request, handle)

    async def get_context(self, request: Request) -> Response:
        async def handle(request: Request, me: MAccount) -> Response:
            status = self._visible_status(me, request.path_params["id"])
            ancestors: list[MStatus] = []
            cursor = status
            while cursor.in_reply_to_id and cursor.in_reply_to_id in self.statuses:
                cursor = self.statuses[cursor.in_reply_to_id]
                ancestors.insert(0, cursor)
            descendants: list[MStatus] = []
            frontier = [status.id]
            while frontier:
                parent = frontier.pop(0)
                children = [self.statuses[i] for i in self.children.get(parent, ())]
                descendants.extend(children)
                frontier.extend(s.id for s in children)
            return JSONResponse({
                "ancestors": [self.status_json(s) for s in ancestors if self.can_see(me.id, s)],
                "descendants": [self.status_json(s) for s in sorted(
                    descendants, key=lambda s: int(s.id)) if self.can_see(me.id, s)],
            })
        return await self._guarded(request, handle)

    async def create_status(self, request: Request) -> Response:
        form = await read_params(request)
        key = request.headers.get("idempotency-key")

        async def handle(request: Request, me: MAccount) -> Response:
            now = time.time()
            if key:
                known = self.idempotency.get((me.id, key))
                if known and now - known[1] < IDEMPOTENCY_TTL_S and known[0] in self.statuses:
                    return JSONResponse(self.status_json(self.statuses[known[0]]))
            text = str(form.get("status") or "")
            if not text.strip():
                raise _Refusal(422, "Validation failed: Text can't be blank", {})
            if len(text) > MAX_CHARS:
                raise _Refusal(422, f"Validation failed: Text character limit of {MAX_CHARS} "
                               "exceeded", {})
            visibility = str(form.get("visibility") or "public")
            if visibility not in ("public", "unlisted", "private", "direct"):
                raise _Refusal(422, "Validation failed: Visibility is not included in the list",
                               {})
            parent = None
            if form.get("in_reply_to_id"):
                parent = self._visible_status(me, str(form["in_reply_to_id"]))
            status = self._post(me, text, visibility, in_reply_to=parent)
            if key:
                self.idempotency[(me.id, key)] = (status.id, now)
            self.world.record_created(CreatedRecord(
                platform=PLATFORM, account=me.acct, id=status.id, text=text,
                in_reply_to=status.in_reply_to_id,
                thread_id=self.root_of(status).id, created_at=_iso(status.created_at),
                idempotency_key=key, kind="dm" if visibility == "direct" else "reply",
            ))
            return JSONResponse(self.status_json(status))
        return await self._guarded(request, handle)

    # -- OAuth (authorization code + PKCE; the sandbox approves at once) -----------------
    async def create_app(self, request: Request) -> Response:
        form = await read_params(request)
        redirect_uris = str(form.get("redirect_uris") or "urn:ietf:wg:oauth:2.0:oob")
        app: dict[str, Any] = {
            "id": str(len(self.apps) + 1), "name": str(form.get("client_name") or "app"),
            "website": form.get("website"), "scopes": str(form.get("scopes") or "read").split(),
            "redirect_uri": redirect_uris, "redirect_uris": redirect_uris.split(),
            "client_id": secrets.token_urlsafe(16), "client_secret": secrets.token_urlsafe(24),
            "client_secret_expires_at": 0, "vapid_key": "",
        }
        with self.world.lock:
            self.apps[app["client_id"]] = app
        return JSONResponse(app)

    async def authorize(self, request: Request) -> Response:
        """Auto-approves as the brand named by `login_hint` (default: the first brand)."""
        params = request.query_params
        app = self.apps.get(params.get("client_id", ""))
        redirect_uri = params.get("redirect_uri", "")
        if app is None or redirect_uri not in app["redirect_uris"]:
            return JSONResponse({"error": "invalid_client"}, 400)
        if params.get("response_type") != "code":
            return JSONResponse({"error": "unsupported_response_type"}, 400)
        with self.world.lock:
            try:
                brand = self._by_acct(params.get("login_hint") or BRANDS[0][0])
            except KeyError:
                return JSONResponse({"error": "access_denied"}, 400)
            code = secrets.token_urlsafe(16)
            self.codes[code] = {
                "client_id": app["client_id"], "redirect_uri": redirect_uri,
                "account": brand.acct, "scope": params.get("scope", "read"),
                "challenge": params.get("code_challenge"),
                "method": params.get("code_challenge_method", "plain"),
            }
        query = {"code": code}
        if params.get("state"):
            query["state"] = params["state"]
        if redirect_uri == "urn:ietf:wg:oauth:2.0:oob":
            return JSONResponse(query)
        return RedirectResponse(f"{redirect_uri}?{urlencode(query)}", status_code=302)

    async def token(self, request: Request) -> Response:
        form = await read_params(request)
        with self.world.lock:
            app = self.apps.get(str(form.get("client_id")))
            if app is None or form.get("client_secret") != app["client_secret"]:
                return JSONResponse({"error": "invalid_client",
                                     "error_description": "Client authentication failed"}, 401)
            if form.get("grant_type") != "authorization_code":
                return JSONResponse({"error": "unsupported_grant_type"}, 400)
            grant = self.codes.pop(str(form.get("code")), None)
        if grant is None or grant["redirect_uri"] != form.get("redirect_uri") \
                or grant["client_id"] != app["client_id"]:
            return JSONResponse({"error": "invalid_grant"}, 400)
        if grant["challenge"] and not _pkce_ok(grant["challenge"], grant["method"],
                                               str(form.get("code_verifier") or "")):
            return JSONResponse({"error": "invalid_grant",
                                 "error_description": "PKCE verification failed"}, 400)
        info = self.world.tokens.issue(PLATFORM, grant["account"],
                                       scopes=tuple(grant["scope"].split()))
        return JSONResponse({"access_token": info.access_token, "token_type": "Bearer",
                             "scope": grant["scope"], "created_at": int(time.time())})


class _Refusal(Exception):
    def __init__(self, status: int, message: str, headers: dict[str, str]) -> None:
        super().__init__(message)
        self.status, self.message, self.headers = status, message, headers


def _paginate(rows: list[Any], key: Any, params: Any, *, default_limit: int = 40,
              max_limit: int = 80) -> list[Any]:
    """Mastodon's id pagination over `rows` sorted by ascending id: served newest first;
    max_id/since_id bound the page, min_id gives the page just above it."""
    try:
        limit = max(1, min(max_limit, int(params.get("limit", default_limit))))
    except ValueError:
        limit = default_limit
    ids = [int(key(r)) for r in rows] if len(rows) < 64 else _IdView(rows, key)
    low, high = 0, len(rows)
    try:
        if params.get("max_id"):
            high = bisect.bisect_left(ids, int(params["max_id"]))
        if params.get("since_id"):
            low = max(low, bisect.bisect_right(ids, int(params["since_id"])))
        if params.get("min_id"):
            low = max(low, bisect.bisect_right(ids, int(params["min_id"])))
            return list(reversed(rows[low:min(high, low + limit)]))
    except ValueError:
        return []
    return list(reversed(rows[max(low, high - limit):high]))


class _IdView:
    """A read-only sequence of integer ids over rows, for bisect without copying."""

    def __init__(self, rows: list[Any], key: Any) -> None:
        self.rows, self.key = rows, key

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, index: int) -> int:
        return int(self.key(self.rows[index]))


def _paged_json(request: Request, body: list[Any], ids: list[str]) -> Response:
    response = JSONResponse(body)
    if ids:
        base = str(request.url.replace(query=""))
        keep = [(k, v) for k, v in request.query_params.multi_items()
                if k not in ("max_id", "min_id", "since_id")]
        nxt = urlencode([*keep, ("max_id", ids[-1])])
        prev = urlencode([*keep, ("min_id", ids[0])])
        response.headers["Link"] = f'<{base}?{nxt}>; rel="next", <{base}?{prev}>; rel="prev"'
    return response


def _pkce_ok(challenge: str, method: str, verifier: str) -> bool:
    if method == "S256":
        digest = hashlib.sha256(verifier.encode()).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode() == challenge
    return secrets.compare_digest(challenge, verifier)


def _to_html(text: str, mentions: list[MAccount]) -> str:
    """Mastodon's rendering: paragraphs, <br>, mention h-cards and linked URLs."""
    escaped = html.escape(text)
    for account in mentions:
        link = (f'<span class="h-card" translate="no"><a href="https://{DOMAIN}/@{account.acct}"'
                f' class="u-url mention">@<span>{html.escape(account.username)}</span></a></span>')
        escaped = re.sub(rf"@{re.escape(html.escape(account.acct))}\b", link, escaped)
    escaped = re.sub(
        r"(?<![\"=])(https?://)([^\s<]+)",
        lambda m: (f'<a href="{m.group(0)}" target="_blank" rel="nofollow noopener">'
                   f'<span class="invisible">{m.group(1)}</span>'
                   f'<span class="">{m.group(2)}</span></a>'),
        escaped,
    )
    paragraphs = [p.replace("\n", "<br>") for p in escaped.split("\n\n")]
    return "".join(f"<p>{p}</p>" for p in paragraphs)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + \
        f"{moment.microsecond // 1000:03d}Z"


def create_sim(world: World) -> MastodonSim:
    return MastodonSim(world)
