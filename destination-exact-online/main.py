"""Entry point for `python main.py spec|check|write` (the console script is `destination-exact-online`)."""

from destination_exact_online.run import run

if __name__ == "__main__":
    run()
