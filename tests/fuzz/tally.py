"""The fuzz run's answers per operation, by status code: the report says how deep the fuzzing reached.

Kept apart from tests/fuzz/conftest.py because the report is printed by tests/conftest.py: under pytest-xdist
(`make test`) the fuzz tests run in a worker process, and only the controller prints a terminal summary, so
each worker hands its tally over when it finishes (``as_dict`` / ``merge``).
"""

from collections import Counter
from dataclasses import dataclass, field


@dataclass
class Tally:
    statuses: dict[str, Counter[int]] = field(default_factory=dict)

    def record(self, operation: str, status: int) -> None:
        self.statuses.setdefault(operation, Counter())[status] += 1

    def success_share(self, operation: str) -> tuple[int, int]:
        counts = self.statuses.get(operation, Counter())
        return sum(n for status, n in counts.items() if 200 <= status < 300), sum(counts.values())

    def as_dict(self) -> dict[str, dict[int, int]]:
        """Plain data, for xdist's workeroutput (sent from a worker to the controller)."""
        return {operation: dict(counts) for operation, counts in self.statuses.items()}

    def merge(self, other: dict[str, dict[int, int]]) -> None:
        for operation, counts in other.items():
            self.statuses.setdefault(operation, Counter()).update(
                {int(status): n for status, n in counts.items()}
            )

    def lines(self) -> list[str]:
        rows = []
        for operation in sorted(self.statuses):
            ok, total = self.success_share(operation)
            codes = ", ".join(f"{status}: {n}" for status, n in sorted(self.statuses[operation].items()))
            rows.append(f"{operation:40} {total:5} cases, {ok / total:6.1%} 2xx  ({codes})")
        return rows


TALLY = Tally()
