"""TaskSet: holds tasks until done, reports failures, settle waits for tasks started meanwhile."""

from __future__ import annotations

import asyncio

from ui.tasks import TaskSet


def test_failures_are_reported_successes_called_and_settle_waits() -> None:
    failures: list[BaseException] = []
    done: list[str] = []

    async def main() -> None:
        tasks = TaskSet(failures.append)

        async def fail() -> None:
            raise ValueError("no network")

        async def ok() -> None:
            await asyncio.sleep(0.01)
            tasks.spawn(asyncio.sleep(0.02), on_success=lambda: done.append("later"))

        tasks.spawn(fail())
        tasks.spawn(ok(), on_success=lambda: done.append("ok"))
        assert tasks
        await tasks.settle()
        assert not tasks

    asyncio.run(main())
    assert [str(e) for e in failures] == ["no network"]
    assert done == ["ok", "later"]
