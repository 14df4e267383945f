"""A small synchronous client for the admin API, for tests, scripts and the reliability runs."""

from __future__ import annotations

from typing import Any

import httpx


class AdminClient:
    def __init__(self, base_url: str, timeout: float = 10.0) -> None:
        self.base_url = base_url.rstrip("/")
        self._http = httpx.Client(base_url=f"{self.base_url}/__sandbox__", timeout=timeout)

    def _ok(self, response: httpx.Response) -> Any:
        response.raise_for_status()
        return response.json() if response.content else None

    def accounts(self, platform: str | None = None) -> Any:
        data = self._ok(self._http.get("/accounts"))
        return data if platform is None else data.get(platform, [])

    def inbound(self, platform: str, kind: str, text: str, customer: dict[str, Any],
                account: str | None = None, in_reply_to: str | None = None) -> dict[str, Any]:
        body = {"platform": platform, "account": account, "kind": kind, "text": text,
                "customer": customer, "in_reply_to": in_reply_to}
        result: dict[str, Any] = self._ok(self._http.post("/inbound", json=body))
        return result

    def inbound_batch(self, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Many customer posts in one request; each item as for `inbound` (as a dict)."""
        result = self._ok(self._http.post("/inbound_batch", json={"items": items}))
        return list(result["items"])

    def created(self, platform: str | None = None, account: str | None = None
                ) -> list[dict[str, Any]]:
        params = {k: v for k, v in (("platform", platform), ("account", account)) if v}
        result: list[dict[str, Any]] = self._ok(self._http.get("/created", params=params))
        return result

    def set_faults(self, plan: dict[str, Any]) -> Any:
        return self._ok(self._http.put("/faults", json=plan))

    def faults(self) -> Any:
        return self._ok(self._http.get("/faults"))

    def clear_faults(self) -> None:
        self._ok(self._http.delete("/faults"))

    def reset(self) -> None:
        self._ok(self._http.post("/reset"))

    def tokens(self, platform: str, account: str, action: str) -> Any:
        return self._ok(self._http.post(
            "/tokens", json={"platform": platform, "account": account, "action": action}))

    def set_ratelimit(self, platform: str, limit: int, window_s: float,
                      account: str | None = None) -> None:
        self._ok(self._http.put("/ratelimits", json={
            "platform": platform, "account": account, "limit": limit, "window_s": window_s}))

    def clear_ratelimits(self) -> None:
        self._ok(self._http.delete("/ratelimits"))

    def set_traffic(self, rate_per_min: float) -> Any:
        return self._ok(self._http.put("/traffic", json={"rate_per_min": rate_per_min}))

    def close(self) -> None:
        self._http.close()
