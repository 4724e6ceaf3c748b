"""Built-in components; they register through the same hooks as third-party plugins."""
