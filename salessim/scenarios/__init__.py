"""Scenarios: the schema of every parameter, scenario and scheme files, and the built-ins.

The built-in scenarios are the ``*.toml`` files of this folder; built-in pay schemes are in
``schemes/``.
"""
