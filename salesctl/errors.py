"""Domain errors: raised anywhere below the CLI, turned into messages and exit codes in cli.py."""


class SalesError(Exception):
    """A request that is wrong or cannot be done: exit 1 with ``Error: <message>``."""

    exit_code = 1


class Invalid(SalesError):
    """A value that does not parse or is out of range. The message names the field and the value."""

    def __init__(self, field: str, value: object, problem: str, hint: str | None = None):
        self.field, self.value, self.problem, self.hint = field, value, problem, hint
        message = f'{field}: "{value}" {problem}' if field else f'"{value}" {problem}'
        if hint:
            message += f"; {hint}"
        super().__init__(message)


class NotFound(SalesError):
    """A reference (lead, rep, play…) that matches nothing."""


class Ambiguous(SalesError):
    """A reference that matches more than one thing; the message lists the candidates."""


class Duplicate(SalesError):
    """A record that would duplicate an existing one."""


class StoreError(SalesError):
    """The database is busy, unreadable, corrupt or from a newer salesctl: exit 3."""

    exit_code = 3
