"""The pure workflow controller: (spec, snapshot, event) → commands. No I/O.

``states`` (state machines as data), ``commands`` (the protocol to the engine),
``base`` (snapshot values), ``graph`` (compiled task graph), ``direct`` / ``reverse``
(the two controllers) and ``controller`` (their entry points).
"""
