"""The aiohttp application: REST API, socket.io endpoint, OpenAPI description."""
