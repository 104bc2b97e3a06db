"""Tests of the example components in examples/: built, run, and refused."""
