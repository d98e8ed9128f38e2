"""Tests of the classical decoders (cyborg.classical)."""
