"""Thin clients of the outside systems simulcast drives, one package per protocol.

Each takes its address in its constructor (a test points it at a real server), speaks only its
protocol, and raises errors from the ``simulcast.errors`` tree.
"""
