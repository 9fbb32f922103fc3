"""Domain errors: one root, specific subclasses, each message says what and why."""


class LedgerError(Exception):
    """Root of every refusal the ledger gives: the command wrote nothing."""


class InvalidCommand(LedgerError):
    """The command is malformed: a missing reason, a bad ref, an empty lead."""


class InvalidDate(InvalidCommand, ValueError):
    """A date the command needs could not be placed on the calendar. A ValueError too, so
    that a validator (the API's query parameters) takes it for bad input."""


class RuleViolated(LedgerError):
    """The command breaks a business rule given the current state."""


class NotFound(LedgerError):
    """The plan, recommendation or event named does not exist."""


class PlanNotFound(NotFound):
    pass


class RecommendationNotFound(NotFound):
    pass


class EventNotFound(NotFound):
    pass


class AlreadyExists(LedgerError):
    """A plan id or a ref in a plan is already taken."""


class StaleVersion(LedgerError):
    """Someone else changed the same aggregate while this command ran."""


class VersionConflict(StaleVersion):
    """The command named the version it saw, and the item has moved on since."""

    def __init__(self, message: str, current: int):
        super().__init__(message)
        self.current = current


class NoActor(LedgerError):
    """No authenticated actor is set: nobody may record anonymously."""


class NotPermitted(LedgerError):
    """The actor may not do this."""


class NotAuthenticated(LedgerError):
    """No token, or one that is not valid (unknown, wrong, revoked)."""


class StorageUnavailable(LedgerError):
    """The event store cannot be reached or opened."""


class NoLedger(StorageUnavailable):
    """There is no ledger where one was named (and a command that only reads makes none)."""


class ReadModelsBehind(StorageUnavailable):
    """The read models cannot be brought up to date with the log; the log itself is intact."""


class ClockSkew(LedgerError):
    """This machine's clock disagrees with the database server's: recorded times would lie."""
