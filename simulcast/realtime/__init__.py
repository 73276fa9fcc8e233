"""socket.io: the only package that imports socketio. Namespaces, fan-out, coalescing."""
