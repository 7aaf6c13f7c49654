from casus.cli import app

app(prog_name="casus")
