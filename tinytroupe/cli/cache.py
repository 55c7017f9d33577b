"""``tinytroupe cache stats|clear``: look at or empty the LLM call cache (CACHE_FILE_NAME)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from tinytroupe.cli.output import Output
from tinytroupe.config import config_manager

__all__ = ["app", "stats", "clear", "cache_path"]

app = typer.Typer(no_args_is_help=True, help="The LLM call cache: statistics, clearing.")


def cache_path(file: Path | None = None) -> Path:
    """The cache file: ``file`` if given, else CACHE_FILE_NAME (relative to the working directory)."""
    name = file if file is not None else Path(str(config_manager.get("cache_file_name") or ""))
    return (Path.cwd() / Path(name).expanduser()).resolve()


def _describe(path: Path) -> dict[str, Any]:
    from tinytroupe.llm.cache import CallCache

    info: dict[str, Any] = {"file": str(path), "enabled": bool(config_manager.get("cache_api_calls")),
                            "exists": path.is_file(), "entries": 0, "bytes": 0}
    if info["exists"]:
        cache = CallCache(path)
        try:
            info["entries"] = len(cache)
        finally:
            cache.close()
        info["bytes"] = sum(p.stat().st_size for p in path.parent.glob(path.name + "*") if p.is_file())
    return info


FileOption = Annotated[Path | None, typer.Option("--file", "-f", help="A cache file other than CACHE_FILE_NAME.")]


@app.command("stats")
def stats(ctx: typer.Context, file: FileOption = None) -> None:
    """Show where the cache is, whether it is on, and how many calls it holds."""
    output: Output = ctx.obj
    info = _describe(cache_path(file))
    if output.json:
        output.emit_json(info)
        return
    state = "on" if info["enabled"] else "off (set CACHE_API_CALLS = True in config.ini to turn it on)"
    output.result(f"cache file: {info['file']}")
    output.result(f"caching:    {state}")
    if info["exists"]:
        output.result(f"entries:    {info['entries']:,} stored calls, {info['bytes'] / 1024:,.1f} KiB")
    else:
        output.result("entries:    none yet (the file does not exist)")


@app.command("clear")
def clear(ctx: typer.Context, file: FileOption = None) -> None:
    """Remove every stored call from the cache (the file stays, empty)."""
    from tinytroupe.llm.cache import CallCache

    output: Output = ctx.obj
    path = cache_path(file)
    removed = 0
    if path.is_file():
        cache = CallCache(path)
        try:
            removed = len(cache)
            cache.clear()
        finally:
            cache.close()
    if output.json:
        output.emit_json({"file": str(path), "removed": removed})
    elif path.is_file():
        output.result(f"Removed {removed:,} stored calls from {path}")
    else:
        output.result(f"Nothing to clear: {path} does not exist")
