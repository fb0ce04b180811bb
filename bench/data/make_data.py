"""Write the benchmark's sample invoices (20 and 200 lines) from the test suite's samples.

Run ``python -m bench.data.make_data`` after changing tests/payloads.py; the JSON files are committed so a
benchmark run never depends on how the sample is built, and results stay comparable across commits.
"""

import json
from typing import Any

from bench.data import SIZES, einvoice_path, sample_path
from tests.payloads import einvoice_payload, sample_payload


def main() -> None:
    for lines in SIZES:
        path = sample_path(lines)
        path.write_text(
            json.dumps(sample_payload(fmt="pdf", lines=lines), indent=2, ensure_ascii=False) + "\n"
        )
        print(f"wrote {path}")
        path = einvoice_path(lines)
        path.write_text(json.dumps(_einvoice(lines), indent=2, ensure_ascii=False) + "\n")
        print(f"wrote {path}")


def _einvoice(lines: int) -> dict[str, Any]:
    """The EN 16931 sample with its first line repeated ``lines`` times (without the claimed totals)."""
    payload = einvoice_payload()
    first = payload["invoice"]["lines"][0]
    payload["invoice"]["lines"] = [dict(first, sku=f"SKU-{n:04d}") for n in range(lines)]
    del payload["invoice"]["totals"]
    return payload


if __name__ == "__main__":
    main()
