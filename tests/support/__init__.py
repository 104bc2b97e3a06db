"""Helpers shared by the tests: the reference corpus and the reference tool."""
