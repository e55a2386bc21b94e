"""Reports and exports. Each format is its own module, imported only when asked for."""
