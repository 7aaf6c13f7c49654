"""The analyst's workbench: REST API and offline web UI over a casus store (`casus serve`)."""
