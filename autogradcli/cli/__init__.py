"""The console scripts: thin typer shells over autogradcli.api (one app per script)."""
