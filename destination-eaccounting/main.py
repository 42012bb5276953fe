"""Local entrypoint: `python main.py spec|check|write ...` (same as the `destination-eaccounting` script)."""

from destination_eaccounting.run import run

if __name__ == "__main__":
    run()
