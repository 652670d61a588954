"""The calculation core: pure functions on DataFrames and policy models. No files, no click."""
