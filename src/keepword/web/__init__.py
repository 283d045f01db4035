"""The web app: FastAPI routes over the same services the CLI uses, pages rendered by Jinja2."""
