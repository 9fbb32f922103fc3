"""One measurement in a process of its own, so its peak RSS is its own.

python -m bench.rebuild decode|rebuild|verify|verify-log|verify-deep DB   -> JSON on stdout
"""

from __future__ import annotations

import json
import resource
import sys
import time

from adapters.settings import Settings
from adapters.storage import bootstrap
from domain.audit import acting_as_owner
from service.integrity import verify_log


def main() -> None:
    mode, db = sys.argv[1], sys.argv[2]
    ledger = bootstrap(Settings(db=db, actor="bench"))
    start = time.perf_counter()
    if mode == "rebuild":
        count = ledger.rebuild()
    elif mode.startswith("verify"):
        # the log: every entry's hash against its seal, every write's signature; then the
        # read models: their digests against their rows, or (deep) rebuilt and compared
        if mode == "verify-log":
            result = verify_log(ledger)
        else:
            result = ledger.verify(deep=mode == "verify-deep")
        if not result.intact:
            raise SystemExit(f"the ledger does not verify: {result}")
        count = result.size
    else:  # read and decode every stored event, no projection work: the ceiling
        count = position = 0
        while page := ledger.notifications_after(position, 1000):
            position = page[-1][0]
            count += len(page)
    seconds = time.perf_counter() - start
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    ledger.close()
    print(json.dumps({"events": count, "seconds": seconds, "events_per_s": count / seconds,
                      "peak_rss_mb": peak_kb / 1024}))  # fmt: skip


if __name__ == "__main__":
    with acting_as_owner("bench", "bench"):  # the owner at the terminal, as the CLI
        main()
