"""Stand-in for Forge's modules_forge/shared.py preprocessor registry."""

supported_preprocessors = {}


def add_supported_preprocessor(preprocessor):
    supported_preprocessors[preprocessor.name] = preprocessor
