"""The signaling server: HTTP + WebSocket rendezvous for live sessions (Qt-free).

See ``docs/live-sessions.md`` for the message protocol.
"""
