"""The ``tinytroupe`` command: global options, command groups, errors as one clean line.

Exit codes: 0 success; 1 failure (the model or the run failed); 2 bad usage or input (a
wrong option, a bad scenario, persona or config file, a missing extra); 3 stopped by a budget;
4 a partial result (the run finished, but a per-person step failed for someone: each reason is
in the summary); 130 stopped by Ctrl-C.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from tinytroupe.cli.output import Output
from tinytroupe.config import config_manager
from tinytroupe.errors import ConfigError, MissingExtraError, SpecificationError, TinyTroupeError

__all__ = ["app", "main", "hoist_global_options", "EXIT_OK", "EXIT_FAILURE", "EXIT_USAGE", "EXIT_INTERRUPTED"]

EXIT_OK, EXIT_FAILURE, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


def _output(ctx: typer.Context) -> Output:
    found = ctx.find_object(Output)
    return found if found is not None else Output()


# global options, and whether each takes a value; they may also come after the command
_GLOBAL_OPTIONS = {"--model": True, "-m": True, "--config": True, "-c": True, "--seed": True,
                   "--quiet": False, "-q": False, "--json": False, "--debug": False}


def hoist_global_options(args: list[str]) -> list[str]:
    """``args`` with the global options found after the command moved before it, so that
    ``tinytroupe personas generate --n 3 --model local`` means ``tinytroupe --model local personas ...``."""
    args = list(args)
    i = 0
    while i < len(args) and args[i].startswith("-"):  # global options already in front
        i += 2 if _GLOBAL_OPTIONS.get(args[i]) else 1
    if i >= len(args):
        return args
    front, command, rest, moved = args[:i], args[i], args[i + 1:], []
    kept: list[str] = []
    j = 0
    while j < len(rest):
        token = rest[j]
        if token == "--":
            kept += rest[j:]
            break
        name = token.split("=", 1)[0]
        if name in _GLOBAL_OPTIONS:
            takes = _GLOBAL_OPTIONS[name] and "=" not in token
            moved += rest[j:j + 2] if takes else [token]
            j += 2 if takes else 1
            continue
        kept.append(token)
        j += 1
    return front + moved + [command] + kept


class _Group(TyperGroup):
    """Runs commands, turning tinytroupe errors into one line and an exit code."""

    def list_commands(self, ctx: typer.Context) -> list[str]:
        return list(self.commands)  # in the order they were added, not sorted

    def parse_args(self, ctx: typer.Context, args: list[str]) -> list[str]:
        if ctx.parent is None:  # the top-level command: global options may follow the subcommand
            args = hoist_global_options(args)
        return super().parse_args(ctx, args)

    def invoke(self, ctx: typer.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, typer.TyperException):
            raise
        except (SpecificationError, ConfigError, MissingExtraError) as exc:
            _fail(ctx, exc, EXIT_USAGE)
        except TinyTroupeError as exc:
            _fail(ctx, exc, EXIT_FAILURE)
        except KeyboardInterrupt:
            _output(ctx).error("stopped by Ctrl-C.")
            raise typer.Exit(EXIT_INTERRUPTED) from None
        except Exception as exc:  # an unexpected bug: still one line unless --debug
            if _output(ctx).debug:
                raise
            _fail(ctx, exc, EXIT_FAILURE, hint=" (run with --debug for the traceback)")


def _fail(ctx: typer.Context, exc: BaseException, code: int, hint: str = "") -> None:
    output = _output(ctx)
    if output.debug:
        output.err.print_exception(show_locals=False)
    text = " ".join(str(exc).split()) or type(exc).__name__
    if not isinstance(exc, TinyTroupeError):
        text = f"{type(exc).__name__}: {text}"
    output.error(text + hint)
    raise typer.Exit(code)


app = typer.Typer(
    name="tinytroupe", cls=_Group, no_args_is_help=True, add_completion=False,
    pretty_exceptions_enable=False, rich_markup_mode=None,
    help="Simulate people with LLM-driven agents: focus groups, interviews, synthetic data.",
    context_settings={"help_option_names": ["-h", "--help"]},
)


@app.callback()
def _global_options(
    ctx: typer.Context,
    model: Annotated[str | None, typer.Option(
        "--model", "-m", envvar="TINYTROUPE_MODEL", show_envvar=True,
        help="Model name (e.g. gpt-4.1-mini, llama3.1), or 'local' for the embedded model.")] = None,
    config: Annotated[Path | None, typer.Option(
        "--config", "-c", envvar="TINYTROUPE_CONFIG", show_envvar=True,
        help="A config.ini to read instead of ./config.ini.")] = None,
    seed: Annotated[int | None, typer.Option(
        "--seed", envvar="TINYTROUPE_SEED", show_envvar=True,
        help="Seed for sampling and for providers that take one.")] = None,
    quiet: Annotated[bool, typer.Option(
        "--quiet", "-q", envvar="TINYTROUPE_QUIET", help="Only print results (file paths, errors).")] = False,
    json_output: Annotated[bool, typer.Option("--json", help="Print one JSON document with the result.")] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks and debug logs.")] = False,
) -> None:
    """Global options apply to every command; environment variables are fallbacks."""
    from tinytroupe.cli.models import apply_model_choice

    output = Output(quiet=quiet, json=json_output, debug=debug)
    ctx.obj = output
    ctx.meta["seed_given"] = seed is not None
    if config is not None:
        if not config.is_file():
            raise typer.BadParameter(f"{config} not found; give the path of an existing config.ini",
                                     param_hint="--config")
        config_manager.load_file(config)
    if seed is not None:
        from_env = getattr(ctx.get_parameter_source("seed"), "name", "") == "ENVIRONMENT"
        config_manager.update("seed", seed, source="environment variable TINYTROUPE_SEED" if from_env else "--seed")
    config_manager.update("display", "off")  # the CLI renders events itself
    if debug:
        config_manager.update("loglevel", "DEBUG")
        logging.basicConfig(level=logging.DEBUG, stream=sys.stderr)
    config_manager.configure_logging()
    try:
        apply_model_choice(model)
    except ConfigError as exc:
        raise typer.BadParameter(str(exc), param_hint="--model") from None


def _register() -> None:
    from tinytroupe.cli import cache, chat, config_cmd, demo, personas, report, run

    app.command("demo")(demo.demo)
    app.command("run")(run.run)
    app.command("report")(report.report)
    app.command("chat")(chat.chat)
    app.add_typer(personas.app, name="personas")
    app.add_typer(cache.app, name="cache")
    app.add_typer(config_cmd.app, name="config")


_register()


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``tinytroupe`` script; returns the exit code (the script exits with it)."""
    try:
        app(args=argv, prog_name="tinytroupe", standalone_mode=True)
    except SystemExit as exc:
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else EXIT_FAILURE)
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
