"""Render time and peak memory of a large sign-off packet, next to WeasyPrint alone.

Creates a scratch database (Django's test-database machinery, named
stagegate_bench_packets unless --database-name says otherwise; the database in DATABASE_URL itself is not touched),
approves one readiness request through the sign-off services with many
evidence files and a long audit history (about 20 pages), then measures:

- the portal's whole render (`packet_render`: gather the data, render the
  template, WeasyPrint to PDF/A-3b through the static-only fetcher, store the
  file, audit), by deleting the stored packet between runs;
- its phases: gathering the data (queries), the Django template, the PDF;
- WeasyPrint alone on the same HTML with its default fetcher and the same
  stylesheet, so the portal's own overhead is visible.

Each time is the median of N runs after one warm-up, the cases taking turns
run by run; peak memory is tracemalloc's peak of Python allocations during one
run, and the process's maximum resident set size (ru_maxrss) after it.

    DATABASE_URL=postgres://... python bench/packet_render.py [--runs 5] [--markdown]
    DATABASE_URL=postgres://... python bench/packet_render.py --profile [--top 40]

--profile renders the PDF once under cProfile instead and prints where
WeasyPrint spends the time (cumulative, then own time).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ.pop("REDIS_URL", None)
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.template.loader import render_to_string  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

EXTRA_ARTIFACTS = 45
HISTORY_EVENTS = 150


def build_request():
    from signoff.models import Packet
    from tests import factories
    from tests.signoff.packet_builders import approved_request

    leads = {
        "risk": factories.reviewer("rita", "risk", lead=True),
        "compliance": factories.reviewer("carl", "compliance", lead=True),
        "legal": factories.reviewer("lena", "legal", lead=True),
    }
    erin = factories.UserFactory(username="erin", first_name="Erin", last_name="Engel", roles=["engineer"])
    request = approved_request(
        owner=erin,
        leads=leads,
        slug="bench-packet",
        extra_artifacts=EXTRA_ARTIFACTS,
        conditions_owner=erin,
        history_events=HISTORY_EVENTS,
    )
    # Approval already rendered a packet (tasks run in-process); the benchmark renders its own.
    for packet in Packet.objects.filter(request=request):
        packet.file.delete(save=False)
        packet.delete()
    return request


def measure(cases: list[tuple[str, Callable[[], object]]], runs: int) -> dict[str, tuple[float, float, float]]:
    """Median seconds, tracemalloc peak (MiB) and max RSS (MiB) per case.

    The cases take turns, run by run, so that load from other processes on a
    shared machine falls on all of them alike instead of on whichever ran last.
    """
    for _, fn in cases:
        fn()
    times: dict[str, list[float]] = {label: [] for label, _ in cases}
    for _ in range(runs):
        for label, fn in cases:
            start = time.perf_counter()
            fn()
            times[label].append(time.perf_counter() - start)
    out = {}
    for label, fn in cases:
        tracemalloc.start()
        fn()
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        out[label] = (statistics.median(times[label]), peak / (1024 * 1024), maxrss_mib())
    return out


def maxrss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(runs: int) -> list[tuple[str, float, float, float, str]]:
    from weasyprint import CSS, HTML

    from signoff.models import Packet
    from signoff.packets import (
        PACKET_STATIC_URL,
        PACKET_STYLESHEET,
        PACKET_TEMPLATE,
        packet_context,
        packet_render,
        pdf_render,
    )

    request = build_request()
    context = packet_context(request=request)
    html = render_to_string(PACKET_TEMPLATE, context.as_template_context())
    rendered = pdf_render(html=html)
    shape = (
        f"{rendered.page_count} pages, {len(rendered.data) // 1024} KiB, {len(context.artifacts)} artifacts, "
        f"{len(context.events)} audit events"
    )

    def whole() -> None:
        for packet in Packet.objects.filter(request=request):
            packet.file.delete(save=False)
            packet.delete()
        packet_render(request=request)

    stylesheet = CSS(filename=str(ROOT / "static" / "css" / "packet.css"))
    bare_html = html.replace(f'<link rel="stylesheet" href="{PACKET_STATIC_URL}{PACKET_STYLESHEET}">', "")
    assert bare_html != html

    def weasyprint_alone() -> None:
        HTML(string=bare_html).write_pdf(stylesheets=[stylesheet], pdf_variant="pdf/a-3b")

    cases = [
        ("portal: packet_render (gather, template, PDF, store, audit)", whole),
        ("  phase: gather the data (packet_context)", lambda: packet_context(request=request)),
        ("  phase: Django template to HTML", lambda: render_to_string(PACKET_TEMPLATE, context.as_template_context())),
        ("  phase: WeasyPrint through the static-only fetcher", lambda: pdf_render(html=html)),
        ("WeasyPrint alone, same HTML and stylesheet", weasyprint_alone),
    ]
    results = measure(cases, runs)
    rows = [(label, *results[label], shape) for label, _ in cases]
    return rows


def profile(top: int) -> None:
    import cProfile
    import pstats

    from signoff.packets import PACKET_TEMPLATE, packet_context, pdf_render

    request = build_request()
    html = render_to_string(PACKET_TEMPLATE, packet_context(request=request).as_template_context())
    pdf_render(html=html)
    profiler = cProfile.Profile()
    profiler.runcall(pdf_render, html=html)
    stats = pstats.Stats(profiler).strip_dirs()
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--markdown", action="store_true")
    parser.add_argument("--profile", action="store_true", help="profile one PDF render instead of timing")
    parser.add_argument("--top", type=int, default=40, help="functions listed by --profile")
    parser.add_argument("--database-name", default="stagegate_bench_packets", help="the scratch database's name")
    args = parser.parse_args()

    setup_test_environment()
    settings.DATABASES["default"].setdefault("TEST", {})["NAME"] = args.database_name
    media = Path(os.environ.get("BENCH_MEDIA_ROOT", "/tmp/stagegate-bench-media"))
    settings.MEDIA_ROOT = media
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        if args.profile:
            profile(args.top)
            return
        rows = run(args.runs)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)

    shape = rows[0][4]
    engine = connection.vendor
    if args.markdown:
        print(f"Packet: {shape}. Database: {engine}. Median of {args.runs} runs.\n")
        print("| what | median time | tracemalloc peak | max RSS after |")
        print("|---|---:|---:|---:|")
        for label, seconds, peak, rss, _ in rows:
            print(f"| {label.strip()} | {seconds * 1000:.0f} ms | {peak:.1f} MiB | {rss:.0f} MiB |")
    else:
        print(f"Packet: {shape}; database {engine}; median of {args.runs} runs")
        for label, seconds, peak, rss, _ in rows:
            print(f"{label:<62} {seconds * 1000:8.0f} ms  peak {peak:6.1f} MiB  maxrss {rss:6.0f} MiB")


if __name__ == "__main__":
    main()
