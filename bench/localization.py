"""Section 8: what printing the 20-line PDF in its locale costs (issue 17: "the locale formatting adds
under 5 % to the 20-line PDF's render time").

Run in a fresh process, warmed up, like section 1, on the 20-line sample (``bench/data``) written in locale
``en`` and in ``de-DE``. Three figures, each with its own blind spot:

- the render of each locale, timed: what a reader of the two invoices waits, whose difference is what
  German formats and labels cost over English ones (not what formatting costs at all: both use CLDR);
- every ``NumberFormat`` call one render makes, recorded while it renders, then replayed alone and timed,
  against the same values printed as the renderer printed them before issue 17 (Python's ``format`` and
  ``strftime``): the formatting's own time, warm, as a render worker runs it, and what it adds;
- one render profiled with cProfile: the time spent in ``invoices/i18n/formatting.py`` and in Babel,
  counted where it is entered from the rest of the code (each call into that layer once, whatever it calls
  inside it), as a share of the profiled render. The profiler inflates small Python calls, of which the
  formatting is made, so this share errs high.

``python -m bench.localization [--quick]`` runs this section alone and prints it.
"""

import cProfile
import multiprocessing
import pstats
import sys
from collections import Counter
from datetime import date
from decimal import Decimal
from functools import partial
from typing import Any

from bench.data import sample
from bench.render import time_calls
from bench.stats import ratio

LOCALES = ("en", "de-DE")
LINES = 20
METHODS = ("money", "amount", "signed_amount", "quantity", "percent", "date")
TARGET_SHARE = 0.05


def locale_sample(locale: str) -> dict[str, Any]:
    payload = sample(LINES, "pdf")
    payload["invoice"].pop("language", None)
    payload["invoice"]["locale"] = locale
    return payload


Call = tuple[Any, str, tuple[Any, ...]]


def recorded_calls(render_once: Any) -> list[Call]:
    """The NumberFormat calls ``render_once()`` makes from outside NumberFormat (``signed_amount`` calls
    ``amount`` itself: that call is part of the outer one, not recorded again)."""
    from invoices.i18n.formatting import NumberFormat

    calls: list[Call] = []
    depth = [0]
    originals = {name: getattr(NumberFormat, name) for name in METHODS}

    def recording(name: str, original: Any) -> Any:
        def method(self: Any, *args: Any) -> Any:
            if depth[0] == 0:
                calls.append((self, name, args))
            depth[0] += 1
            try:
                return original(self, *args)
            finally:
                depth[0] -= 1

        return method

    try:
        for name, original in originals.items():
            setattr(NumberFormat, name, recording(name, original))
        render_once()
    finally:
        for name, original in originals.items():
            setattr(NumberFormat, name, original)
    return calls


def replay(calls: list[Call]) -> None:
    for fmt, name, args in calls:
        getattr(fmt, name)(*args)


def plain(value: Decimal | date | None) -> str:
    """About what the renderer did before issue 17, one format for every invoice: an amount through
    Python's own format (``money.format_amount``: ``f"{amount:,.2f}"``), a date through ``strftime``."""
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    return "" if value is None else f"{value:,f}"


def replay_plain(calls: list[Call]) -> None:
    for _fmt, _name, args in calls:
        plain(args[0])


def _in_formatting(function: tuple[str, int, str]) -> bool:
    filename = function[0].replace("\\", "/")
    return filename.endswith("invoices/i18n/formatting.py") or "/babel/" in filename


def profiled_share(render_once: Any, renders: int) -> dict[str, float]:
    """cProfile over ``renders`` renders: the time entered into formatting.py and Babel from elsewhere
    (the cumulative time of each call across that boundary), per render and as a share."""
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(renders):
        render_once()
    profiler.disable()
    stats = pstats.Stats(profiler)
    table: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]  # pstats' own table, untyped
    inside = 0.0
    for function, (_cc, _nc, _tt, _ct, callers) in table.items():
        if not _in_formatting(function):
            continue
        inside += sum(edge[3] for caller, edge in callers.items() if not _in_formatting(caller))
    total: float = stats.total_tt  # type: ignore[attr-defined]
    return {
        "formatting_ms": inside * 1000 / renders,
        "render_ms": total * 1000 / renders,
        "share": ratio(inside, total),
    }


def measure(warmup: int, repeats: int, profiled: int) -> dict[str, Any]:
    """Runs in a fresh process: the renders in both locales, the replayed calls, the profile."""
    from bench.django_setup import setup

    setup()
    from invoices.document.validation import read_request
    from invoices.renderers import render

    documents = {locale: read_request(locale_sample(locale)) for locale in LOCALES}
    result: dict[str, Any] = {"lines": LINES, "renders": {}}
    for locale in LOCALES:
        options, document = documents[locale]
        result["renders"][locale] = time_calls(partial(render, document, options), warmup, repeats)
    options, document = documents["de-DE"]
    calls = recorded_calls(lambda: render(document, options))
    result["calls"] = len(calls)
    result["calls_by_method"] = dict(Counter(name for _fmt, name, _args in calls))
    many = repeats * 10  # one replay is a fraction of a millisecond: more of them for a stable median
    result["replay"] = time_calls(lambda: replay(calls), warmup, many)
    result["plain"] = time_calls(lambda: replay_plain(calls), warmup, many)
    render_cpu = result["renders"]["de-DE"]["cpu_ms"]["median"]
    replay_cpu, plain_cpu = result["replay"]["cpu_ms"]["median"], result["plain"]["cpu_ms"]["median"]
    result["replay_share"] = ratio(replay_cpu, render_cpu)
    result["added_share"] = ratio(replay_cpu - plain_cpu, render_cpu)
    result["ratio_de_en_cpu"] = ratio(render_cpu, result["renders"]["en"]["cpu_ms"]["median"])
    result["profile"] = profiled_share(lambda: render(document, options), profiled)
    return result


def run(quick: bool) -> dict[str, Any]:
    warmup, repeats, profiled = (1, 3, 1) if quick else (3, 30, 5)
    print(f"  locale {' / '.join(LOCALES)} PDF {LINES} lines ...", flush=True)
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        result: dict[str, Any] = pool.apply(measure, (warmup, repeats, profiled))
    return result


def main() -> None:
    from bench.django_setup import apply_defaults
    from bench.report import locale_section

    apply_defaults()
    result = run("--quick" in sys.argv[1:])
    print("\n".join(locale_section(result)))


if __name__ == "__main__":
    main()
