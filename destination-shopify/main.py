"""Local entrypoint: `python main.py spec|check|write ...` (same as the `destination-shopify` script)."""

from destination_shopify.run import run

if __name__ == "__main__":
    run()
