"""The application: use cases as methods of ``Ledger``; no HTTP, no argument parsing."""
