"""Tests of live decoding (cyborg.online) and its LSL command (cyborg.stream)."""
