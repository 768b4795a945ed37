"""A real headless Chromium, driven over the DevTools protocol on loopback.

Opens a local HTML file, collects console messages and uncaught exceptions,
reads what the page renders (via JavaScript in the page) and takes a PNG
screenshot. Uses Debian's ``chromium`` (installed by .ci/run) and the
``websockets`` client that Prefect already brings.
"""

from __future__ import annotations

import asyncio
import base64
import json
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--remote-debugging-address=127.0.0.1",
    "--remote-debugging-port=0",
    "--window-size=1280,2000",
]


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@dataclass
class PageVisit:
    console: list[dict[str, Any]] = field(default_factory=list)
    exceptions: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    headings: list[str] = field(default_factory=list)
    title: str = ""
    screenshot: bytes = b""

    @property
    def console_errors(self) -> list[dict[str, Any]]:
        return [m for m in self.console if m.get("type") in ("error", "assert")]


def visit(page: Path, screenshot: Path) -> PageVisit:
    """Open ``page`` in headless Chromium; save a screenshot; report what happened."""
    binary = chromium_path()
    if binary is None:
        raise RuntimeError("chromium is not installed")
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as profile:
        process = subprocess.Popen(
            [binary, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "about:blank"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            port_file = Path(profile) / "DevToolsActivePort"
            deadline = time.monotonic() + 60
            while not port_file.exists() or not port_file.read_text().strip():
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("chromium did not open its DevTools port")
                time.sleep(0.1)
            port = int(port_file.read_text().split()[0])
            result = asyncio.run(_drive(port, page.resolve().as_uri()))
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
    screenshot.write_bytes(result.screenshot)
    return result


async def _drive(port: int, url: str) -> PageVisit:
    import urllib.request

    from websockets.asyncio.client import connect

    with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as answer:
        targets = json.load(answer)
    target = next(t for t in targets if t.get("type") == "page")
    outcome = PageVisit()
    async with connect(target["webSocketDebuggerUrl"], max_size=64 * 2**20) as socket:
        counter = 0
        loaded = asyncio.Event()
        pending: dict[int, asyncio.Future[dict[str, Any]]] = {}

        async def reader() -> None:
            async for raw in socket:
                message = json.loads(raw)
                if "id" in message and message["id"] in pending:
                    pending.pop(message["id"]).set_result(message)
                    continue
                method = message.get("method")
                params = message.get("params", {})
                if method == "Runtime.consoleAPICalled":
                    text = " ".join(
                        str(a.get("value", a.get("description", ""))) for a in params["args"]
                    )
                    outcome.console.append({"type": params["type"], "text": text})
                elif method == "Runtime.exceptionThrown":
                    outcome.exceptions.append(params["exceptionDetails"].get("text", ""))
                elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
                    outcome.console.append({"type": "error", "text": params["entry"]["text"]})
                elif method == "Network.loadingFailed":
                    outcome.failed_requests.append(params.get("errorText", ""))
                elif method == "Page.loadEventFired":
                    loaded.set()

        async def call(method: str, **params: Any) -> dict[str, Any]:
            nonlocal counter
            counter += 1
            future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
            pending[counter] = future
            await socket.send(json.dumps({"id": counter, "method": method, "params": params}))
            answer = await asyncio.wait_for(future, 30)
            if "error" in answer:
                raise RuntimeError(f"{method}: {answer['error']}")
            return answer.get("result", {})

        listener = asyncio.create_task(reader())
        for domain in ("Page", "Runtime", "Log", "Network"):
            await call(f"{domain}.enable")
        await call("Page.navigate", url=url)
        await asyncio.wait_for(loaded.wait(), 30)
        evaluated = await call(
            "Runtime.evaluate",
            expression="JSON.stringify({title: document.title, headings: "
            "[...document.querySelectorAll('h1,h2')].map(h => h.innerText)})",
            returnByValue=True,
        )
        page = json.loads(evaluated["result"]["value"])
        outcome.title = page["title"]
        outcome.headings = page["headings"]
        shot = await call("Page.captureScreenshot", format="png", captureBeyondViewport=True)
        outcome.screenshot = base64.b64decode(shot["data"])
        listener.cancel()
    return outcome
