"""The `stagegate` command line.

Exit codes, the same for every command:
  0  allowed, or the write was done (or had been done already)
  1  denied by the gate, or the write refused by the portal (it says why)
  2  pending, timed out, or no answer: configuration, network, token, unknown use case, server error

`stagegate verify PACKET.pdf` works offline (no --url, no token): 0 when every check passes, 1 when one
fails (it says which), 2 when the file cannot be read.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any, TextIO

from stagegate import __version__
from stagegate.api import DEFAULT_REQUEST_TIMEOUT, Client, Refused, StagegateError, base_url_from, token_from
from stagegate.output import (
    artifact_text,
    as_json,
    gate_text,
    gate_verdict,
    observations_text,
    readiness_text,
    refusal_lines,
    request_text,
    version_text,
)
from stagegate.values import (
    existing_file,
    file_digest,
    format_duration,
    parse_answer,
    parse_digest,
    parse_duration,
    parse_evidence,
    parse_metric_spec,
    parse_note,
    parse_observation,
    parse_stage,
    parse_timestamp,
)
from stagegate.verify import Unreadable, verify_packet
from stagegate.verify import __doc__ as verify_doc
from stagegate.wait import gate_wait

ALLOWED, DENIED, NO_ANSWER = 0, 1, 2
GATE_EXIT = {"allowed": ALLOWED, "denied": DENIED, "pending": NO_ANSWER}
DEFAULT_WAIT_TIMEOUT = "30m"
DEFAULT_WAIT_INTERVAL = "15s"

Handler = Callable[[argparse.Namespace, Client], int]


def _typed(parse: Callable[[str], Any]) -> Callable[[str], Any]:
    """An argparse `type` whose error message is the parser's own sentence."""

    def convert(text: str) -> Any:
        try:
            return parse(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    convert.__name__ = parse.__name__
    return convert


def _connection_options(parser: argparse.ArgumentParser, *, default: Any) -> None:
    """--url, --token and --request-timeout, taken before or after the command's name."""
    parser.add_argument("--url", default=default, help="the portal's address (default: $STAGEGATE_URL)")
    parser.add_argument("--token", default=default, help="an API token, sg_... (default: $STAGEGATE_TOKEN)")
    parser.add_argument(
        "--request-timeout",
        type=_typed(parse_duration),
        default=default,
        metavar="DURATION",
        help=f"give up on one HTTP call after this long (default: {format_duration(DEFAULT_REQUEST_TIMEOUT)})",
    )


def _write_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--idempotency-key",
        metavar="KEY",
        help="reuse this key on a retried step so the portal answers as the first time (default: a fresh one)",
    )
    parser.add_argument("--json", action="store_true", help="print the portal's answer as JSON")


def build_parser() -> argparse.ArgumentParser:
    connection = argparse.ArgumentParser(add_help=False)
    _connection_options(connection, default=argparse.SUPPRESS)
    parser = argparse.ArgumentParser(
        prog="stagegate",
        description="Ask a Stagegate portal whether a version may run, and push what a pipeline knows.",
        epilog=__doc__.split("\n", 2)[2] if __doc__ else None,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _connection_options(parser, default=None)
    parser.add_argument("--client-version", action="version", version=f"stagegate {__version__}")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)

    def group(name: str, help: str) -> argparse._SubParsersAction[argparse.ArgumentParser]:
        sub = commands.add_parser(name, help=help, description=help)
        return sub.add_subparsers(title="commands", metavar="COMMAND", required=True)

    def command(
        where: argparse._SubParsersAction[argparse.ArgumentParser], name: str, help: str, handler: Handler
    ) -> argparse.ArgumentParser:
        sub = where.add_parser(name, help=help, description=help, parents=[connection])
        sub.set_defaults(handler=handler)
        return sub

    offline = commands.add_parser(
        "verify",
        help="check a sign-off packet offline: signature, timestamp, attachments, its audit events",
        description=(verify_doc.split("\n\n", 1)[0] if verify_doc else None),
    )
    offline.add_argument("packet", help="the packet's PDF file")
    offline.add_argument(
        "--trust",
        action="append",
        default=[],
        metavar="CERT.pem",
        help="a certificate to trust: the portal's signing certificate or its CA, the timestamp authority's root",
    )
    offline.set_defaults(offline=True)

    gate = command(
        group("gate", "the run gate"), "check", "may this version run at a stage? exit 0 allowed, 1 denied", _gate_check
    )
    gate.add_argument("slug", help="the use case's slug")
    gate.add_argument("--stage", type=_typed(parse_stage), required=True, help="the stage to run at, 0-4")
    subject = gate.add_mutually_exclusive_group()
    subject.add_argument("--version", help="the version's label (default: the version approved at the current stage)")
    subject.add_argument("--digest", type=_typed(parse_digest), help="a configuration, image or weights digest")
    gate.add_argument("--wait", action="store_true", help="while a request in review may change the answer, ask again")
    gate.add_argument(
        "--timeout",
        type=_typed(parse_duration),
        metavar="DURATION",
        help=f"with --wait, how long to keep asking (default {DEFAULT_WAIT_TIMEOUT})",
    )
    gate.add_argument(
        "--interval",
        type=_typed(parse_duration),
        metavar="DURATION",
        help=f"with --wait, between two questions (default {DEFAULT_WAIT_INTERVAL})",
    )
    gate.add_argument("--json", action="store_true", help="print the gate's answer as JSON")

    version = command(group("version", "versions"), "push", "register a version with its digests", _version_push)
    version.add_argument("slug")
    version.add_argument("--label", required=True, help="the version's label, e.g. 1.4.0")
    version.add_argument("--provider", required=True, help="who serves the model, e.g. 'Azure OpenAI'")
    version.add_argument("--model", required=True, help="the model identifier, e.g. gpt-4o-2024-08-06")
    config = version.add_mutually_exclusive_group(required=True)
    config.add_argument("--config", type=_typed(existing_file), metavar="FILE", help="the prompt or configuration file")
    config.add_argument("--config-digest", type=_typed(parse_digest), metavar="DIGEST", help="its sha256:...")
    version.add_argument("--image-digest", type=_typed(parse_digest), metavar="DIGEST")
    version.add_argument("--weights-digest", type=_typed(parse_digest), metavar="DIGEST")
    version.add_argument("--tool", action="append", default=[], metavar="NAME", help="an agent tool it may call")
    version.add_argument(
        "--metric",
        action="append",
        default=[],
        type=_typed(parse_metric_spec),
        metavar="NAME=VALUE:THRESHOLD[:gte|lte][:critical]",
        help=(
            "an evaluation result and the threshold it must meet (gte: at least, the default; lte: at most); "
            "critical: a breach in production may suspend the use case"
        ),
    )
    version.add_argument(
        "--evidence",
        action="append",
        default=[],
        type=_typed(parse_evidence),
        metavar="KIND=FILE",
        help="evidence to upload with it, e.g. evaluation_report=eval.pdf",
    )
    version.add_argument("--guardrails", default="", help="the guardrails it runs with")
    version.add_argument("--notes", default="")
    _write_options(version)

    evidence = command(group("evidence", "evidence"), "push", "upload one piece of evidence", _evidence_push)
    evidence.add_argument("slug")
    evidence.add_argument("file", type=_typed(existing_file))
    evidence.add_argument("--kind", required=True, help="evaluation_report, rollback_test, model_card, ...")
    evidence.add_argument("--version", metavar="LABEL", help="the version it is evidence of")
    evidence.add_argument("--title")
    _write_options(evidence)

    request = command(commands, "request", "ask to promote a use case (or approve a new version)", _request)
    request.add_argument("slug")
    request.add_argument(
        "--stage", type=_typed(lambda text: parse_stage(text, lowest=1)), required=True, help="the target stage, 1-4"
    )
    request.add_argument("--version", metavar="LABEL", help="the version to approve (default: the newest)")
    request.add_argument("--justification", default="")
    request.add_argument("--no-submit", dest="submit", action="store_false", help="leave it a draft")
    _write_options(request)

    readiness = command(
        group("readiness", "the production-readiness check"), "answer", "answer readiness questions", _readiness
    )
    readiness.add_argument("slug")
    readiness.add_argument(
        "--answer",
        action="append",
        required=True,
        type=_typed(parse_answer),
        metavar="QUESTION=yes|no",
        help="e.g. business_kpi=yes",
    )
    readiness.add_argument("--note", action="append", default=[], type=_typed(parse_note), metavar="QUESTION=TEXT")
    readiness.add_argument("--json", action="store_true", help="print the portal's answer as JSON")

    metrics = command(group("metrics", "production metrics"), "push", "record observed metrics", _metrics_push)
    metrics.add_argument("slug")
    metrics.add_argument("--version", required=True, metavar="LABEL")
    metrics.add_argument(
        "--metric",
        action="append",
        required=True,
        type=_typed(parse_observation),
        metavar="NAME=VALUE",
        help="e.g. latency_p95=812",
    )
    metrics.add_argument("--window-start", type=_typed(parse_timestamp), metavar="ISO")
    metrics.add_argument("--window-end", type=_typed(parse_timestamp), metavar="ISO")
    metrics.add_argument("--source", help="where the values come from, e.g. prometheus")
    _write_options(metrics)
    return parser


def _print(text: str, stream: TextIO | None = None) -> None:
    print(text, file=stream or sys.stdout, flush=True)


def _say(message: str) -> None:
    _print(f"stagegate: {message}", sys.stderr)


def _gate_check(args: argparse.Namespace, client: Client) -> int:
    def ask(seconds: float | None = None) -> dict[str, Any]:
        return client.gate(args.slug, args.stage, version=args.version, digest=args.digest, request_timeout=seconds)

    timed_out = False
    timeout = args.timeout or parse_duration(DEFAULT_WAIT_TIMEOUT)
    if args.wait:
        answer, timed_out = gate_wait(
            ask,
            timeout=timeout,
            interval=args.interval or parse_duration(DEFAULT_WAIT_INTERVAL),
            request_timeout=client.request_timeout,
            notify=_say,
        )
    else:
        answer = ask()
    _print(as_json(answer) if args.json else gate_text(args.slug, answer))
    if timed_out:
        _say(f"timed out after {format_duration(timeout)}: the request in review was not decided.")
        return NO_ANSWER
    return GATE_EXIT[gate_verdict(answer)]


def _version_push(args: argparse.Namespace, client: Client) -> int:
    version: dict[str, Any] = {
        "label": args.label,
        "provider": args.provider,
        "model_identifier": args.model,
        "config_digest": file_digest(args.config) if args.config else args.config_digest,
        "agent_tools": args.tool,
        "metrics": [metric.as_api() for metric in args.metric],
    }
    for key in ("image_digest", "weights_digest", "guardrails", "notes"):
        if value := getattr(args, key):
            version[key] = value
    answer = client.version_register(args.slug, version, dict(args.evidence))
    _print(as_json(answer.body) if args.json else version_text(args.slug, answer.status, answer.body))
    return ALLOWED


def _evidence_push(args: argparse.Namespace, client: Client) -> int:
    answer = client.artifact_upload(args.slug, args.file, kind=args.kind, version=args.version, title=args.title)
    _print(as_json(answer.body) if args.json else artifact_text(args.slug, answer.status, answer.body))
    return ALLOWED


def _request(args: argparse.Namespace, client: Client) -> int:
    answer = client.readiness_request_create(
        args.slug,
        target_stage=args.stage,
        version=args.version,
        justification=args.justification,
        submit=args.submit,
    )
    _print(as_json(answer.body) if args.json else request_text(answer.body))
    return ALLOWED


def _readiness(args: argparse.Namespace, client: Client) -> int:
    answers: dict[str, dict[str, Any]] = {question: {"answer": given} for question, given in args.answer}
    for question, note in args.note:
        answers[question]["note"] = note
    answer = client.readiness_answers_put(args.slug, answers)
    _print(as_json(answer.body) if args.json else readiness_text(args.slug, answer.body))
    return ALLOWED


def _metrics_push(args: argparse.Namespace, client: Client) -> int:
    given = {"window_start": args.window_start, "window_end": args.window_end, "source": args.source}
    common = {key: value for key, value in given.items() if value is not None}
    observations = [{"metric": name, "value": value, **common} for name, value in args.metric]
    answer = client.observations_push(args.slug, args.version, observations)
    _print(
        as_json(answer.body)
        if args.json
        else observations_text(args.slug, args.version, len(observations), answer.body)
    )
    return ALLOWED


def _report(error: StagegateError, *, json_wanted: bool) -> None:
    if isinstance(error, Refused) and error.body is not None:
        if json_wanted:
            _print(as_json(error.body))
        lines = refusal_lines(error.body)
        if len(lines) > 1:
            _say(f"The portal refused this (HTTP {error.status}):")
            for line in lines:
                _print(f"  - {line}", sys.stderr)
            return
    _say(str(error))


def _usage_problem(args: argparse.Namespace) -> str | None:
    """What the options say that argparse cannot check one option at a time."""
    if not getattr(args, "wait", False) and (getattr(args, "timeout", None) or getattr(args, "interval", None)):
        return "--timeout and --interval go with --wait"
    kinds = [kind for kind, _ in getattr(args, "evidence", [])]
    if repeated := sorted({kind for kind in kinds if kinds.count(kind) > 1}):
        return f"give one file per kind of evidence, not several for {', '.join(repeated)}"
    answered = {question for question, _ in getattr(args, "answer", None) or []}
    if unanswered := sorted({question for question, _ in getattr(args, "note", [])} - answered):
        return f"a --note needs an --answer for the same question: {', '.join(unanswered)}"
    if (getattr(args, "window_start", None) is None) != (getattr(args, "window_end", None) is None):
        return "give --window-start and --window-end together, or neither"
    return None


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if problem := _usage_problem(args):
        parser.error(problem)
    if getattr(args, "offline", False):
        return _verify_offline(args)
    try:
        url = base_url_from(args.url or os.environ.get("STAGEGATE_URL"))
        token = token_from(args.token or os.environ.get("STAGEGATE_TOKEN"))
        with Client(
            url,
            token,
            request_timeout=args.request_timeout or DEFAULT_REQUEST_TIMEOUT,
            idempotency_key=getattr(args, "idempotency_key", None),
        ) as client:
            handler: Handler = args.handler
            return handler(args, client)
    except StagegateError as error:
        _report(error, json_wanted=getattr(args, "json", False))
        return error.exit_code
    except KeyboardInterrupt:
        _say("interrupted.")
        return 130


def _verify_offline(args: argparse.Namespace) -> int:
    try:
        with open(args.packet, "rb") as fh:
            data = fh.read()
        report = verify_packet(data, trust=args.trust)
    except OSError as exc:
        _say(f"cannot read {args.packet}: {exc.strerror or exc}")
        return 2
    except Unreadable as exc:
        _say(f"{args.packet}: {exc}")
        return 2
    for line in report.lines:
        _print(line)
    if report.problems:
        _say(f"{args.packet} did not pass: {'; '.join(report.problems)}.")
        return 1
    _print(f"{args.packet}: every check passed.")
    return 0
