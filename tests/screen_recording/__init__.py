"""Screen recording: the pure rules (masking, chunks, timeline) and the services on the database."""
