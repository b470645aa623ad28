"""Evidence-grade segmented recording, the hash-chained action log and its verifier.

This package never imports Qt or ``app``: it is the part of Tergeu a court expert may audit alone.
"""
