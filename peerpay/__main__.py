"""`python -m peerpay` = the `peerpay` command."""

from .cli import main

if __name__ == "__main__":
    main()
