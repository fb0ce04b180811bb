"""English counts for the messages people read (API errors, the admin): "1 item", "3 items", never
"item(s)"."""


def counted(count: int, noun: str, plural: str = "") -> str:
    """``count`` and ``noun``, in the plural (``noun + "s"`` unless given) for any count but one."""
    return f"{count} {noun if count == 1 else plural or noun + 's'}"
