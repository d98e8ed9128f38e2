"""Online decoding: streaming and exported decoders."""
