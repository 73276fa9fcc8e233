"""The RTMP → HLS ingest (nginx-rtmp): its config, its HLS playlists and its /stat page."""
