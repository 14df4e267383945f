"""The admin API under /__sandbox__: script the customers, the faults and the tokens.

Routes (JSON in and out):
  GET    /accounts                      brand accounts per platform: {"mastodon": [{...}], ...}
  POST   /inbound                       a customer posts: {"platform", "account", "kind",
                                        "text", "customer": {...}, "in_reply_to"?}
  POST   /inbound_batch                 {"items": [inbound, ...]} -> {"items": [...]}
  GET    /created[?platform=&account=]  what brand accounts really created (a JSON list)
  PUT    /faults  / DELETE /faults      set or clear the fault plan
  POST   /reset                         back to the seeded state
  POST   /tokens                        {"platform", "account", "action": expire|revoke|restore}
  PUT    /ratelimits / DELETE           {"platform", "account"?, "limit", "window_s"}
  PUT    /traffic                       {"rate_per_min": R} (0 stops the customers)
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from desktop.sandbox.faults import FaultPlan
from desktop.sandbox.state import Sandbox
from desktop.sandbox.world import CustomerSpec

KINDS = ("mention", "comment", "reply", "dm")


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


async def _json(request: Request) -> Any:
    try:
        return await request.json()
    except ValueError:
        return None


def admin_routes(sandbox: Sandbox) -> list[BaseRoute]:
    base_of = _base_url_of

    async def accounts(request: Request) -> Response:
        result: dict[str, list[dict[str, Any]]] = {}
        for platform, sim in sandbox.sims.items():
            rows = []
            for row in sim.brand_accounts():
                rows.append({"base_url": f"{base_of(request)}/{platform}", **row})
            result[platform] = rows
        return JSONResponse(result)

    async def inbound(request: Request) -> Response:
        result = _inbound_one(await _json(request))
        if isinstance(result, Response):
            return result
        return JSONResponse(result, status_code=201)

    async def inbound_batch(request: Request) -> Response:
        """{"items": [inbound, ...]} in one call (histories of thousands of items);
        stops at the first bad item and says which."""
        body = await _json(request)
        items = body.get("items") if isinstance(body, dict) else None
        if not isinstance(items, list):
            return _error(400, "body must be {\"items\": [...]}")
        created = []
        for index, item in enumerate(items):
            result = _inbound_one(item)
            if isinstance(result, Response):
                return _error(400, f"item {index}: {bytes(result.body).decode()}")
            created.append(result)
        return JSONResponse({"items": created}, status_code=201)

    def _inbound_one(body: Any) -> dict[str, Any] | Response:
        if not isinstance(body, dict):
            return _error(400, "body must be a JSON object")
        sim = sandbox.sims.get(str(body.get("platform")))
        if sim is None:
            return _error(404, f"no sim for platform {body.get('platform')!r}")
        kind = body.get("kind")
        if kind not in KINDS:
            return _error(400, f"kind must be one of {', '.join(KINDS)}")
        raw = body.get("customer") or {}
        if not isinstance(raw, dict) or not raw.get("handle"):
            return _error(400, "customer.handle is required")
        customer = CustomerSpec(
            handle=str(raw["handle"]),
            display_name=str(raw.get("display_name") or ""),
            followers=int(raw.get("followers") or 0),
        )
        account = body.get("account") or _first_handle(sim.brand_accounts())
        try:
            return sim.inject(str(account), kind, str(body.get("text", "")), customer,
                              body.get("in_reply_to"))
        except (KeyError, ValueError) as exc:
            return _error(400, f"cannot inject: {exc}")

    async def created(request: Request) -> Response:
        platform = request.query_params.get("platform")
        account = request.query_params.get("account")
        with sandbox.world.lock:
            records = list(sandbox.world.created)
        return JSONResponse([
            r.as_json() for r in records
            if (platform is None or r.platform == platform)
            and (account is None or r.account == account)
        ])

    async def put_faults(request: Request) -> Response:
        try:
            plan = FaultPlan.from_json(await _json(request))
        except ValueError as exc:
            return _error(400, str(exc))
        sandbox.faults.set_plan(plan)
        return JSONResponse({"rules": len(plan.rules), "seed": plan.seed})

    async def get_faults(request: Request) -> Response:
        return JSONResponse({"rules": len(sandbox.faults.plan.rules),
                             "applied": dict(sandbox.faults.applied)})

    async def delete_faults(request: Request) -> Response:
        sandbox.faults.clear()
        return Response(status_code=204)

    async def reset(request: Request) -> Response:
        sandbox.reset()
        return JSONResponse({"ok": True})

    async def tokens(request: Request) -> Response:
        body = await _json(request)
        if not isinstance(body, dict):
            return _error(400, "body must be a JSON object")
        action = body.get("action")
        registry = sandbox.world.tokens
        switch = {"expire": registry.expire, "revoke": registry.revoke,
                  "restore": registry.restore}.get(str(action))
        if switch is None:
            return _error(400, "action must be expire, revoke or restore")
        count = switch(str(body.get("platform")), str(body.get("account")))
        return JSONResponse({"tokens": count})

    async def put_ratelimits(request: Request) -> Response:
        body = await _json(request)
        if not isinstance(body, dict) or "limit" not in body:
            return _error(400, "body must be {platform, account?, limit, window_s}")
        sandbox.world.limits.configure(
            str(body.get("platform")), int(body["limit"]), float(body.get("window_s", 60)),
            account=body.get("account"),
        )
        return JSONResponse({"ok": True})

    async def delete_ratelimits(request: Request) -> Response:
        sandbox.world.limits.reset()
        return Response(status_code=204)

    async def traffic(request: Request) -> Response:
        body = await _json(request)
        generator = sandbox.extras.get("traffic")
        if generator is None:
            return _error(409, "no traffic generator in this sandbox")
        if not isinstance(body, dict):
            return _error(400, "body must be {rate_per_min}")
        generator.set_rate(float(body.get("rate_per_min", 0)))
        return JSONResponse({"rate_per_min": generator.rate_per_min})

    return [
        Route("/accounts", accounts, methods=["GET"]),
        Route("/inbound", inbound, methods=["POST"]),
        Route("/inbound_batch", inbound_batch, methods=["POST"]),
        Route("/created", created, methods=["GET"]),
        Route("/faults", put_faults, methods=["PUT"]),
        Route("/faults", get_faults, methods=["GET"]),
        Route("/faults", delete_faults, methods=["DELETE"]),
        Route("/reset", reset, methods=["POST"]),
        Route("/tokens", tokens, methods=["POST"]),
        Route("/ratelimits", put_ratelimits, methods=["PUT"]),
        Route("/ratelimits", delete_ratelimits, methods=["DELETE"]),
        Route("/traffic", traffic, methods=["PUT"]),
    ]


def _base_url_of(request: Request) -> str:
    return f"{request.url.scheme}://{request.url.netloc}"


def _first_handle(accounts: list[dict[str, Any]]) -> str:
    return str(accounts[0]["handle"]) if accounts else ""
