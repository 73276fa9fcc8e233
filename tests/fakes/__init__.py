"""Protocol fakes: real servers on port 0 for peers that cannot run here (Prosody, …)."""
