"""The broadcast supervisor: sources (OBS, external URL, Jitsi), dispatch to room screens,
screen liveness and broadcast health. It acts on sessions only through the hub."""
