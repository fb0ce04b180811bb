"""Write the benchmark's sample invoices (20 and 200 lines) from the test suite's sample.

Run ``python -m bench.data.make_data`` after changing tests/payloads.py; the JSON files are committed so a
benchmark run never depends on how the sample is built, and results stay comparable across commits.
"""

import json

from bench.data import SIZES, sample_path
from tests.payloads import sample_payload


def main() -> None:
    for lines in SIZES:
        path = sample_path(lines)
        path.write_text(
            json.dumps(sample_payload(fmt="pdf", lines=lines), indent=2, ensure_ascii=False) + "\n"
        )
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
