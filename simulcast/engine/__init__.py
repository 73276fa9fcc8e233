"""The application service: runs commands through the domain and the store, fans out.

Layer: models ← domain ← store ← engine ← realtime ← web ← cli (see docs/decisions/).
"""
