"""Sub-commands of the ``salessim`` command line, one module each."""
