"""Jitsi Meet: JWTs for the per-session room, and Prosody's room-size endpoint."""
