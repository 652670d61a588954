"""Models: policies, proposals and on-cost files as frozen pydantic models (TOML in, validated data out)."""
