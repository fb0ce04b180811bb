"""Validation errors for invoice documents, collected per field path.

Every problem in a request is reported at once (``{"invoice.lines[3].unit_price": ["..."]}``) so a client
fixes its payload in one round trip instead of one error at a time.
"""

# A payload of 1,000 broken lines would otherwise produce an error body as large as the request.
MAX_REPORTED_PATHS = 100


class DocumentInvalid(Exception):
    """The request cannot become an invoice. ``errors`` maps a field path to its messages.

    The path ``""`` stands for the whole body (not JSON, not an object, nested too deeply).
    """

    def __init__(self, errors: dict[str, list[str]]) -> None:
        self.errors = errors
        super().__init__(self._summary())

    def _summary(self) -> str:
        parts = [f"{path or '(body)'}: {'; '.join(messages)}" for path, messages in self.errors.items()]
        return "Invalid invoice document. " + " | ".join(parts)


class ErrorCollector:
    """Gathers errors while a payload is read, then raises them all together."""

    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}
        self.not_reported = 0

    def add(self, path: str, message: str) -> None:
        if path not in self.errors and len(self.errors) >= MAX_REPORTED_PATHS:
            self.not_reported += 1
            return
        self.errors.setdefault(path, []).append(message)

    def __bool__(self) -> bool:
        return bool(self.errors)

    def raise_if_any(self) -> None:
        if self.errors:
            raise self.exception()

    def exception(self) -> DocumentInvalid:
        errors = dict(self.errors)
        if self.not_reported:
            errors[""] = [
                *errors.get("", []),
                f"{self.not_reported} more errors are not shown; fix these first.",
            ]
        return DocumentInvalid(errors)
