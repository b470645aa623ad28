"""The electronic protocol (the legal record of an investigative action): model, PDF, metadata,
signatures, the ASiC-E container and its verifier. Never imports Qt or ``app``."""
