"""Read models built from events: what the ledger answers, never what it records."""
