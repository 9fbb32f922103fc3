"""Everything that touches the outside world: settings, storage, importers, the CLI."""
