"""Test kit for plugin authors (opt-in): fixtures, fakes and contract test classes."""
