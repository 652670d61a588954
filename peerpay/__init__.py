"""peerpay: exact pay and pay-equity arithmetic for peer support and peer recovery workers."""

__version__ = "0.1.0"
