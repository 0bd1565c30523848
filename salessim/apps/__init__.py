"""How people use salessim: the command line's commands, notebook widgets and helpers."""
